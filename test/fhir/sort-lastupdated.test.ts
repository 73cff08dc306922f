// _sort (ascending, descending, several keys) and _lastUpdated in the FHIR door, over the real archive,
// patients and RIS on one test database: ImagingStudy by study date and last received time, Patient by
// name and birth date, ServiceRequest by when placed; unsupported sort keys warn, or are refused when strict.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerFhirDoor } from '../../src/adapters/fhir/index.js';
import { setRequestActor } from '../../src/adapters/http/index.js';
import { userActor } from '../../src/platform/security/index.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { risFixture, type RisFixture } from '../../src/ris/ris-test-fixture.js';
import { openArchiveFixture, type ArchiveFixture } from '../support/archive-fixture.js';
import { syntheticCtInstance } from '../support/synthetic-ct.js';

const TEST_ADMINISTRATOR = userActor({ id: 1, username: 'fhir-tester', roles: ['administrator'] });
let f: ArchiveFixture;
let fx: RisFixture;
let app: FastifyInstance;
/** Study UIDs in the order stored; study dates run the other way (the first stored is the newest). */
const stored: string[] = [];
/** Between the first study stored and the others. */
let cut = '';

before(async () => {
  f = await openArchiveFixture('sqlite');
  fx = risFixture(f.database);
  app = Fastify();
  // No authentication hook here: every request acts as an administrator (the services authorize each call).
  app.addHook('onRequest', async (request) => setRequestActor(request, TEST_ADMINISTRATOR));
  registerFhirDoor(app, {
    archive: f.archive,
    patients: fx.patients,
    ris: fx.ris,
    database: f.database,
    config: { dicom: { aeTitle: 'LANTERN' } },
    dicomwebBase: '/dicom-web',
    log: silentLogger(),
  });
  await app.ready();
  for (const [i, studyDate] of ['20240301', '20230301', '20220301'].entries()) {
    const uid = `1.2.826.0.1.3680043.8.498.7${i + 1}`;
    await f.store(
      syntheticCtInstance({
        rows: 4,
        columns: 4,
        seed: 70 + i,
        patientId: 'SORT-P',
        studyInstanceUid: uid,
        studyDate,
        accessionNumber: `SORT-A${i + 1}`,
      }),
    );
    stored.push(uid);
    await sleep(5);
    if (i === 0) {
      cut = new Date().toISOString();
      await sleep(5);
    }
  }
});

after(async () => {
  await app?.close();
  await f?.cleanup();
});

interface Entry {
  resource: { id: string; resourceType: string; issue?: { severity: string; diagnostics?: string }[] };
  search: { mode: string };
}

async function search(query: string, headers: Record<string, string> = {}) {
  const answer = await app.inject({ method: 'GET', url: `/fhir/${query}`, headers });
  return {
    status: answer.statusCode,
    body: answer.body,
    entries: answer.json<{ entry?: Entry[] }>().entry ?? [],
  };
}

async function ids(query: string): Promise<string[]> {
  const answer = await search(query);
  assert.equal(answer.status, 200, answer.body);
  assert.ok(!answer.entries.some((e) => e.search.mode === 'outcome'), answer.body);
  return answer.entries.filter((e) => e.search.mode === 'match').map((e) => e.resource.id);
}

test('ImagingStudy sorts by started and by _lastUpdated, both ways', async () => {
  const [s1, s2, s3] = stored as [string, string, string];
  assert.deepEqual(await ids('ImagingStudy'), [s1, s2, s3]); // the native order: newest study date first
  assert.deepEqual(await ids('ImagingStudy?_sort=started'), [s3, s2, s1]);
  assert.deepEqual(await ids('ImagingStudy?_sort=-started'), [s1, s2, s3]);
  assert.deepEqual(await ids('ImagingStudy?_sort=_lastUpdated'), [s1, s2, s3]);
  assert.deepEqual(await ids('ImagingStudy?_sort=-_lastUpdated'), [s3, s2, s1]);
  assert.deepEqual(await ids('ImagingStudy?_sort=started&_count=2&_offset=1'), [s2, s1]);
});

test('ImagingStudy _lastUpdated filters by when the archive last received the study', async () => {
  const [s1, s2, s3] = stored as [string, string, string];
  const since = encodeURIComponent(`gt${cut}`);
  const before = encodeURIComponent(`lt${cut}`);
  assert.deepEqual(await ids(`ImagingStudy?_lastUpdated=${since}&_sort=started`), [s3, s2]);
  assert.deepEqual(await ids(`ImagingStudy?_lastUpdated=${before}`), [s1]);
  assert.deepEqual(await ids('ImagingStudy?_lastUpdated=gt2999-01-01'), []);
});

