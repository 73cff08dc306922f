// The dependency rules of ARCHITECTURE.md are enforced by `npm run lint`: a wrong import is an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'lantern/module-boundaries')
    .map((m) => m.message);
}

test('a lower layer importing a higher one fails lint', async () => {
  const found = await problems(
    'src/platform/db/example.ts',
    "import { createArchive } from '../../archive/index.js';\n",
  );
  assert.equal(found.length, 1);
  assert.match(found[0]!, /platform\/db may not import archive/);
});

test('lib/dicom imports nothing of ours', async () => {
  const found = await problems(
    'src/lib/dicom/example.ts',
    "import { nowIso } from '../../platform/db/index.js';\n",
  );
  assert.match(found[0] ?? '', /lib\/dicom may not import platform/);
});

test('a door may not reach the database or storage directly', async () => {
  const found = await problems(
    'src/adapters/api/example.ts',
    "import { openDatabase } from '../../platform/db/index.js';\n",
  );
  assert.match(found[0] ?? '', /a door may not reach platform\/db/);
});

test('doors may not import each other, except the http host', async () => {
  assert.equal(
    (await problems('src/adapters/api/x.ts', "import { httpContext } from '../http/index.js';\n")).length,
    0,
  );
  const found = await problems('src/adapters/api/x.ts', "import { importFolder } from '../cli/index.js';\n");
  assert.match(found[0] ?? '', /may not import adapters\/cli/);
});

test('another module is imported through its index.ts only', async () => {
  const found = await problems(
    'src/archive/x.ts',
    "import { reconcilePatient } from '../patients/reconcile-patient.js';\n",
  );
  assert.match(found[0] ?? '', /through its index\.ts/);
});

test('allowed imports pass', async () => {
  const source = [
    "import { reconcilePatient } from '../patients/index.js';",
    "import { invalid } from '../platform/errors.js';",
    "import { tags } from '../lib/dicom/index.js';",
    'export { reconcilePatient, invalid, tags };',
    '',
  ].join('\n');
  assert.deepEqual(await problems('src/archive/x.ts', source), []);
});
