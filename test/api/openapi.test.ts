// /api/openapi.json against the server's own route registry (the list GET /api/admin/routes serves): every
// /api route is described with its method, every body-taking route with its request body schema, and the
// patient and RIS routes with the success status they answer.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient } from '../support/rest-client.js';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

let dataDir: string;
let server: RunningLantern;
let document: OpenApi;
let routes: { method: string; url: string }[];
const call = restClient(
  () => server.httpUrl,
  () => server.auth,
);

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-openapi-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  const described = await call<OpenApi>('GET', '/api/openapi.json');
  assert.equal(described.status, 200);
  document = described.body;
  const listed = await call<{ routes: { method: string; url: string }[] }>('GET', '/api/admin/routes');
  assert.equal(listed.status, 200);
  routes = listed.body.routes.filter(
    (r) => r.url.startsWith('/api/') && !['HEAD', 'OPTIONS'].includes(r.method),
  );
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const operationOf = (method: string, url: string): Operation | undefined =>
  document.paths[url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()];

/** Every schema in the document, depth first, so the OpenAPI 3.0 rules can be checked on each. */
function* schemas(value: unknown): Generator<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  if ('type' in object && (typeof object.type === 'string' || Array.isArray(object.type))) yield object;
  for (const child of Object.values(object)) yield* schemas(child);
}

test('every registered /api route is in the description, and every POST, PUT and PATCH has a body schema', () => {
  assert.match(document.openapi, /^3\.0\./);
  assert.ok(routes.length > 60, `${routes.length} /api routes registered`);
  const missing = routes.filter((r) => !operationOf(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(missing, [], 'routes missing from /api/openapi.json');
  const withoutBody = routes
    .filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method))
    .filter((r) => !operationOf(r.method, r.url)!.requestBody?.content?.['application/json']?.schema)
    .map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(withoutBody, [], 'body-taking routes without a request body schema');
  // OpenAPI 3.0 has no type lists or 'null' type: a nullable value says `nullable: true`.
  for (const schema of schemas(document.paths)) {
    assert.equal(typeof schema.type, 'string', JSON.stringify(schema));
    assert.notEqual(schema.type, 'null', JSON.stringify(schema));
  }
});

test('patient and RIS routes document the success status they answer', () => {
  const created = [
    'POST /api/patients',
    'POST /api/procedures',
    'POST /api/orders',
    'POST /api/resources',
    'POST /api/bookings',
    'POST /api/report-templates',
    'POST /api/orders/:id/report/drafts',
    'POST /api/orders/:id/report/amend',
    'POST /api/orders/:id/report/critical-results',
    'POST /api/orders/:id/notes',
  ];
  const removed = [
    'DELETE /api/procedures/:id',
    'DELETE /api/resources/:id',
    'DELETE /api/report-templates/:id',
    'DELETE /api/reading-worklist/:id/claim',
  ];
  const ris = routes.filter((r) =>
    /^\/api\/(patients|procedures|orders|resources|bookings|report-templates|reading-worklist|charges|unmatched-studies)/.test(
      r.url,
    ),
  );
  assert.ok(ris.length >= 45, `${ris.length} patient and RIS routes`);
  for (const route of ris) {
    const name = `${route.method} ${route.url}`;
    const expected = created.includes(name) ? '201' : removed.includes(name) ? '204' : '200';
    const success = Object.keys(operationOf(route.method, route.url)!.responses).filter((s) => /^2/.test(s));
    assert.deepEqual(success, [expected], name);
  }
});

test('the patient routes declare their query parameters and bodies', () => {
  const search = operationOf('GET', '/api/patients')!;
  assert.deepEqual(
    search.parameters?.filter((p) => p.in === 'query').map((p) => p.name),
    [
      'name',
      'identifier',
      'birthDate',
      'includeMerged',
      'updatedFrom',
      'updatedTo',
      'sort',
      'limit',
      'offset',
    ],
  );
  const register = operationOf('POST', '/api/patients')!.requestBody!.content!['application/json']!.schema!;
  assert.deepEqual(register.required, ['patientId', 'name']);
  assert.equal(register.additionalProperties, false);
  const patch = operationOf('PATCH', '/api/patients/:id')!.requestBody!.content!['application/json']!.schema!;
  assert.equal(patch.required, undefined, 'a PATCH names only the fields it changes');
  const merge = operationOf('POST', '/api/patients/:id/merge')!.requestBody!.content!['application/json']!
    .schema!;
  assert.deepEqual(Object.keys(merge.properties as object), ['into', 'from']);
});
