import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import { createRis, type Procedure, type Ris } from './index.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';
import type { WorklistKeys } from './worklist-query.js';

// The Modality Worklist query (PS3.4 K.6.1.2): how each matching key maps onto the RIS's rows, and which
// orders' steps are listed at all. 2025-07-15 is a Tuesday; Berlin is UTC+2 in summer, and the worklist
// answers on the room's wall clock.
const TUESDAY = '2025-07-15';
const WEDNESDAY = '2025-07-16';

for (const dialect of testDialects()) {
  describe(`Modality Worklist query on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let scheduledOnly: Ris;
    // Accession number → the letter the tests use: A, B, C are listed; D, E, F never are.
    const letters = new Map<string, string>();

    const order = async (letter: string, patientId: string, name: string, procedure: Procedure) => {
      const patient = await f.patients.register(f.ctx, { patientId, issuerOfPatientId: 'HOSP', name });
      const placed = await f.ris.orders.place(f.ctx, {
        patientRef: patient.id,
        procedureId: procedure.id,
        orderingProvider: { name: `Referrer^${letter}` },
      });
      letters.set(placed.accessionNumber, letter);
      return placed;
    };
    const book = async (orderId: number, resourceId: number, day: string, hhmm: string) =>
      f.ris.bookings.book(f.ctx, { orderId, resourceId, start: `${day}T${hhmm}:00+02:00` });
    const found = async (keys: WorklistKeys, ris: Ris = f.ris) =>
      (await ris.worklist.query(f.ctx, keys)).map((item) => letters.get(item.accessionNumber)).sort();

    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      scheduledOnly = createRis({
        database: t.database,
        patients: f.patients,
        worklistIncludeArrived: false,
      });
      const seeded = await f.ris.procedures.seedDefaults(f.ctx);
      const ct = seeded.find((p) => p.code === 'CT-HEAD-WO')!;
      const mr = seeded.find((p) => p.code === 'MR-BRAIN-WO')!;
      const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' }));
      const room = (name: string, aeTitle: string, modality: string) =>
        f.ris.resources.create(f.ctx, {
          name,
          aeTitle,
          modality,
          stationName: `${aeTitle}ROOM`,
          timeZone: 'Europe/Berlin',
          openingHours: hours,
        });
      const [ct1, mr1] = [await room('CT room 1', 'CT1', 'CT'), await room('MR room 1', 'MR1', 'MR')];

      // A: scheduled on CT1 Tuesday 08:00. B: scheduled on MR1 Wednesday 10:30. C: booked on CT1 Tuesday
      // 09:00, then arrived at the desk.
      const a = await order('A', 'WL-A', 'Worklist^Wanda', ct);
      await book(a.id, ct1.id, TUESDAY, '08:00');
      const b = await order('B', 'WL-B', 'Other^Otto', mr);
      await book(b.id, mr1.id, WEDNESDAY, '10:30');
      const c = await order('C', 'WL-C', 'Arrived^Anna', ct);
      await book(c.id, ct1.id, TUESDAY, '09:00');
      await f.ris.orders.transition(f.ctx, c.id, 'arrived');
      // D: ordered, never booked. E: started (in progress). F: booked, then cancelled.
      await order('D', 'WL-D', 'Unbooked^Uma', ct);
      const e = await order('E', 'WL-E', 'Started^Sam', ct);
      await book(e.id, ct1.id, TUESDAY, '09:30');
      for (const to of ['arrived', 'in-progress']) await f.ris.orders.transition(f.ctx, e.id, to);
      const cancelled = await order('F', 'WL-F', 'Cancelled^Cal', ct);
      await book(cancelled.id, ct1.id, TUESDAY, '10:00');
      await f.ris.orders.transition(f.ctx, cancelled.id, 'cancelled', 'patient declined');
    });
    after(() => t?.cleanup());

    test('only scheduled and arrived orders are listed; ris.worklistIncludeArrived=false leaves arrived out', async () => {
      assert.deepEqual(await found({}), ['A', 'B', 'C']);
      assert.deepEqual(await found({}, scheduledOnly), ['A', 'B']);
      assert.deepEqual(await found({ scheduledStepStatus: 'ARRIVED' }), ['C']);
      assert.deepEqual(await found({ scheduledStepStatus: 'ARRIVED' }, scheduledOnly), []);
      assert.deepEqual(await found({ scheduledStepStatus: 'SCHEDULED' }), ['A', 'B']);
    });

    test('Scheduled Station AE Title and Modality: exact, wildcard, and no match', async () => {
      assert.deepEqual(await found({ scheduledStationAeTitle: 'CT1' }), ['A', 'C']);
      assert.deepEqual(await found({ scheduledStationAeTitle: 'MR1' }), ['B']);
      assert.deepEqual(await found({ scheduledStationAeTitle: '*1' }), ['A', 'B', 'C']);
      assert.deepEqual(
        await found({ scheduledStationAeTitle: 'ct1' }),
        [],
        'AE titles match case-sensitively',
      );
      assert.deepEqual(await found({ scheduledStationName: 'MR1ROOM' }), ['B']);
      assert.deepEqual(await found({ modality: 'CT' }), ['A', 'C']);
      assert.deepEqual(await found({ modality: 'MR' }), ['B']);
      assert.deepEqual(await found({ modality: 'US' }), []);
      assert.deepEqual(await found({ modality: 'CT', scheduledStationAeTitle: 'MR1' }), []);
    });

    test('Scheduled Procedure Step Start Date and Time: single values and ranges on the room clock', async () => {
      assert.deepEqual(await found({ scheduledStartDate: '20250715' }), ['A', 'C']);
      assert.deepEqual(await found({ scheduledStartDate: '20250716-' }), ['B']);
      assert.deepEqual(await found({ scheduledStartDate: '20250701-20250731' }), ['A', 'B', 'C']);
      assert.deepEqual(await found({ scheduledStartDate: '-20250714' }), []);
      // 08:00, 09:00 (C) and 10:30 Berlin time, not 06:00, 07:00 and 08:30 UTC.
      assert.deepEqual(await found({ scheduledStartTime: '0800-0859' }), ['A']);
      assert.deepEqual(await found({ scheduledStartTime: '09-' }), ['B', 'C']);
      assert.deepEqual(await found({ scheduledStartTime: '0600-0730' }), []);
      assert.deepEqual(
        await found({ scheduledStartDate: '20250715', scheduledStartTime: '0900-1200' }),
        ['C'],
        'date and time together',
      );
      const [item] = await f.ris.worklist.query(f.ctx, { patientId: 'WL-B' });
      assert.deepEqual([item!.step.startDate, item!.step.startTime], ['20250716', '103000']);
    });

    test("Patient ID and Patient's Name; a key that matches nothing gives nothing", async () => {
      assert.deepEqual(await found({ patientId: 'WL-B' }), ['B']);
      assert.deepEqual(await found({ patientId: 'WL-?' }), ['A', 'B', 'C']);
      assert.deepEqual(
        await found({ patientId: 'WL-D' }),
        [],
        'an order never booked is not on the worklist',
      );
      assert.deepEqual(await found({ patientId: 'WL-E' }), [], 'nor one already started');
      assert.deepEqual(await found({ patientId: 'WL-F' }), [], 'nor a cancelled one');
      assert.deepEqual(await found({ patientName: 'worklist^wanda' }), ['A'], 'names ignore case');
      assert.deepEqual(await found({ patientName: 'Oth*' }), ['B']);
      assert.deepEqual(await found({ patientName: 'Nobody*' }), []);
      assert.deepEqual(await found({ referringPhysicianName: 'Referrer^C' }), ['C']);
      const [a] = await f.ris.worklist.query(f.ctx, { patientId: 'WL-A' });
      assert.deepEqual(await found({ accessionNumber: a!.accessionNumber }), ['A']);
      assert.deepEqual(await found({ studyInstanceUid: a!.studyInstanceUid }), ['A']);
      assert.deepEqual(await found({ requestedProcedureId: a!.requestedProcedureId }), ['A']);
    });

    test('a malformed key is refused, naming the attribute', async () => {
      await assert.rejects(
        f.ris.worklist.query(f.ctx, { scheduledStartDate: '2025-07-15' }),
        isError('invalid', /^ScheduledStartDate: not a date/),
      );
      await assert.rejects(
        f.ris.worklist.query(f.ctx, { studyInstanceUid: '1.2.*' }),
        isError('invalid', /^StudyInstanceUid: not a UID/),
      );
    });
  });
}
