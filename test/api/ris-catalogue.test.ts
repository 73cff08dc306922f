// The RIS's catalogue and scheduling edits over REST against `lantern serve`: a procedure read and changed
// (PUT /api/procedures/:id), a modality resource changed (PUT /api/resources/:id), a booking cancelled (the
// order waits for a new one and the slot is free again), and the placer's order number kept with the order.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { assertProblem, restClient, type Problem } from '../support/rest-client.js';

interface ProcedureBody {
  id: number;
  code: string;
  codingScheme: string;
  meaning: string;
  modality: string;
  bodyPart: string | null;
  durationMinutes: number;
  charges: { code: string; codingScheme: string; modifiers: string[]; quantity: number }[];
}
interface ResourceBody {
  id: number;
  name: string;
  aeTitle: string;
  modality: string;
  stationName: string | null;
  timeZone: string;
  openingHours: { weekday: number; opens: string; closes: string }[];
}
interface OrderBody {
  id: number;
  status: string;
  placerOrderNumber: string | null;
  fillerOrderNumber: string;
  accessionNumber: string;
  steps: { stationAeTitle: string | null; scheduledStart: string | null }[];
}
interface SlotsBody {
  slots: { start: string; end: string; available: boolean }[];
}

let dataDir: string;
let server: RunningLantern;
let patientRef: number;
const call = restClient(
  () => `${server.httpUrl}/api`,
  () => server.auth,
);

