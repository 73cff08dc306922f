import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, listSettings, loadConfig, renderConfigExample } from './index.js';

test('with nothing configured every setting has its documented default', () => {
  const config = loadConfig({ env: {}, file: undefined });
  assert.equal(config.http.port, 8080);
  assert.equal(config.dicom.port, 11112);
  assert.equal(config.dicom.aeTitle, 'LANTERN');
  assert.equal(config.hl7.port, 2575);
  assert.equal(config.database.url, '');
  assert.equal(config.archive.duplicatePolicy, 'keep-first');
});

test('secure by default: strangers may only C-ECHO, no HL7 sender is accepted, JSON bodies up to 1 MiB', () => {
  const config = loadConfig({ env: {}, file: undefined });
  assert.deepEqual(config.dicom.unknownAePermissions, ['echo']);
  assert.deepEqual(config.hl7.allowedSenders, []);
  assert.equal(config.security.authentication, 'on');
  assert.equal(config.tls.plainListeners, true);
  assert.equal(config.http.maxJsonBodyBytes, 1024 * 1024);
  const open = loadConfig({
    env: { LANTERN_HL7_ALLOWED_SENDERS: '*', LANTERN_TLS_PLAIN_LISTENERS: 'false' },
  });
  assert.deepEqual(open.hl7.allowedSenders, ['*']);
  assert.equal(open.tls.plainListeners, false);
});

test('deployment scripts can rely on the documented environment names', () => {
  const names = listSettings().map((s) => s.envName);
  for (const name of [
    'LANTERN_DATA_DIR',
    'LANTERN_DATABASE_URL',
    'LANTERN_HTTP_PORT',
    'LANTERN_DICOM_PORT',
    'LANTERN_DICOM_AE_TITLE',
    'LANTERN_HL7_PORT',
  ]) {
    assert.ok(names.includes(name), `${name} is a setting`);
  }
  const config = loadConfig({
    env: { LANTERN_DATA_DIR: '/srv/lantern', LANTERN_DICOM_AE_TITLE: 'PACS1', LANTERN_HTTP_PORT: '9000' },
  });
  assert.equal(config.dataDir, '/srv/lantern');
  assert.equal(config.dicom.aeTitle, 'PACS1');
  assert.equal(config.http.port, 9000);
});

test('a config file is read, and the environment wins over it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-config-'));
  const file = join(dir, 'lantern.json');
  await writeFile(
    file,
    '{\n  // comments are allowed\n  "http": { "port": 8181 },\n  "dicom": { "aeTitle": "FROMFILE" },\n}\n',
  );
  const config = loadConfig({ file, env: { LANTERN_HTTP_PORT: '8282' } });
  assert.equal(config.http.port, 8282);
  assert.equal(config.dicom.aeTitle, 'FROMFILE');
});

test('invalid values and unknown settings are refused with the setting named', async () => {
  assert.throws(
    () => loadConfig({ env: { LANTERN_HTTP_PORT: 'eighty' } }),
    (error: unknown) =>
      error instanceof ConfigError && /http\.port/.test(error.message) && /eighty/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ env: { LANTERN_DICOM_AE_TITLE: 'A_TITLE_LONGER_THAN_16' } }),
    /dicom\.aeTitle/,
  );
  const dir = await mkdtemp(join(tmpdir(), 'lantern-config-'));
  const file = join(dir, 'lantern.json');
  await writeFile(file, '{ "http": { "prot": 1 } }');
  assert.throws(() => loadConfig({ file, env: {} }), /prot/);
});

test('lantern.example.jsonc is the one generated from the schema, and loads as a config file', async () => {
  const committed = await readFile(new URL('../../../lantern.example.jsonc', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigExample(), 'run `npm run config:example` after changing the schema');
  const config = loadConfig({
    file: new URL('../../../lantern.example.jsonc', import.meta.url).pathname,
    env: {},
  });
  assert.deepEqual(config, loadConfig({ env: {} }));
});
