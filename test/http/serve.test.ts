// `lantern serve` as a user starts it: health, the read-only study list, and clear errors over real HTTP.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';

let dataDir: string;
let server: RunningLantern;
let baseUrl: string;
/** A request as the administrator (authentication is on by default). */
const call = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...server.auth, ...(init.headers as Record<string, string>) } });

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-serve-'));
  const source = join(dataDir, 'incoming');
  await writeSyntheticStudy(source, {
    patientId: 'HTTP1',
    patientName: 'Web^Wendy',
    series: 1,
    instancesPerSeries: 3,
    rows: 16,
    columns: 16,
    studyDate: '20240607',
  });
  const imported = await runLantern(['import', '--no-progress', source], { LANTERN_DATA_DIR: dataDir });
  assert.equal(imported.code, 0, imported.stderr);
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  baseUrl = server.httpUrl;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the health endpoint answers', async () => {
  const response = await fetch(`${baseUrl}/health`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
});

test('/api/studies finds studies with DICOM matching and reports the total', async () => {
  const response = await call(`${baseUrl}/api/studies?PatientName=web*&StudyDate=20240101-20241231`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { total: number; studies: Record<string, unknown>[] };
  assert.equal(body.total, 1);
  assert.equal(body.studies[0]!.PatientID, 'HTTP1');
  assert.equal(body.studies[0]!.NumberOfStudyRelatedInstances, 3);
  const none = (await (await call(`${baseUrl}/api/studies?PatientID=NOBODY`)).json()) as { total: number };
  assert.equal(none.total, 0);
});

test('bad queries get a 400 problem+json that names the problem, and the server keeps serving', async () => {
  const unknown = await call(`${baseUrl}/api/studies?ShoeSize=42`);
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.match(
    ((await unknown.json()) as { detail: string }).detail,
    /ShoeSize is not a supported matching key/,
  );
  const badDate = await call(`${baseUrl}/api/studies?StudyDate=tomorrow`);
  assert.equal(badDate.status, 400);
  const badLimit = await call(`${baseUrl}/api/studies?limit=-5`);
  assert.equal(badLimit.status, 400);
  const missing = await call(`${baseUrl}/api/nothing-here`);
  assert.equal(missing.status, 404);
  assert.equal((await fetch(`${baseUrl}/health`)).status, 200);
});

test('the AE table over REST: add, list, change, remove; bad bodies get a 400', async () => {
  const put = (body: unknown) =>
    call(`${baseUrl}/api/aes/PACS2`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const created = await put({ host: '127.0.0.1', port: 4104, permissions: ['store', 'echo'] });
  assert.equal(created.status, 200);
  assert.deepEqual(await created.json(), {
    aeTitle: 'PACS2',
    host: '127.0.0.1',
    port: 4104,
    permissions: ['echo', 'store'],
    source: 'database',
  });
  const list = (await (await call(`${baseUrl}/api/aes`)).json()) as { aes: { aeTitle: string }[] };
  assert.deepEqual(
    list.aes.map((ae) => ae.aeTitle),
    ['PACS2'],
  );
  assert.equal((await put({ host: '127.0.0.1', port: 'many', permissions: [] })).status, 400);
  const badPermission = await put({ host: '127.0.0.1', port: 4104, permissions: ['everything'] });
  assert.equal(badPermission.status, 400);
  assert.match(((await badPermission.json()) as { detail: string }).detail, /unknown permission/);
  assert.equal((await call(`${baseUrl}/api/aes/PACS2`, { method: 'DELETE' })).status, 204);
  assert.equal((await call(`${baseUrl}/api/aes/PACS2`, { method: 'DELETE' })).status, 404);
});

test('/api/openapi.json describes every REST route with its parameters and body schemas', async () => {
  const response = await call(`${baseUrl}/api/openapi.json`);
  assert.equal(response.status, 200);
  const document = (await response.json()) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>
    >;
  };
  assert.match(document.openapi, /^3\./);
  for (const path of [
    '/api/studies',
    '/api/patients',
    '/api/orders',
    '/api/orders/{id}/transitions',
    '/health',
  ]) {
    assert.ok(document.paths[path], `${path} is described`);
  }
  const transition = document.paths['/api/orders/{id}/transitions']!.post!;
  assert.deepEqual(
    transition.parameters?.filter((p) => p.in === 'path').map((p) => p.name),
    ['id'],
  );
  assert.ok(transition.requestBody, 'the body schema the route enforces is in the description');
  assert.ok(!Object.keys(document.paths).some((p) => p.includes(':')), 'path parameters in OpenAPI form');
});
