import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import type { ProcedureId } from './ids.js';
import { createReading } from './reading.js';
import { ageCompletion, completedOrder, userContext } from './report-test-fixture.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

for (const dialect of testDialects()) {
  describe(`reading worklist on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let ct: ProcedureId;
    let mr: ProcedureId;
    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      const seeded = await f.ris.procedures.seedDefaults(f.ctx);
      ct = seeded.find((p) => p.code === 'CT-HEAD-WO')!.id;
      mr = seeded.find((p) => p.code === 'MR-BRAIN-WO')!.id;
    });
    after(() => t?.cleanup());

    test('exams awaiting a report, most urgent first then longest waiting, filtered and paged', async () => {
      const routineOld = await completedOrder(f, 'WL1', ct, 'ROUTINE');
      const routineNew = await completedOrder(f, 'WL2', mr, 'ROUTINE');
      const stat = await completedOrder(f, 'WL3', ct, 'STAT');
      const urgent = await completedOrder(f, 'WL4', mr, 'URGENT');
      await ageCompletion(f, routineOld, 120);
      await ageCompletion(f, routineNew, 10);
      await ageCompletion(f, stat, 5);
      await ageCompletion(f, urgent, 60);
      // Not awaiting a report: not yet performed, or cancelled.
      const waiting = await f.ris.orders.place(f.ctx, {
        patientRef: await f.patient('WL5'),
        procedureId: ct,
      });
      await f.ris.orders.transition(f.ctx, waiting.id, 'cancelled');

      const all = await f.ris.reading.worklist(f.ctx, {});
      assert.equal(all.total, 4);
      assert.deepEqual(
        all.entries.map((e) => e.orderId),
        [stat, urgent, routineOld, routineNew],
      );
      const first = all.entries[0]!;
      assert.equal(first.patient.patientId, 'WL3');
      assert.equal(first.procedure.modality, 'CT');
      assert.ok(first.ageMinutes >= 4 && first.ageMinutes <= 6, String(first.ageMinutes));
      assert.equal(first.claim, null);
      assert.equal(first.aiFlag, null);

      const mrOnly = await f.ris.reading.worklist(f.ctx, { modality: 'mr' });
      assert.deepEqual(
        mrOnly.entries.map((e) => e.orderId),
        [urgent, routineNew],
      );
      const routine = await f.ris.reading.worklist(f.ctx, { priority: ['ROUTINE'] });
      assert.deepEqual(
        routine.entries.map((e) => e.orderId),
        [routineOld, routineNew],
      );
      const older = await f.ris.reading.worklist(f.ctx, { minAgeMinutes: 30 });
      assert.deepEqual(
        older.entries.map((e) => e.orderId),
        [urgent, routineOld],
      );
      const recent = await f.ris.reading.worklist(f.ctx, { maxAgeMinutes: 30 });
      assert.deepEqual(
        recent.entries.map((e) => e.orderId),
        [stat, routineNew],
      );
      const patientRef = all.entries.find((e) => e.orderId === urgent)!.patient.ref;
      assert.deepEqual(
        (await f.ris.reading.worklist(f.ctx, { patientRef })).entries.map((e) => e.orderId),
        [urgent],
      );
      const page = await f.ris.reading.worklist(f.ctx, { limit: 2, offset: 1 });
      assert.equal(page.total, 4);
      assert.deepEqual(
        page.entries.map((e) => e.orderId),
        [urgent, routineOld],
      );
      await assert.rejects(
        f.ris.reading.worklist(f.ctx, { priority: 'SOON' }),
        isError('invalid', /priority/),
      );
      await assert.rejects(f.ris.reading.worklist(f.ctx, { status: 'final' }), isError('invalid', /status/));

      // A preliminary report still waits for its final one; a final report leaves the list.
      const radiologist = userContext('dr-prelim');
      await f.ris.reports.startDraft(radiologist, stat);
      await f.ris.reports.sign(radiologist, stat, { as: 'preliminary', signer: { name: 'Dr Prelim' } });
      const afterPrelim = await f.ris.reading.worklist(f.ctx, { status: 'preliminary' });
      assert.deepEqual(
        afterPrelim.entries.map((e) => [e.orderId, e.status]),
        [[stat, 'preliminary']],
      );
      await f.ris.reports.sign(radiologist, stat, { as: 'final', signer: { name: 'Dr Prelim' } });
      assert.equal((await f.ris.reading.worklist(f.ctx, {})).total, 3);
    });

    test('claims: one holder at a time, released by the holder or an administrator, expiring', async () => {
      let clock = new Date();
      const reading = createReading({
        database: t.database,
        patients: f.patients,
        now: () => clock,
        claimMinutes: 30,
      });
      const [alice, bob, admin] = [
        userContext('alice'),
        userContext('bob'),
        userContext('root', ['administrator']),
      ];
      const orderId = await completedOrder(f, 'CLAIM1', ct);

      const claim = await reading.claim(alice, orderId);
      assert.equal(claim.by, 'user:alice');
      assert.equal(claim.expiresAt, new Date(clock.getTime() + 30 * 60_000).toISOString());
      await assert.rejects(reading.claim(bob, orderId), isError('conflict', /claimed by user:alice until/));
      // The other reader may not write the report of a claimed exam either.
      await assert.rejects(
        f.ris.reports.startDraft(bob, orderId),
        isError('conflict', /claimed by user:alice/),
      );
      await assert.rejects(
        reading.release(bob, orderId),
        isError('forbidden', /only they or an administrator/),
      );
      const entry = (await reading.worklist(bob, {})).entries.find((e) => e.orderId === orderId)!;
      assert.deepEqual(entry.claim, claim);

      // The holder renews; an administrator releases; then another reader may claim.
      clock = new Date(clock.getTime() + 10 * 60_000);
      assert.equal((await reading.claim(alice, orderId)).at, clock.toISOString());
      await reading.release(admin, orderId);
      assert.equal((await reading.claim(bob, orderId)).by, 'user:bob');
      await reading.release(bob, orderId);

      // A claim past its time is as good as none.
      await reading.claim(alice, orderId);
      clock = new Date(clock.getTime() + 31 * 60_000);
      assert.equal((await reading.worklist(bob, {})).entries.find((e) => e.orderId === orderId)!.claim, null);
      assert.equal((await reading.claim(bob, orderId)).by, 'user:bob');

      const notDone = await f.ris.orders.place(f.ctx, {
        patientRef: await f.patient('CLAIM2'),
        procedureId: ct,
      });
      await assert.rejects(
        reading.claim(alice, notDone.id),
        isError('conflict', /order is ordered; only completed/),
      );
      await assert.rejects(
        reading.claim(alice, 999_999 as typeof orderId),
        isError('not-found', /order 999999/),
      );
    });

    test('simultaneous claims by two readers: exactly one wins', async () => {
      const orderId = await completedOrder(f, 'CLAIM3', ct);
      const results = await Promise.allSettled(
        ['carol', 'dave', 'erin', 'frank'].map((id) => f.ris.reading.claim(userContext(id), orderId)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results)
        if (r.status === 'rejected') assert.match(String(r.reason), /claimed by user:/);
    });
  });
}
