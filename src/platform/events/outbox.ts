import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { nowIso, preparedQuery } from '../db/index.js';

/** A domain event, named in the past tense (`instance.stored`, `study.stable`). */
export interface DomainEvent<P extends object = Record<string, unknown>> {
  type: string;
  /** What the event is about, for filtering: a Study Instance UID, an order number … */
  subject: string;
  payload: P;
}

export interface StoredEvent extends DomainEvent {
  id: number;
  createdAt: string;
}

interface OutboxTables {
  event_outbox: { id?: number; type: string; subject: string; payload: string; created_at: string };
}

// Every stored instance, registration and order change writes one: compiled once, not built each time.
const insertEvent = preparedQuery<'type' | 'subject' | 'payload' | 'created_at'>((db, param) =>
  (db as Kysely<OutboxTables>).insertInto('event_outbox').values({
    type: param('type'),
    subject: param('subject'),
    payload: param('payload'),
    created_at: param('created_at'),
  }),
);

/** Writes the event in the caller's transaction: it exists exactly when the change it reports exists. */
export async function publishEvent(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  event: DomainEvent<object>,
): Promise<void> {
  await insertEvent(executor, {
    type: event.type,
    subject: event.subject,
    payload: JSON.stringify(event.payload),
    created_at: nowIso(),
  });
}

/** Events after `sinceId`, oldest first: the feed that subscribers and `/api/changes` read. */
export async function listEvents(
  database: Database,
  options: { sinceId?: number; limit?: number; type?: string } = {},
): Promise<StoredEvent[]> {
  let query = (database.kysely as Kysely<OutboxTables>)
    .selectFrom('event_outbox')
    .selectAll()
    .where('id', '>', options.sinceId ?? 0);
  if (options.type) query = query.where('type', '=', options.type);
  const rows = await query
    .orderBy('id')
    .limit(Math.min(options.limit ?? 100, 1000))
    .execute();
  return rows.map((r) => ({
    id: r.id!,
    type: r.type,
    subject: r.subject,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
}