// A Monday in the future; Berlin is UTC+2 in June.
const DAY = '2031-06-02';

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-ris-catalogue-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  const patient = await call<{ id: number }>('POST', '/patients', {
    patientId: 'CAT-1',
    issuerOfPatientId: 'HOSP',
    name: 'Catalogue^Cora',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  patientRef = patient.body.id;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const MR_ENTRY = {
  code: 'MR-KNEE-WO',
  codingScheme: '99LANTERN',
  meaning: 'MR Knee without contrast',
  modality: 'MR',
  bodyPart: 'KNEE',
  durationMinutes: 30,
  charges: [{ code: '73721', codingScheme: 'C4', modifiers: [], quantity: 1 }],
};

test('a catalogue entry is read and changed with PUT; a refused change leaves it as it was', async () => {
  const created = await call<ProcedureBody>('POST', '/procedures', MR_ENTRY);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { id } = created.body;
  const read = await call<ProcedureBody>('GET', `/procedures/${id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, created.body);

  const changed = {
    ...MR_ENTRY,
    meaning: 'MR Knee, no contrast',
    durationMinutes: 45,
    charges: [{ code: '73721', codingScheme: 'C4', modifiers: ['26', 'RT'], quantity: 2 }],
  };
  const updated = await call<ProcedureBody>('PUT', `/procedures/${id}`, changed);
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.deepEqual(updated.body, { ...changed, id });
  assert.deepEqual((await call<ProcedureBody>('GET', `/procedures/${id}`)).body, { ...changed, id });

  assertProblem(
    await call<Problem>('PUT', `/procedures/${id}`, { ...changed, durationMinutes: 0 }),
    400,
    /duration/i,
  );
  assert.deepEqual((await call<ProcedureBody>('GET', `/procedures/${id}`)).body, { ...changed, id });
  assert.equal((await call('GET', '/procedures/999999')).status, 404);
  assert.equal((await call('PUT', '/procedures/999999', changed)).status, 404);
});

test('a resource is changed with PUT: name, AE title, station and opening hours', async () => {
  const created = await call<ResourceBody>('POST', '/resources', {
    name: 'MR room 1',
    aeTitle: 'MR1',
    modality: 'MR',
    timeZone: 'Europe/Berlin',
    openingHours: [{ weekday: 1, opens: '08:00', closes: '12:00' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const change = {
    name: 'MR room 1 (3T)',
    aeTitle: 'MR1A',
    modality: 'MR',
    stationName: 'MR3T',
    timeZone: 'Europe/Berlin',
    openingHours: [
      { weekday: 1, opens: '07:00', closes: '11:00' },
      { weekday: 1, opens: '13:00', closes: '17:00' },
    ],
  };
  const updated = await call<ResourceBody>('PUT', `/resources/${created.body.id}`, change);
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.deepEqual(updated.body, { ...change, id: created.body.id });
  assert.deepEqual((await call<ResourceBody>('GET', `/resources/${created.body.id}`)).body, updated.body);
  // The slots follow the new hours: 07:00–11:00 and 13:00–17:00 local, 30-minute slots.
  const slots = (await call<SlotsBody>('GET', `/resources/${created.body.id}/slots?date=${DAY}`)).body.slots;
  assert.equal(slots.length, 16);
  assert.equal(slots[0]!.start, `${DAY}T05:00:00.000Z`);
  assert.equal(slots[8]!.start, `${DAY}T11:00:00.000Z`);
  assertProblem(
    await call<Problem>('PUT', `/resources/${created.body.id}`, { ...change, timeZone: 'Mars/Olympus' }),
    400,
    /time ?zone/i,
  );
  assert.deepEqual((await call<ResourceBody>('GET', `/resources/${created.body.id}`)).body, updated.body);
});

test("a cancelled booking frees its slot and returns the order to ordered; the placer's number stays", async () => {
  const procedure = (await call<{ procedures: ProcedureBody[] }>('GET', '/procedures')).body.procedures.find(
    (p) => p.code === MR_ENTRY.code,
  )!;
  const room = await call<ResourceBody>('POST', '/resources', {
    name: 'MR room 2',
    aeTitle: 'MR2',
    modality: 'MR',
    timeZone: 'Europe/Berlin',
    openingHours: [{ weekday: 1, opens: '08:00', closes: '16:00' }],
  });
  assert.equal(room.status, 201);
  const placed = await call<OrderBody>('POST', '/orders', {
    patientRef,
    procedureId: procedure.id,
    placerOrderNumber: 'EMR-PLACER-77',
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  assert.equal(placed.body.placerOrderNumber, 'EMR-PLACER-77');
  assert.equal(placed.body.fillerOrderNumber, placed.body.accessionNumber);
  const slotsPath = `/resources/${room.body.id}/slots?date=${DAY}&procedureId=${procedure.id}`;
  const eightOClock = async () =>
    (await call<SlotsBody>('GET', slotsPath)).body.slots.find((s) => s.start === `${DAY}T06:00:00.000Z`)!;
  assert.equal((await eightOClock()).available, true);

  const booking = await call<{ id: number; status: string }>('POST', '/bookings', {
    orderId: placed.body.id,
    resourceId: room.body.id,
    start: `${DAY}T08:00:00+02:00`,
  });
  assert.equal(booking.status, 201, JSON.stringify(booking.body));
  assert.equal((await eightOClock()).available, false);

  const cancelled = await call<{ id: number; status: string }>(
    'POST',
    `/bookings/${booking.body.id}/cancel`,
    {
      reason: 'patient rang to cancel',
    },
  );
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal(
    (await call<{ status: string }>('GET', `/bookings/${booking.body.id}`)).body.status,
    'cancelled',
  );
  assert.equal((await eightOClock()).available, true, 'the slot is free again');
  const order = (await call<OrderBody>('GET', `/orders/${placed.body.id}`)).body;
  assert.equal(order.status, 'ordered');
  assert.deepEqual(order.steps[0], { ...order.steps[0], stationAeTitle: null, scheduledStart: null });
  assert.equal(order.placerOrderNumber, 'EMR-PLACER-77', "the placer's number is kept");
  const history = (
    await call<{ history: { to: string; reason: string | null }[] }>(
      'GET',
      `/orders/${placed.body.id}/history`,
    )
  ).body.history;
  assert.deepEqual(history.at(-1), { ...history.at(-1), to: 'ordered', reason: 'patient rang to cancel' });

  // Cancelled once is cancelled: again is a 409; another order can take the slot now.
  assert.equal((await call('POST', `/bookings/${booking.body.id}/cancel`, {})).status, 409);
  const next = await call<OrderBody>('POST', '/orders', { patientRef, procedureId: procedure.id });
  const rebooked = await call('POST', '/bookings', {
    orderId: next.body.id,
    resourceId: room.body.id,
    start: `${DAY}T08:00:00+02:00`,
  });
  assert.equal(rebooked.status, 201, JSON.stringify(rebooked.body));
});
