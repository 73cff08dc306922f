import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import type { OrderId, ProcedureId } from './ids.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

for (const dialect of testDialects()) {
  describe(`orders on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let procedureId: ProcedureId;
    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database, () => new Date('2025-03-04T10:00:00Z'));
      const seeded = await f.ris.procedures.seedDefaults(f.ctx);
      procedureId = seeded.find((p) => p.code === 'CT-HEAD-WO')!.id;
    });
    after(() => t?.cleanup());

    test('an order gets a date-based accession number, a Study Instance UID and an unscheduled step', async () => {
      const patientRef = await f.patient('ORD1');
      const order = await f.ris.orders.place(f.ctx, {
        patientRef,
        procedureId,
        priority: 'STAT',
        reason: 'head trauma',
        placerOrderNumber: 'EMR-1',
        orderingProvider: { id: 'D123', name: 'House^Gregory' },
      });
      assert.equal(order.accessionNumber, '2025030400001');
      assert.equal(order.fillerOrderNumber, order.accessionNumber);
      assert.match(order.studyInstanceUid, /^2\.25\.\d+$/);
      assert.equal(order.status, 'ordered');
      assert.equal(order.priority, 'STAT');
      assert.equal(order.procedure.modality, 'CT');
      assert.deepEqual(
        order.steps.map((s) => [s.stepId, s.status, s.modality, s.stationAeTitle, s.scheduledStart]),
        [['1', 'SCHEDULED', 'CT', null, null]],
      );
      const next = await f.ris.orders.place(f.ctx, { patientRef, procedureId });
      assert.equal(next.accessionNumber, '2025030400002');
      assert.equal(next.priority, 'ROUTINE');
    });

    test('accession numbers are unique: a placer number in use is refused, generation skips it', async () => {
      const patientRef = await f.patient('ORD2');
      const given = await f.ris.orders.place(f.ctx, {
        patientRef,
        procedureId,
        accessionNumber: ' 2025030400003 ',
      });
      assert.equal(given.accessionNumber, '2025030400003');
      const orders = await f.count('imaging_order');
      await assert.rejects(
        f.ris.orders.place(f.ctx, { patientRef, procedureId, accessionNumber: '2025030400003' }),
        isError('conflict', /accession number 2025030400003 is already used/),
      );
      assert.equal(await f.count('imaging_order'), orders);
      const generated = await f.ris.orders.place(f.ctx, { patientRef, procedureId });
      assert.equal(generated.accessionNumber, '2025030400004');
      await assert.rejects(
        f.ris.orders.place(f.ctx, { patientRef, procedureId, accessionNumber: 'WAY-TOO-LONG-ACCESSION' }),
        isError('invalid', /1 to 16 characters/),
      );
    });

    test('concurrent orders never share an accession number', async () => {
      const patientRef = await f.patient('ORD3');
      const placed = await Promise.all(
        Array.from({ length: 8 }, () => f.ris.orders.place(f.ctx, { patientRef, procedureId })),
      );
      assert.equal(new Set(placed.map((o) => o.accessionNumber)).size, 8);
    });

    test('bad references are refused and leave nothing behind', async () => {
      const orders = await f.count('imaging_order');
      await assert.rejects(
        f.ris.orders.place(f.ctx, { patientRef: 999_999, procedureId }),
        isError('not-found', /patient 999999/),
      );
      await assert.rejects(
        f.ris.orders.place(f.ctx, { patientRef: await f.patient('ORD4'), procedureId: 999_999 }),
        isError('invalid', /procedure 999999 is not in the catalogue/),
      );
      await assert.rejects(
        f.ris.orders.place(f.ctx, {
          patientRef: await f.patient('ORD4'),
          procedureId,
          priority: 'ASAP' as 'STAT',
        }),
        isError('invalid', /priority/),
      );
      assert.equal(await f.count('imaging_order'), orders);
      await assert.rejects(
        f.ris.procedures.remove(f.ctx, procedureId),
        isError('conflict', /used by orders/),
      );
    });

    test('orders follow a patient merge and back; a merged-away patient gets no new orders', async () => {
      const [from, into] = [await f.patient('MERGE-FROM'), await f.patient('MERGE-INTO')];
      const order = await f.ris.orders.place(f.ctx, { patientRef: from, procedureId });
      await f.patients.merge(f.ctx, String(from), { into });
      assert.equal((await f.ris.orders.get(f.ctx, order.id)).patientRef, into);
      await assert.rejects(
        f.ris.orders.place(f.ctx, { patientRef: from, procedureId }),
        isError('conflict', new RegExp(`merged into patient ${into}`)),
      );
      await f.patients.unmerge(f.ctx, String(from));
      assert.equal((await f.ris.orders.get(f.ctx, order.id)).patientRef, from);
    });

    test('transitions are recorded in the history; a forbidden one changes nothing', async () => {
      const patientRef = await f.patient('ORD5');
      const { id } = await f.ris.orders.place(f.ctx, { patientRef, procedureId });
      await f.ris.orders.transition(f.ctx, id, 'arrived', 'walk-in');
      const started = await f.ris.orders.transition(f.ctx, id, 'in-progress');
      assert.equal(started.steps[0]!.status, 'STARTED');
      const history = await f.count('order_status_history');
      const events = await f.count('event_outbox');
      await assert.rejects(
        f.ris.orders.transition(f.ctx, id, 'cancelled', 'too late'),
        isError('conflict', /order is in-progress/),
      );
      assert.equal((await f.ris.orders.get(f.ctx, id)).status, 'in-progress');
      assert.equal(await f.count('order_status_history'), history);
      assert.equal(await f.count('event_outbox'), events);
      await f.ris.orders.transition(f.ctx, id, 'discontinued', 'contrast reaction');
      const entries = await f.ris.orders.history(f.ctx, id);
      assert.deepEqual(
        entries.map((e) => [e.from, e.to, e.reason, e.actor.id]),
        [
          [null, 'ordered', null, 'tester'],
          ['ordered', 'arrived', 'walk-in', 'tester'],
          ['arrived', 'in-progress', null, 'tester'],
          ['in-progress', 'discontinued', 'contrast reaction', 'tester'],
        ],
      );
      await assert.rejects(
        f.ris.orders.transition(f.ctx, id, 'completed'),
        isError('conflict', /order is discontinued/),
      );
      await assert.rejects(
        f.ris.orders.transition(f.ctx, 999_999 as OrderId, 'arrived'),
        isError('not-found', /order 999999/),
      );
    });

    test('scheduling goes through bookings, not plain transitions', async () => {
      const { id } = await f.ris.orders.place(f.ctx, { patientRef: await f.patient('ORD6'), procedureId });
      await assert.rejects(f.ris.orders.transition(f.ctx, id, 'scheduled'), isError('invalid', /bookings/));
    });

    test('report statuses are set by signing a report: a plain transition to them is refused', async () => {
      const { id } = await f.ris.orders.place(f.ctx, { patientRef: await f.patient('ORD6R'), procedureId });
      for (const to of ['arrived', 'in-progress', 'completed']) await f.ris.orders.transition(f.ctx, id, to);
      const history = await f.count('order_status_history');
      const events = await f.count('event_outbox');
      for (const to of ['preliminary', 'final', 'amended']) {
        await assert.rejects(
          f.ris.orders.transition(f.ctx, id, to, 'signed on paper'),
          isError('conflict', new RegExp(`^order status ${to} is set by the report: sign it`)),
        );
      }
      assert.equal((await f.ris.orders.get(f.ctx, id)).status, 'completed');
      assert.equal(await f.count('order_status_history'), history);
      assert.equal(await f.count('event_outbox'), events);
      assert.equal(await f.count('report_version'), 0);
    });

    test('search filters by status, patient, accession and date, with a total', async () => {
      const patientRef = await f.patient('ORD7');
      const a = await f.ris.orders.place(f.ctx, { patientRef, procedureId });
      const b = await f.ris.orders.place(f.ctx, { patientRef, procedureId });
      await f.ris.orders.transition(f.ctx, b.id, 'cancelled', 'duplicate order');
      const mine = await f.ris.orders.search(f.ctx, { patientRef });
      assert.equal(mine.total, 2);
      assert.deepEqual(
        mine.orders.map((o) => o.id),
        [b.id, a.id],
      );
      const open = await f.ris.orders.search(f.ctx, { patientRef, status: ['ordered,scheduled'] });
      assert.deepEqual(
        open.orders.map((o) => o.id),
        [a.id],
      );
      const byAccession = await f.ris.orders.search(f.ctx, { accessionNumber: b.accessionNumber });
      assert.equal(byAccession.total, 1);
      const page = await f.ris.orders.search(f.ctx, { limit: 1 });
      assert.equal(page.orders.length, 1);
      assert.ok(page.total > 5);
      const today = new Date().toISOString().slice(0, 10);
      assert.equal(
        (await f.ris.orders.search(f.ctx, { patientRef, orderedFrom: today, orderedTo: today })).total,
        2,
      );
      assert.equal((await f.ris.orders.search(f.ctx, { patientRef, orderedTo: '2000-01-01' })).total, 0);
      await assert.rejects(
        f.ris.orders.search(f.ctx, { status: ['done'] }),
        isError('invalid', /unknown order status/),
      );
      await assert.rejects(
        f.ris.orders.search(f.ctx, { orderedFrom: 'yesterday' }),
        isError('invalid', /orderedFrom/),
      );
    });

    test('every call leaves an audit record, failures included', async () => {
      const actions = await t.database.kysely
        .selectFrom('audit_event')
        .select(['action', 'outcome'])
        .where('action', 'like', 'order.%')
        .execute();
      const seen = new Set(actions.map((a) => `${a.action}:${a.outcome}`));
      for (const expected of [
        'order.place:success',
        'order.place:failure',
        'order.transition:success',
        'order.transition:failure',
        'order.history:success',
        'order.search:success',
        'order.read:success',
      ]) {
        assert.ok(seen.has(expected), expected);
      }
    });
  });
}
