import type { TSchema } from '@sinclair/typebox';
import { configSchema } from './schema.js';
import { listSettings } from './schema.js';

/** lantern.example.jsonc: every setting with its default, description and environment name. */
export function renderConfigExample(): string {
  const envNames = new Map(listSettings().map((s) => [s.path.join('.'), s.envName]));
  const lines = [
    '// Lantern configuration. Copy to lantern.json (comments allowed) and keep only what you change.',
    '// Every setting can also be given as an environment variable (named on each line); those win over the file.',
    '// Generated from src/platform/config/schema.ts by `npm run config:example`.',
  ];
  const render = (schema: TSchema, path: string[], indent: string) => {
    const entries = Object.entries(schema.properties as Record<string, TSchema>);
    entries.forEach(([key, child], index) => {
      const comma = index < entries.length - 1 ? ',' : '';
      const childPath = [...path, key];
      if (child.type === 'object') {
        lines.push(`${indent}"${key}": {`);
        render(child, childPath, indent + '  ');
        lines.push(`${indent}}${comma}`);
      } else {
        lines.push(`${indent}// ${child.description as string} (${envNames.get(childPath.join('.'))})`);
        lines.push(`${indent}"${key}": ${JSON.stringify(child.default)}${comma}`);
      }
    });
  };
  lines.push('{');
  render(configSchema, [], '  ');
  lines.push('}');
  return lines.join('\n') + '\n';
}
