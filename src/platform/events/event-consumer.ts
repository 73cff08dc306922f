import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import type { StoredEvent } from './outbox.js';

interface ConsumerTables {
  event_consumer: { name: string; last_id: number; updated_at: string };
  event_outbox: { id: number; type: string; subject: string; payload: string; created_at: string };
}

export interface EventConsumerOptions {
  /** Names the cursor row: one per subscriber. */
  name: string;
  /** Handles a batch of events, oldest first, in the transaction that advances the cursor. Must be
   * idempotent: events after a gap in the ids are handled again until the gap is settled. */
  handle: (trx: Transaction<any>, events: StoredEvent[]) => Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Only these event types are handed on (all are read, so gaps in the ids can be seen). */
  types?: readonly string[];
  batchSize?: number;
  /**
   * How long a gap in the outbox ids may be a transaction still in flight (PostgreSQL hands out ids before
   * commit, so a later id can become visible first); after that it is a rolled-back insert and skipped.
   */
  gapGraceMs?: number;
  now?: () => Date;
}

/**
 * A durable subscriber to the outbox: reads events after its stored cursor in id order, a bounded batch
 * at a time, and hands them to `handle` in the same transaction that moves the cursor, so an event is
 * never lost and its effects are never applied without the cursor moving (or the reverse). Several nodes
 * may poll at once: the cursor row's lock makes them take turns.
 */
export function createEventConsumer(database: Database, options: EventConsumerOptions) {
  const batchSize = options.batchSize ?? 500;
  const gapGraceMs = options.gapGraceMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  const kysely = database.kysely as Kysely<ConsumerTables>;

  /** One batch; resolves with the number of events read (0: caught up). */
  async function poll(): Promise<number> {
    return kysely.transaction().execute(async (trx) => {
      const lastId = await lockCursor(trx, options.name);
      const events = await readAfter(trx, lastId, batchSize);
      if (events.length === 0) return 0;
      const wanted = options.types ? events.filter((e) => options.types!.includes(e.type)) : events;
      if (wanted.length > 0) await options.handle(trx, wanted);
      const advanced = settledThrough(lastId, events, now().getTime() - gapGraceMs);
      if (advanced !== lastId) {
        await trx
          .updateTable('event_consumer')
          .set({ last_id: advanced, updated_at: nowIso() })
          .where('name', '=', options.name)
          .execute();
      }
      // A batch that ends at an unsettled gap reports 0 so a caller looping "until caught up" stops.
      return advanced === lastId ? 0 : events.length;
    });
  }

  return { poll };
}

/** Takes the cursor row's lock (a no-op update: FOR UPDATE does not exist on SQLite) and reads it. */
async function lockCursor(trx: Transaction<ConsumerTables>, name: string): Promise<number> {
  const updated = await trx
    .updateTable('event_consumer')
    .set((eb) => ({ last_id: eb.ref('last_id') }))
    .where('name', '=', name)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    await trx
      .insertInto('event_consumer')
      .values({ name, last_id: 0, updated_at: nowIso() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
  const row = await trx
    .selectFrom('event_consumer')
    .select('last_id')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return Number(row.last_id);
}

async function readAfter(
  trx: Transaction<ConsumerTables>,
  lastId: number,
  limit: number,
): Promise<StoredEvent[]> {
  const rows = await trx
    .selectFrom('event_outbox')
    .selectAll()
    .where('id', '>', lastId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type,
    subject: r.subject,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
}

/**
 * The id the cursor may move to: through consecutive ids, and over a gap only once the event after it is
 * older than `graceBefore` (ms since epoch).
 */
export function settledThrough(lastId: number, events: readonly StoredEvent[], graceBefore: number): number {
  let through = lastId;
  for (const event of events) {
    if (event.id !== through + 1 && Date.parse(event.createdAt) > graceBefore) break;
    through = event.id;
  }
  return through;
}
