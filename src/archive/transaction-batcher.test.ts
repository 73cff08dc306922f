import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import { TransactionBatcher } from './transaction-batcher.js';

for (const dialect of testDialects()) {
  describe(`group commit on ${dialect}`, () => {
    let t: TestDatabase;
    after(() => t?.cleanup());

    test('writes that arrive together share transactions; a failing one fails alone', async () => {
      t = await openTestDatabase(dialect);
      const batcher = new TransactionBatcher(t.database);
      const db = t.database.kysely;
      const insert = (i: number) =>
        batcher.run(async (trx) => {
          await trx
            .insertInto('event_outbox')
            .values({ type: 'test', subject: String(i), payload: '{}', created_at: 'now' })
            .execute();
          if (i === 7) throw new Error('write 7 is bad');
          const { count } = await trx
            .selectFrom('event_outbox')
            .select((eb) => eb.fn.countAll().as('count'))
            .executeTakeFirstOrThrow();
          return Number(count);
        });
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => insert(i)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      assert.deepEqual(failed, [7]);
      const rows = await db.selectFrom('event_outbox').select('subject').execute();
      assert.deepEqual(
        rows.map((r) => Number(r.subject)).sort((a, b) => a - b),
        [...Array(20).keys()].filter((i) => i !== 7),
      );
      // Writes queued behind the first transaction ran in a shared one: they saw each other's rows.
      const counts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.ok(counts.some((count) => count > 1));
    });
  });
}
