// Versions in the FHIR door, over the real services and a test database: If-Match against a race, and
// _lastUpdated. If-Match: two updates carrying the same version, sent at once. The door's early check cannot
// stop both (each reads the old version before either commits); the services check the version again inside
// the change's transaction, so exactly one wins and the other gets 412 Precondition Failed.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Archive } from '../../src/archive/index.js';
import { registerFhirDoor } from '../../src/adapters/fhir/index.js';
import { setRequestActor } from '../../src/adapters/http/index.js';
import { userActor } from '../../src/platform/security/index.js';
import { toOperationOutcome } from '../../src/adapters/fhir/operation-outcome.js';
import { conflict, LanternError } from '../../src/platform/errors.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { risFixture, type RisFixture } from '../../src/ris/ris-test-fixture.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const TEST_ADMINISTRATOR = userActor({ id: 1, username: 'fhir-tester', roles: ['administrator'] });
let db: TestDatabase;
let fx: RisFixture;
let app: FastifyInstance;

before(async () => {
  db = await openTestDatabase('sqlite');
  fx = risFixture(db.database);
  app = Fastify();
  // No authentication hook here: every request acts as an administrator (the services authorize each call).
  app.addHook('onRequest', async (request) => setRequestActor(request, TEST_ADMINISTRATOR));
  registerFhirDoor(app, {
    archive: {} as Archive, // ImagingStudy is not used here
    patients: fx.patients,
    ris: fx.ris,
    database: db.database,
    config: { dicom: { aeTitle: 'LANTERN' } },
    dicomwebBase: '/dicom-web',
    log: silentLogger(),
  });
  await app.ready();
});

after(async () => {
  await app?.close();
  await db?.cleanup();
});

const FHIR = { 'content-type': 'application/fhir+json' };

const patientBody = (id: string | undefined, family: string) => ({
  resourceType: 'Patient',
  ...(id === undefined ? {} : { id }),
  identifier: [{ system: 'urn:test', value: 'RACE-1' }],
  name: [{ family, given: ['Rita'] }],
});

test('two Patient updates with the same If-Match: one wins, one gets 412', async () => {
  const created = await app.inject({
    method: 'POST',
    url: '/fhir/Patient',
    headers: FHIR,
    payload: patientBody(undefined, 'Racer'),
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id } = created.json<{ id: string }>();
  const etag = created.headers.etag as string;
  await sleep(5); // versions are update instants in milliseconds
  const put = (family: string) =>
    app.inject({
      method: 'PUT',
      url: `/fhir/Patient/${id}`,
      headers: { ...FHIR, 'if-match': etag },
      payload: patientBody(id, family),
    });
  const answers = await Promise.all([put('First'), put('Second')]);
  assert.deepEqual(
    answers.map((a) => a.statusCode).sort(),
    [200, 412],
    answers.map((a) => a.body).join('\n'),
  );
  const winner = answers.find((a) => a.statusCode === 200)!.json<{ name: { family: string }[] }>();
  const loser = answers.find((a) => a.statusCode === 412)!.json<{ resourceType: string }>();
  assert.equal(loser.resourceType, 'OperationOutcome');
  const now = await app.inject({ method: 'GET', url: `/fhir/Patient/${id}` });
  assert.equal(now.json<{ name: { family: string }[] }>().name[0]!.family, winner.name[0]!.family);
});

test('the services check the version inside the transaction: a stale one is a conflict the door answers 412', async () => {
  const key = await fx.patient('RACE-2');
  const patient = await fx.patients.read(fx.ctx, String(key));
  await sleep(5);
  const change = (family: string) =>
    fx.patients.update(fx.ctx, String(key), { name: { family } }, 'patch', {
      expectedUpdatedAt: patient.updatedAt,
    });
  const results = await Promise.allSettled([change('One'), change('Two')]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const error = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as unknown;
  assert.ok(error instanceof LanternError && error.code === 'conflict' && error.details?.stale === true);
  assert.equal(toOperationOutcome(error, { write: true }).status, 412);
  // An ordinary conflict stays 409.
  assert.equal(toOperationOutcome(conflict('merged'), { write: true }).status, 409);
});

test('two ServiceRequest updates with the same If-Match (both cancel): one wins, one gets 412', async () => {
  const [procedure] = await fx.ris.procedures.seedDefaults(fx.ctx);
  const key = await fx.patient('RACE-3');
  const order = await fx.ris.orders.place(fx.ctx, { patientRef: key, procedureId: procedure!.id });
  await sleep(5);
  const read = await app.inject({ method: 'GET', url: `/fhir/ServiceRequest/${order.id}` });
  const resource = read.json<Record<string, unknown>>();
  const cancel = () =>
    app.inject({
      method: 'PUT',
      url: `/fhir/ServiceRequest/${order.id}`,
      headers: { ...FHIR, 'if-match': read.headers.etag as string },
      payload: { ...resource, extension: undefined, status: 'revoked' },
    });
  const answers = await Promise.all([cancel(), cancel()]);
  assert.deepEqual(
    answers.map((a) => a.statusCode).sort(),
    [200, 412],
    answers.map((a) => a.body).join('\n'),
  );
  assert.equal((await fx.ris.orders.get(fx.ctx, order.id)).status, 'cancelled');
});

test('_lastUpdated finds Patients and ServiceRequests by their update time', async () => {
  const [procedure] = await fx.ris.procedures.list(fx.ctx);
  const key = await fx.patient('LAST-1');
  const order = await fx.ris.orders.place(fx.ctx, { patientRef: key, procedureId: procedure!.id });
  await sleep(5);
  const cut = new Date().toISOString();
  await sleep(5);
  await fx.patients.update(fx.ctx, String(key), { phone: '+1 555 0100' }, 'patch');
  const search = async (query: string) => {
    const answer = await app.inject({ method: 'GET', url: `/fhir/${query}` });
    assert.equal(answer.statusCode, 200, answer.body);
    const bundle = answer.json<{ entry?: { resource: { id: string }; search: { mode: string } }[] }>();
    return (bundle.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource.id);
  };
  const since = encodeURIComponent(`gt${cut}`);
  const before = encodeURIComponent(`lt${cut}`);
  assert.deepEqual(await search(`Patient?identifier=LAST-1&_lastUpdated=${since}`), [String(key)]);
  assert.deepEqual(await search(`Patient?identifier=LAST-1&_lastUpdated=${before}`), []);
  assert.deepEqual(await search(`ServiceRequest?patient=Patient/${key}&_lastUpdated=${before}`), [
    String(order.id),
  ]);
  assert.deepEqual(await search(`ServiceRequest?patient=Patient/${key}&_lastUpdated=${since}`), []);
  await fx.ris.orders.transition(fx.ctx, order.id, 'cancelled');
  assert.deepEqual(await search(`ServiceRequest?patient=Patient/${key}&_lastUpdated=${since}`), [
    String(order.id),
  ]);
  const statement = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json<{
    rest: { resource: { type: string; searchParam?: { name: string }[] }[] }[];
  }>();
  const offers = (type: string) =>
    statement.rest[0]!.resource.find((r) => r.type === type)!.searchParam!.some(
      (p) => p.name === '_lastUpdated',
    );
  assert.ok(offers('Patient') && offers('ServiceRequest') && offers('ImagingStudy'));
});
