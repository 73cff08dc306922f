// The RIS REST API against `lantern serve`: a registered patient, a catalogue entry, an order with its
// accession number, a booking that schedules it, transitions with their history, and the refusals
// (forbidden transitions, overlapping bookings, bad bodies) that leave everything as it was.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { assertProblem, restClient, type Problem } from '../support/rest-client.js';

interface OrderBody {
  id: number;
  patientRef: number;
  accessionNumber: string;
  studyInstanceUid: string;
  status: string;
  priority: string;
  procedure: { id: number; code: string; modality: string; durationMinutes: number };
  steps: { stepId: string; status: string; stationAeTitle: string | null; scheduledStart: string | null }[];
}
interface BookingBody {
  id: number;
  orderId: number;
  resourceId: number;
  startsAt: string;
  endsAt: string;
  status: string;
}

let dataDir: string;
let server: RunningLantern;
let api: string;
let patientRef: number;
let procedureId: number;
let resourceId: number;

const call = restClient(
  () => api,
  () => server.auth,
);

// A Monday, far enough ahead to be a real future date; CT room hours are 08:00–16:00 in Europe/Berlin (UTC+2).
const DAY = '2031-06-02';
const at = (hhmm: string) => `${DAY}T${hhmm}:00+02:00`;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-ris-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  api = `${server.httpUrl}/api`;
  const patient = await call<{ id: number }>('POST', '/patients', {
    patientId: 'RIS-1',
    issuerOfPatientId: 'HOSP',
    name: 'Order^Olivia',
    birthDate: '19800101',
    sex: 'F',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  patientRef = patient.body.id;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the catalogue: defaults on request, a new entry, and refused duplicates', async () => {
  const seeded = await call<{ added: { code: string }[] }>('POST', '/procedures/defaults');
  assert.equal(seeded.status, 200);
  assert.ok(seeded.body.added.some((p) => p.code === 'CT-HEAD-WO'));
  assert.deepEqual((await call<{ added: unknown[] }>('POST', '/procedures/defaults')).body.added, []);
  const entry = {
    code: 'CT-CHEST-WO',
    codingScheme: '99LANTERN',
    meaning: 'CT Chest without contrast',
    modality: 'CT',
    bodyPart: 'CHEST',
    durationMinutes: 20,
    charges: [{ code: '71250', codingScheme: 'C4', modifiers: ['26'], quantity: 1 }],
  };
  const created = await call<{ id: number; charges: unknown[] }>('POST', '/procedures', entry);
  assert.equal(created.status, 201);
  procedureId = created.body.id;
  assert.deepEqual(created.body.charges, entry.charges);
  const again = await call<Problem>('POST', '/procedures', entry);
  assert.equal(again.status, 409);
  assert.match(again.body.detail, /already in the catalogue/);
  const badDuration = await call<Problem>('POST', '/procedures', { ...entry, code: 'X', durationMinutes: 0 });
  assert.equal(badDuration.status, 400);
  const list = await call<{ procedures: { code: string }[] }>('GET', '/procedures');
  assert.equal(list.body.procedures.length, 7);
});

