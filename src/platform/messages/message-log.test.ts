import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestDatabase, testDialects, type TestDatabase } from '../../../test/support/test-databases.js';
import { createContext } from '../context.js';
import { LanternError, invalid } from '../errors.js';
import { silentLogger } from '../log/index.js';
import { recordAuditFailure } from '../security/index.js';
import { createMessageLog, type NewMessage } from './index.js';

const ctx = createContext(
  silentLogger(),
  { kind: 'user', id: 'admin', roles: ['administrator'] },
  { door: 'api' },
);

const inbound = (controlId: string, orderingKey: string | null, from = 'EMR'): NewMessage => ({
  protocol: 'hl7v2',
  peer: '127.0.0.1',
  sendingApplication: from,
  sendingFacility: 'HOSP',
  receivingApplication: 'LANTERN',
  receivingFacility: 'RAD',
  messageType: 'ADT^A08',
  controlId,
  orderingKey,
  payload: Buffer.from(`MSH|^~\\&|${from}|HOSP|||||ADT^A08|${controlId}`),
});

for (const dialect of testDialects()) {
  describe(`the message log on ${dialect}`, () => {
    let t: TestDatabase;
    after(() => t?.cleanup());
    let clock = new Date('2030-01-01T00:00:00Z');
    const tick = (ms: number) => (clock = new Date(clock.getTime() + ms));

    test('in order per key, retries with backoff, dead letter with reason, duplicates, replay', async () => {
      t = await openTestDatabase(dialect);
      const log = createMessageLog(
        t.database,
        { retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1500 }, leaseMs: 60_000 },
        () => clock,
      );
      const a1 = (await log.receive(inbound('1', 'patient-A'))).message;
      const b1 = (await log.receive(inbound('2', 'patient-B'))).message;
      const a2 = (await log.receive(inbound('3', 'patient-A'))).message;
      const free = (await log.receive(inbound('4', null))).message;
      assert.equal(a1.state, 'pending');

      // Same sender and control ID again: a duplicate of the first; another sender may reuse the ID.
      const again = await log.receive(inbound('1', 'patient-A'));
      assert.equal(again.duplicateOf, a1.id);
      assert.equal(again.message.state, 'duplicate');
      assert.equal((await log.receive(inbound('1', 'patient-C', 'LAB'))).duplicateOf, undefined);

      // Oldest first; a leased message is not handed out twice; a2 waits behind a1.
      const first = await log.claimNext('inbound');
      assert.equal(first?.id, a1.id);
      assert.equal(first?.payload.toString().includes('ADT^A08'), true);
      const second = await log.claimNext('inbound');
      assert.equal(second?.id, b1.id);
      assert.equal((await log.claimNext('inbound'))?.id, free.id);
      await log.complete(b1.id, { outcome: 'done' });
      await log.complete(free.id);

      // a1 fails: it is retried after the backoff, and a2 still waits behind it.
      assert.equal(await log.fail(a1.id, 'patient service unavailable'), 'failed');
      const c1 = (await log.claimNext('inbound'))!;
      assert.equal(c1.sendingApplication, 'LAB', 'the other sender’s message is not held back by patient-A');
      await log.complete(c1.id);
      assert.equal(await log.claimNext('inbound'), undefined, 'a1 waits for its backoff, a2 behind it');
      tick(1000);
      assert.equal((await log.claimNext('inbound'))?.id, a1.id);
      assert.equal(await log.fail(a1.id, 'still unavailable'), 'failed');
      tick(1499);
      assert.equal(await log.claimNext('inbound'), undefined, 'the second delay doubles, capped at 1500 ms');
      tick(1);
      assert.equal((await log.claimNext('inbound'))?.id, a1.id);
      assert.equal(await log.fail(a1.id, 'gave up: unavailable'), 'dead-letter');

      // Dead-lettered, a1 no longer holds a2 back.
      assert.equal((await log.claimNext('inbound'))?.id, a2.id);
      assert.equal(await log.fail(a2.id, 'procedure unknown', { permanent: true }), 'dead-letter');

      const dead = await log.get(ctx, a1.id);
      assert.equal(dead.state, 'dead-letter');
      assert.equal(dead.attempts, 3);
      assert.equal(dead.lastError, 'gave up: unavailable');
      const counts = await log.counts(ctx);
      assert.deepEqual(
        [
          counts.inbound['dead-letter'],
          counts.inbound.processed,
          counts.inbound.duplicate,
          counts.outbound.pending,
        ],
        [2, 3, 1, 0],
      );
      const listed = await log.list(ctx, { state: 'dead-letter', direction: 'inbound' });
      assert.equal(listed.total, 2);
      assert.deepEqual(
        listed.messages.map((m) => m.id),
        [a2.id, a1.id],
      );
      assert.equal((await log.list(ctx, { controlId: '1' })).total, 3);
      await assert.rejects(
        log.list(ctx, { state: 'lost' }),
        (e: unknown) => e instanceof LanternError && e.code === 'invalid',
      );

      // Replay: the dead letter is processed again from its first attempt.
      const replayed = await log.replay(ctx, a1.id, 'inbound');
      assert.deepEqual([replayed.state, replayed.attempts, replayed.lastError], ['pending', 0, null]);
      assert.equal((await log.claimNext('inbound'))?.id, a1.id);
      await log.complete(a1.id, { outcome: 'patient updated' });
      assert.equal((await log.get(ctx, a1.id)).outcome, 'patient updated');
      await assert.rejects(log.replay(ctx, again.message.id, 'inbound'), /duplicate of message/);
      await assert.rejects(log.replay(ctx, a1.id, 'outbound'), /is inbound/);
      await assert.rejects(
        log.get(ctx, 999_999),
        (e: unknown) => e instanceof LanternError && e.code === 'not-found',
      );
    });

    test('a batch commits each message with its effects in one transaction; a failed one is undone', async () => {
      const log = createMessageLog(
        t.database,
        { retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 }, leaseMs: 60_000 },
        () => clock,
      );
      await sql`create table batch_effect (control_id text not null)`.execute(t.database.kysely);
      // Arriving together (group commit): each resolves with its own row, a repeat as a duplicate.
      const [m1, m2, m3, m4, dup] = await Promise.all(
        ['B1', 'B2', 'B3', 'B4', 'B1'].map((id, i) => log.receive(inbound(id, `batch-${i % 4}`))),
      );
      assert.deepEqual(
        [m1, m2, m3, m4].map((r) => r!.message.state),
        ['pending', 'pending', 'pending', 'pending'],
      );
      assert.equal(dup!.duplicateOf, m1!.message.id);

      const results = await log.processDue('inbound', 10, async (message, database) => {
        // A service's own transaction inside the batch: a savepoint of the batch's transaction.
        await database.kysely
          .transaction()
          .execute((trx) =>
            trx.insertInto('batch_effect').values({ control_id: message.controlId }).execute(),
          );
        if (message.controlId === 'B2') {
          // A service refused it and recorded the refusal: the record outlives the message's undoing.
          await recordAuditFailure(database, ctx, { action: 'patient.create' }, invalid('no name'));
          return { ok: false, reason: 'refused', permanent: true };
        }
        if (message.controlId === 'B3') throw new Error('handler bug');
        return { ok: true, outcome: `did ${message.controlId}` };
      });
      const batchIds = [m1, m2, m3, m4].map((r) => r!.message.id);
      const mine = results.filter((r) => batchIds.includes(r.message.id));
      assert.deepEqual(
        mine.map((r) => [r.message.controlId, r.state]),
        [
          ['B1', 'processed'],
          ['B2', 'dead-letter'],
          ['B3', 'failed'],
          ['B4', 'processed'],
        ],
      );
      const effects = await t.database.kysely
        .selectFrom('batch_effect')
        .select('control_id')
        .orderBy('control_id')
        .execute();
      assert.deepEqual(
        effects.map((e) => e.control_id),
        ['B1', 'B4'],
        'the failed messages left nothing behind',
      );
      const refusals = await t.database.kysely
        .selectFrom('audit_event')
        .select(['action', 'outcome', 'detail'])
        .where('action', '=', 'patient.create')
        .execute();
      assert.deepEqual(
        refusals.map((r) => [r.action, r.outcome, JSON.parse(String(r.detail)).reason]),
        [['patient.create', 'failure', 'no name']],
        'the refusal recorded inside the failed message is kept',
      );
      const b2 = await log.get(ctx, m2!.message.id);
      assert.deepEqual([b2.state, b2.lastError, b2.attempts], ['dead-letter', 'refused', 1]);
      const b3 = await log.get(ctx, m3!.message.id);
      assert.deepEqual([b3.state, b3.lastError, b3.attempts], ['failed', 'handler bug', 1]);
      assert.equal((await log.get(ctx, m1!.message.id)).outcome, 'did B1');
      // Nothing left due now (B3 waits for its backoff).
      assert.deepEqual(await log.processDue('inbound', 10, async () => ({ ok: true, outcome: '' })), []);
    });

    test('outbound: enqueue once per source, the ACK received is recorded, a lapsed lease is taken again', async () => {
      const log = createMessageLog(
        t.database,
        { retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10 }, leaseMs: 5000 },
        () => clock,
      );
      const out = { ...inbound('ORU1', 'dest|P1', 'LANTERN'), peer: 'EMR', messageType: 'ORU^R01' };
      const queued = await log.enqueue(out, 'event:7|EMR');
      assert.equal(queued?.state, 'pending');
      assert.equal(await log.enqueue(out, 'event:7|EMR'), undefined);
      const taken = await log.claimNext('outbound');
      assert.equal(taken?.id, queued!.id);
      // The worker died holding it: once the lease lapses another takes it.
      assert.equal(await log.claimNext('outbound'), undefined);
      tick(5000);
      assert.equal((await log.claimNext('outbound'))?.id, queued!.id);
      await log.complete(queued!.id, { ackCode: 'AA', ack: Buffer.from('MSH|ack') });
      const sent = await log.get(ctx, queued!.id);
      assert.deepEqual([sent.state, sent.ackCode, sent.ack?.toString()], ['processed', 'AA', 'MSH|ack']);
      const resent = await log.replay(ctx, queued!.id, 'outbound');
      assert.equal(resent.state, 'pending');
      assert.equal(await log.nextDueAt('outbound'), clock.toISOString());
    });
  });
}