test('Patient sorts by name and birthdate, both ways, and by several keys', async () => {
  const people = [
    { family: 'Sortalpha', birthDate: '19900501' },
    { family: 'Sortbeta', birthDate: '19700501' },
    { family: 'Sortgamma', birthDate: '19800501' },
  ];
  const keys: string[] = [];
  for (const p of people) {
    // Through the patients service: the door's validation of a first POST costs seconds to load.
    const patient = await fx.patients.register(fx.ctx, {
      patientId: `SORT-${p.family}`,
      name: `${p.family}^Sam`,
      birthDate: p.birthDate,
    });
    keys.push(String(patient.id));
    await sleep(5);
  }
  const [alpha, beta, gamma] = keys as [string, string, string];
  assert.deepEqual(await ids('Patient?name=Sort&_sort=name'), [alpha, beta, gamma]);
  assert.deepEqual(await ids('Patient?name=Sort&_sort=-family'), [gamma, beta, alpha]);
  assert.deepEqual(await ids('Patient?name=Sort&_sort=birthdate'), [beta, gamma, alpha]);
  assert.deepEqual(await ids('Patient?name=Sort&_sort=-birthdate'), [alpha, gamma, beta]);
  assert.deepEqual(await ids('Patient?name=Sort&_sort=-_lastUpdated'), [gamma, beta, alpha]);
  assert.deepEqual(await ids('Patient?name=Sort&_sort=_lastUpdated,name'), [alpha, beta, gamma]);
});

test('ServiceRequest sorts by authored and _lastUpdated, both ways', async () => {
  const [procedure] = await fx.ris.procedures.seedDefaults(fx.ctx);
  const key = await fx.patient('SORT-SR');
  const orders: string[] = [];
  for (let i = 0; i < 3; i++) {
    const order = await fx.ris.orders.place(fx.ctx, { patientRef: key, procedureId: procedure!.id });
    orders.push(String(order.id));
    await sleep(5);
  }
  const [o1, o2, o3] = orders as [string, string, string];
  await fx.ris.orders.transition(fx.ctx, Number(o1) as never, 'cancelled');
  const mine = `ServiceRequest?patient=Patient/${key}`;
  assert.deepEqual(await ids(mine), [o3, o2, o1]);
  assert.deepEqual(await ids(`${mine}&_sort=authored`), [o1, o2, o3]);
  assert.deepEqual(await ids(`${mine}&_sort=-authored`), [o3, o2, o1]);
  assert.deepEqual(await ids(`${mine}&_sort=-_lastUpdated`), [o1, o3, o2]);
  assert.deepEqual(await ids(`${mine}&_sort=_lastUpdated`), [o2, o3, o1]);
});

test('an unsupported sort key: a warning and the native order, or 400 under handling=strict', async () => {
  const lenient = await search('ImagingStudy?_sort=-started,shoeSize');
  assert.equal(lenient.status, 200, lenient.body);
  const outcome = lenient.entries.find((e) => e.search.mode === 'outcome');
  assert.match(outcome?.resource.issue?.[0]?.diagnostics ?? '', /shoeSize/);
  assert.equal(outcome?.resource.issue?.[0]?.severity, 'warning');
  assert.deepEqual(
    lenient.entries.filter((e) => e.search.mode === 'match').map((e) => e.resource.id),
    stored,
  );
  const strict = await search('Patient?_sort=gender', { prefer: 'handling=strict' });
  assert.equal(strict.status, 400, strict.body);
  assert.match(strict.body, /OperationOutcome/);
  assert.match(strict.body, /gender/);
  const statement = (await app.inject({ method: 'GET', url: '/fhir/metadata' })).json<{
    rest: { resource: { type: string; searchParam?: { name: string; documentation?: string }[] }[] }[];
  }>();
  const sortDoc = (type: string) =>
    statement.rest[0]!.resource.find((r) => r.type === type)!.searchParam!.find((p) => p.name === '_sort')
      ?.documentation ?? '';
  assert.match(sortDoc('ImagingStudy'), /-_lastUpdated/);
  assert.match(sortDoc('Patient'), /birthdate/);
  assert.match(sortDoc('Endpoint'), /not sortable/);
});
