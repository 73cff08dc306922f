import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../../test/support/test-databases.js';
import { createEventConsumer, settledThrough } from './event-consumer.js';
import { publishEvent, type StoredEvent } from './outbox.js';

const event = (id: number, createdAt: string): StoredEvent => ({
  id,
  type: 't',
  subject: 's',
  payload: {},
  createdAt,
});

test('the cursor moves through consecutive ids, and over a gap only once the gap is old', () => {
  const now = Date.parse('2030-01-01T00:01:00Z');
  const events = [
    event(1, '2030-01-01T00:00:59Z'),
    event(2, '2030-01-01T00:00:59Z'),
    event(4, '2030-01-01T00:00:59Z'),
  ];
  assert.equal(settledThrough(0, events, now - 30_000), 2);
  assert.equal(settledThrough(0, events, now + 1), 4);
  assert.equal(settledThrough(3, [event(4, '2030-01-01T00:00:59Z')], now - 30_000), 4);
});

for (const dialect of testDialects()) {
  describe(`event consumer on ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => (t = await openTestDatabase(dialect)));
    after(() => t?.cleanup());

    test('hands each event of its types on once, in order, across polls', async () => {
      const seen: string[] = [];
      const consumer = createEventConsumer(t.database, {
        name: 'test',
        types: ['a'],
        batchSize: 2,
        handle: async (_trx, events) => void seen.push(...events.map((e) => e.subject)),
      });
      for (const [type, subject] of [
        ['a', '1'],
        ['b', 'x'],
        ['a', '2'],
        ['a', '3'],
      ] as const)
        await publishEvent(t.database.kysely, { type, subject, payload: {} });
      while ((await consumer.poll()) > 0);
      assert.deepEqual(seen, ['1', '2', '3']);
      await publishEvent(t.database.kysely, { type: 'a', subject: '4', payload: {} });
      assert.equal(await consumer.poll(), 1);
      assert.equal(await consumer.poll(), 0);
      assert.deepEqual(seen, ['1', '2', '3', '4']);
    });

    test('a failing handler leaves the cursor where it was', async () => {
      let fail = true;
      const seen: string[] = [];
      const consumer = createEventConsumer(t.database, {
        name: 'failing',
        handle: async (_trx, events) => {
          if (fail) throw new Error('down');
          seen.push(...events.map((e) => e.subject));
        },
      });
      await assert.rejects(consumer.poll(), /down/);
      fail = false;
      while ((await consumer.poll()) > 0);
      assert.equal(seen.length, 5);
    });
  });
}
