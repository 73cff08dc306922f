import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import type { Procedure, Resource } from './index.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

// 2025-07-15 is a Tuesday (ISO weekday 2); Berlin is UTC+2 in summer.
const DAY = '2025-07-15';
const at = (hhmm: string) => `${DAY}T${hhmm}:00+02:00`;

for (const dialect of testDialects()) {
  describe(`bookings on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let ct: Procedure;
    let mr: Procedure;
    let room1: Resource;
    let room2: Resource;
    const placeCt = async () =>
      f.ris.orders.place(f.ctx, { patientRef: await f.patient(`B${Math.random()}`), procedureId: ct.id });

    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      const seeded = await f.ris.procedures.seedDefaults(f.ctx);
      ct = seeded.find((p) => p.code === 'CT-HEAD-WO')!; // 15 minutes
      mr = seeded.find((p) => p.code === 'MR-BRAIN-WO')!;
      const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '12:00' }));
      room1 = await f.ris.resources.create(f.ctx, {
        name: 'CT room 1',
        aeTitle: 'CT1',
        modality: 'CT',
        stationName: 'CTROOM1',
        timeZone: 'Europe/Berlin',
        openingHours: hours,
      });
      room2 = await f.ris.resources.create(f.ctx, {
        name: 'CT room 2',
        aeTitle: 'CT2',
        modality: 'CT',
        timeZone: 'Europe/Berlin',
        openingHours: hours,
      });
    });
    after(() => t?.cleanup());

    test('booking schedules the order and fills its worklist step', async () => {
      const order = await placeCt();
      const booking = await f.ris.bookings.book(f.ctx, {
        orderId: order.id,
        resourceId: room1.id,
        start: at('08:00'),
      });
      assert.equal(booking.startsAt, `${DAY}T06:00:00.000Z`);
      assert.equal(booking.endsAt, `${DAY}T06:15:00.000Z`);
      const scheduled = await f.ris.orders.get(f.ctx, order.id);
      assert.equal(scheduled.status, 'scheduled');
      assert.deepEqual(scheduled.steps[0], {
        stepId: '1',
        status: 'SCHEDULED',
        modality: 'CT',
        stationAeTitle: 'CT1',
        stationName: 'CTROOM1',
        resourceId: room1.id,
        bookingId: booking.id,
        scheduledStart: booking.startsAt,
        scheduledEnd: booking.endsAt,
      });
      const slots = await f.ris.resources.slots(f.ctx, room1.id, { date: DAY, procedureId: ct.id });
      assert.equal(slots.slots.length, 16);
      assert.deepEqual(
        slots.slots.slice(0, 2).map((s) => s.available),
        [false, true],
      );
    });

    test('overlaps on the same resource are conflicts and change nothing; another room is free', async () => {
      const first = await placeCt();
      await f.ris.bookings.book(f.ctx, { orderId: first.id, resourceId: room1.id, start: at('09:00') });
      const second = await placeCt();
      const before = [
        await f.count('booking'),
        await f.count('order_status_history'),
        await f.count('event_outbox'),
      ];
      for (const start of [at('09:00'), at('08:50'), at('09:14')]) {
        await assert.rejects(
          f.ris.bookings.book(f.ctx, { orderId: second.id, resourceId: room1.id, start }),
          isError('conflict', /CT room 1 is already booked/),
        );
      }
      assert.deepEqual(
        [await f.count('booking'), await f.count('order_status_history'), await f.count('event_outbox')],
        before,
      );
      assert.equal((await f.ris.orders.get(f.ctx, second.id)).status, 'ordered');
      // Back to back is no overlap.
      await f.ris.bookings.book(f.ctx, { orderId: second.id, resourceId: room1.id, start: at('09:15') });
      const third = await placeCt();
      await f.ris.bookings.book(f.ctx, { orderId: third.id, resourceId: room2.id, start: at('09:00') });
    });

    test('concurrent bookings of one slot: exactly one wins', async () => {
      const orders = await Promise.all([placeCt(), placeCt(), placeCt()]);
      const results = await Promise.allSettled(
        orders.map((o) =>
          f.ris.bookings.book(f.ctx, { orderId: o.id, resourceId: room2.id, start: at('10:00') }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        assert.ok(isError('conflict', /already booked/)((r as PromiseRejectedResult).reason));
      }
    });

    test('outside opening hours, wrong modality or a booked order are refused', async () => {
      const order = await placeCt();
      await assert.rejects(
        f.ris.bookings.book(f.ctx, { orderId: order.id, resourceId: room1.id, start: at('11:50') }),
        isError('invalid', /outside the opening hours of CT room 1/),
      );
      await assert.rejects(
        f.ris.bookings.book(f.ctx, {
          orderId: order.id,
          resourceId: room1.id,
          start: '2025-07-19T09:00:00+02:00',
        }),
        isError('invalid', /outside the opening hours/),
      );
      await assert.rejects(
        f.ris.bookings.book(f.ctx, { orderId: order.id, resourceId: room1.id, start: '15 July, 9am' }),
        isError('invalid', /not an ISO 8601/),
      );
      const mrOrder = await f.ris.orders.place(f.ctx, {
        patientRef: await f.patient('MR1'),
        procedureId: mr.id,
      });
      await assert.rejects(
        f.ris.bookings.book(f.ctx, { orderId: mrOrder.id, resourceId: room1.id, start: at('11:00') }),
        isError('invalid', /MR procedure; CT room 1 is CT/),
      );
      await f.ris.bookings.book(f.ctx, { orderId: order.id, resourceId: room1.id, start: at('11:00') });
      await assert.rejects(
        f.ris.bookings.book(f.ctx, { orderId: order.id, resourceId: room2.id, start: at('11:00') }),
        isError('conflict', /already booked/),
      );
    });

    test('rescheduling moves the booking and the step; cancelling frees the slot and unschedules', async () => {
      const order = await placeCt();
      const booking = await f.ris.bookings.book(f.ctx, {
        orderId: order.id,
        resourceId: room1.id,
        start: at('10:30'),
      });
      await assert.rejects(
        f.ris.bookings.reschedule(f.ctx, booking.id, { start: at('09:00') }),
        isError('conflict', /already booked/),
      );
      const moved = await f.ris.bookings.reschedule(f.ctx, booking.id, {
        start: at('10:45'),
        resourceId: room2.id,
      });
      assert.equal(moved.resourceId, room2.id);
      assert.equal(moved.startsAt, `${DAY}T08:45:00.000Z`);
      let current = await f.ris.orders.get(f.ctx, order.id);
      assert.equal(current.steps[0]!.stationAeTitle, 'CT2');
      assert.equal(current.steps[0]!.scheduledStart, moved.startsAt);
      const cancelled = await f.ris.bookings.cancel(f.ctx, booking.id, 'patient called off');
      assert.equal(cancelled.status, 'cancelled');
      current = await f.ris.orders.get(f.ctx, order.id);
      assert.equal(current.status, 'ordered');
      assert.equal(current.steps[0]!.scheduledStart, null);
      assert.equal(current.steps[0]!.stationAeTitle, null);
      await assert.rejects(
        f.ris.bookings.cancel(f.ctx, booking.id),
        isError('conflict', /booking \d+ is cancelled/),
      );
      const history = await f.ris.orders.history(f.ctx, order.id);
      assert.deepEqual(
        history.map((h) => [h.from, h.to]),
        [
          [null, 'ordered'],
          ['ordered', 'scheduled'],
          ['scheduled', 'ordered'],
        ],
      );
      assert.equal(history[2]!.reason, 'patient called off');
      // The freed slot can be booked again.
      const other = await placeCt();
      await f.ris.bookings.book(f.ctx, { orderId: other.id, resourceId: room2.id, start: at('10:45') });
    });

    test('an arrived order keeps its booking; cancelling the order frees the slot', async () => {
      const order = await placeCt();
      const booking = await f.ris.bookings.book(f.ctx, {
        orderId: order.id,
        resourceId: room1.id,
        start: at('11:30'),
      });
      await f.ris.orders.transition(f.ctx, order.id, 'arrived');
      await assert.rejects(
        f.ris.bookings.reschedule(f.ctx, booking.id, { start: at('11:15') }),
        isError('conflict', /order is arrived/),
      );
      await f.ris.orders.transition(f.ctx, order.id, 'cancelled', 'patient left');
      assert.equal((await f.ris.bookings.get(f.ctx, booking.id)).status, 'cancelled');
      assert.equal((await f.ris.orders.get(f.ctx, order.id)).steps[0]!.status, 'CANCELED');
      await assert.rejects(f.ris.resources.remove(f.ctx, room1.id), isError('conflict', /has bookings/));
    });
  });
}