test('an order through booking, arrival and reading, with its history', async () => {
  const resource = await call<{ id: number }>('POST', '/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    timeZone: 'Europe/Berlin',
    openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
  });
  assert.equal(resource.status, 201);
  resourceId = resource.body.id;

  const placed = await call<OrderBody>('POST', '/orders', {
    patientRef,
    procedureId,
    priority: 'URGENT',
    reason: 'persistent cough',
    placerOrderNumber: 'EMR-42',
    orderingProvider: { id: 'D7', name: 'Doctor^Dora' },
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const order = placed.body;
  assert.match(order.accessionNumber, /^\d{13}$/);
  assert.match(order.studyInstanceUid, /^2\.25\.\d+$/);
  assert.equal(order.status, 'ordered');

  const slots = await call<{ slots: { start: string; available: boolean }[] }>(
    'GET',
    `/resources/${resourceId}/slots?date=${DAY}&procedureId=${procedureId}`,
  );
  assert.equal(slots.status, 200);
  assert.equal(slots.body.slots.length, 24);
  assert.equal(slots.body.slots[0]!.start, `${DAY}T06:00:00.000Z`);

  const booked = await call<BookingBody>('POST', '/bookings', {
    orderId: order.id,
    resourceId,
    start: at('09:00'),
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  assert.equal(booked.body.endsAt, `${DAY}T07:20:00.000Z`);
  const scheduled = (await call<OrderBody>('GET', `/orders/${order.id}`)).body;
  assert.equal(scheduled.status, 'scheduled');
  assert.equal(scheduled.steps[0]!.stationAeTitle, 'CT1');
  assert.equal(scheduled.steps[0]!.scheduledStart, `${DAY}T07:00:00.000Z`);

  const moved = await call<BookingBody>('POST', `/bookings/${booked.body.id}/reschedule`, {
    start: at('10:00'),
  });
  assert.equal(moved.status, 200);
  assert.equal(moved.body.startsAt, `${DAY}T08:00:00.000Z`);

  for (const [to, reason] of [
    ['arrived', 'at the desk'],
    ['in-progress', undefined],
    ['completed', undefined],
  ] as const) {
    const changed = await call<OrderBody>('POST', `/orders/${order.id}/transitions`, { to, reason });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.status, to);
  }
  // The report statuses come from signing the report, never from a plain transition.
  assert.equal((await call('POST', `/orders/${order.id}/report/drafts`, {})).status, 201);
  for (const [as, signer] of [
    ['preliminary', 'Resident Rob'],
    ['final', 'Attending Ann'],
  ] as const) {
    if (as === 'final') {
      const redraft = await call('POST', `/orders/${order.id}/report/drafts`, {});
      assert.equal(redraft.status, 201, JSON.stringify(redraft.body));
    }
    const signed = await call<{ orderStatus: string }>('POST', `/orders/${order.id}/report/sign`, {
      as,
      signer: { name: signer },
    });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal(signed.body.orderStatus, as);
  }
  const history = await call<{ history: { from: string | null; to: string; reason: string | null }[] }>(
    'GET',
    `/orders/${order.id}/history`,
  );
  assert.deepEqual(
    history.body.history.map((h) => [h.from, h.to]),
    [
      [null, 'ordered'],
      ['ordered', 'scheduled'],
      ['scheduled', 'arrived'],
      ['arrived', 'in-progress'],
      ['in-progress', 'completed'],
      ['completed', 'preliminary'],
      ['preliminary', 'final'],
    ],
  );
  assert.equal(history.body.history[6]!.reason, 'report version 2 signed final by Attending Ann');

  const found = await call<{ total: number; orders: OrderBody[] }>(
    'GET',
    `/orders?status=final&patientRef=${patientRef}&scheduledFrom=${DAY}&scheduledTo=${DAY}`,
  );
  assert.equal(found.body.total, 1);
  assert.equal(found.body.orders[0]!.accessionNumber, order.accessionNumber);
  const byAccession = await call<{ total: number }>(
    'GET',
    `/orders?accessionNumber=${order.accessionNumber}`,
  );
  assert.equal(byAccession.body.total, 1);
});

test('forbidden transitions are 409s naming the current state and change nothing', async () => {
  const order = (await call<OrderBody>('POST', '/orders', { patientRef, procedureId })).body;
  const refused = await call<Problem>('POST', `/orders/${order.id}/transitions`, { to: 'completed' });
  assert.equal(refused.status, 409);
  assert.equal(refused.type, 'application/problem+json; charset=utf-8');
  assert.match(refused.body.detail, /^order is ordered; it cannot become completed/);
  const unknown = await call<Problem>('POST', `/orders/${order.id}/transitions`, { to: 'done' });
  assert.equal(unknown.status, 400);
  assert.equal((await call<OrderBody>('GET', `/orders/${order.id}`)).body.status, 'ordered');
  assert.equal(
    (await call<{ history: unknown[] }>('GET', `/orders/${order.id}/history`)).body.history.length,
    1,
  );

  await call('POST', `/orders/${order.id}/transitions`, { to: 'cancelled', reason: 'duplicate' });
  const afterCancel = await call<Problem>('POST', `/orders/${order.id}/transitions`, { to: 'arrived' });
  assert.equal(afterCancel.status, 409);
  assert.match(afterCancel.body.detail, /^order is cancelled/);
});

test('preliminary, final and amended are refused on the transitions path (set by the report); nothing changes', async () => {
  const order = (await call<OrderBody>('POST', '/orders', { patientRef, procedureId })).body;
  for (const to of ['arrived', 'in-progress', 'completed'])
    assert.equal((await call('POST', `/orders/${order.id}/transitions`, { to })).status, 200);
  const historyLength = async () =>
    (await call<{ history: unknown[] }>('GET', `/orders/${order.id}/history`)).body.history.length;
  const before = await historyLength();
  for (const to of ['preliminary', 'final', 'amended']) {
    const refused = await call<Problem>('POST', `/orders/${order.id}/transitions`, {
      to,
      reason: 'on paper',
    });
    assertProblem(refused, 409, new RegExp(`^order status ${to} is set by the report: sign it`));
  }
  assert.equal((await call<OrderBody>('GET', `/orders/${order.id}`)).body.status, 'completed');
  assert.equal(await historyLength(), before);
  assert.equal((await call('GET', `/orders/${order.id}/report`)).status, 404);
});

test('overlapping bookings and bookings outside opening hours are refused; nothing changes', async () => {
  const first = (await call<OrderBody>('POST', '/orders', { patientRef, procedureId })).body;
  const second = (await call<OrderBody>('POST', '/orders', { patientRef, procedureId })).body;
  assert.equal(
    (await call('POST', '/bookings', { orderId: first.id, resourceId, start: at('13:00') })).status,
    201,
  );
  const overlap = await call<Problem>('POST', '/bookings', {
    orderId: second.id,
    resourceId,
    start: at('13:10'),
  });
  assert.equal(overlap.status, 409);
  assert.match(overlap.body.detail, /CT room 1 is already booked/);
  const late = await call<Problem>('POST', '/bookings', {
    orderId: second.id,
    resourceId,
    start: at('15:50'),
  });
  assert.equal(late.status, 400);
  assert.match(late.body.detail, /outside the opening hours/);
  const untouched = (await call<OrderBody>('GET', `/orders/${second.id}`)).body;
  assert.equal(untouched.status, 'ordered');
  assert.equal(untouched.steps[0]!.scheduledStart, null);
  const slots = await call<{ slots: { start: string; available: boolean }[] }>(
    'GET',
    `/resources/${resourceId}/slots?date=${DAY}&durationMinutes=20`,
  );
  const taken = slots.body.slots.filter((s) => !s.available).map((s) => s.start.slice(11, 16));
  // The first test's booking (10:00 local) and this one (13:00 local), both 20 minutes.
  assert.deepEqual(taken, ['08:00', '11:00']);
});

test('bad requests get a 400 problem+json; unknown ids a 404', async () => {
  const noPatient = await call<Problem>('POST', '/orders', { patientRef: 999999, procedureId });
  assert.equal(noPatient.status, 404);
  const extra = await call<Problem>('POST', '/orders', { patientRef, procedureId, shoeSize: 42 });
  assert.equal(extra.status, 400);
  const badPriority = await call<Problem>('POST', '/orders', { patientRef, procedureId, priority: 'ASAP' });
  assert.equal(badPriority.status, 400);
  const badQuery = await call<Problem>('GET', '/orders?colour=red');
  assert.equal(badQuery.status, 400);
  assert.equal((await call<Problem>('GET', '/orders/999999')).status, 404);
  assert.equal((await call<Problem>('GET', '/orders/abc')).status, 400);
  assert.equal((await call<Problem>('GET', `/resources/${resourceId}/slots?date=someday`)).status, 400);
  assert.equal((await call<Problem>('POST', '/bookings/999999/cancel', {})).status, 404);
});
