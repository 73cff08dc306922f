// The dependency rules of shared/ARCHITECTURE.md as a lint rule, so a wrong import fails `npm run lint`.
// Each file under src/ belongs to a layer; a layer may import only the layers listed for it, and only
// through the other module's index.ts (deep imports into another module are refused).
import path from 'node:path';

const DOMAIN = ['patients', 'archive', 'ris', 'research', 'ai', 'analytics'];

/** Which layers each layer may import (its own layer is always allowed). */
const ALLOWED = {
  main: '*',
  'adapters/http': ['domain:*', 'platform', 'lib/*'],
  adapters: ['domain:*', 'platform', 'lib/*', 'adapters/http'],
  ai: ['research', 'ris', 'archive', 'patients', 'platform', 'lib/*'],
  analytics: ['research', 'ris', 'archive', 'patients', 'platform', 'lib/*'],
  research: ['ris', 'archive', 'patients', 'platform', 'lib/*'],
  ris: ['archive', 'patients', 'platform', 'lib/*'],
  archive: ['patients', 'platform', 'lib/*'],
  patients: ['platform', 'lib/*'],
  platform: ['lib/*'],
  'lib/dimse': ['lib/dicom'],
  'lib/imaging': ['lib/dicom'],
  'lib/dicom': [],
  'lib/hl7v2': [],
};

/** Platform parts that the doors must not touch: they go through a domain service instead. */
const HIDDEN_FROM_ADAPTERS = ['platform/db', 'platform/storage'];

function layerOf(rel) {
  const parts = rel.split('/');
  if (parts.length === 1) return { layer: 'main', module: 'main' };
  const [top, second] = parts;
  if (top === 'lib') return { layer: `lib/${second}`, module: `lib/${second}` };
  if (top === 'adapters') {
    const module = `adapters/${second}`;
    return { layer: second === 'http' ? 'adapters/http' : 'adapters', module };
  }
  if (top === 'platform') {
    const module = parts.length > 2 ? `platform/${second}` : `platform/${second.replace(/\.ts$/, '')}`;
    return { layer: 'platform', module };
  }
  return { layer: top, module: top };
}

function allows(fromLayer, to) {
  const allowed = ALLOWED[fromLayer];
  if (allowed === undefined) return false;
  // Doors are one layer but separate modules: a door never imports another (the http host aside).
  if (allowed === '*' || (to.layer === fromLayer && fromLayer !== 'adapters')) return true;
  return allowed.some((entry) => {
    if (entry === 'domain:*') return DOMAIN.includes(to.layer);
    if (entry === 'lib/*') return to.layer.startsWith('lib/');
    return entry === to.layer;
  });
}

/** A module's public face: its index.ts; for platform, also its single-file parts (context.ts, errors.ts). */
function isPublicEntry(toRel, to) {
  const inside = toRel.slice(to.module.length + 1);
  if (to.module.startsWith('platform/') && !toRel.slice('platform/'.length).includes('/')) return true;
  return inside === 'index.ts' || inside === 'index.js';
}

export default {
  rules: {
    'module-boundaries': {
      meta: {
        type: 'problem',
        docs: { description: 'Enforce the dependency rules of ARCHITECTURE.md' },
        schema: [{ type: 'object', properties: { srcDir: { type: 'string' } } }],
      },
      create(context) {
        const srcDir = path.resolve(context.options[0]?.srcDir ?? 'src');
        const file = context.filename;
        if (!file.startsWith(srcDir + path.sep)) return {};
        const fromRel = path.relative(srcDir, file).split(path.sep).join('/');
        // Tests beside the code may use the shared test support under test/; the layering still holds.
        const isTest = /\.test\.ts$/.test(file);
        const from = layerOf(fromRel);

        function check(node, source) {
          if (typeof source !== 'string' || !source.startsWith('.')) return;
          const target = path.resolve(path.dirname(file), source).replace(/\.js$/, '.ts');
          if (!target.startsWith(srcDir + path.sep)) {
            if (isTest) return;
            context.report({ node, message: `src/ must not import from outside src/ ('${source}')` });
            return;
          }
          const toRel = path.relative(srcDir, target).split(path.sep).join('/');
          const to = layerOf(toRel);
          if (to.module === from.module || from.layer === 'main') return;
          if (!allows(from.layer, to)) {
            context.report({
              node,
              message: `${from.module} may not import ${to.module} (ARCHITECTURE.md dependency rules)`,
            });
            return;
          }
          if (from.layer.startsWith('adapters') && HIDDEN_FROM_ADAPTERS.includes(to.module)) {
            context.report({
              node,
              message: `a door may not reach ${to.module}; call a domain service instead`,
            });
            return;
          }
          if (!isPublicEntry(toRel, to)) {
            context.report({ node, message: `import ${to.module} through its index.ts, not '${source}'` });
          }
        }

        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        };
      },
    },
  },
};
