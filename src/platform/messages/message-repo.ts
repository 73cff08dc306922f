import { sql, type Kysely, type Selectable } from 'kysely';
import { preparedQuery } from '../db/index.js';
import type { MessageTables } from './tables.js';
import type {
  MessageDirection,
  MessageState,
  MessageSummary,
  NewMessage,
  StoredMessage,
} from './stored-message.js';

// All SQL on integration_message.

type Db = Kysely<MessageTables>;
type Row = Selectable<MessageTables['integration_message']>;

const SUMMARY_COLUMNS = [
  'id',
  'direction',
  'protocol',
  'peer',
  'sending_application',
  'sending_facility',
  'receiving_application',
  'receiving_facility',
  'message_type',
  'control_id',
  'ordering_key',
  'state',
  'attempts',
  'next_attempt_at',
  'last_error',
  'outcome',
  'duplicate_of',
  'ack_code',
  'created_at',
  'updated_at',
  'processed_at',
] as const;
type SummaryRow = Pick<Row, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(row: SummaryRow): MessageSummary {
  return {
    id: Number(row.id),
    direction: row.direction as MessageDirection,
    protocol: row.protocol,
    peer: row.peer,
    sendingApplication: row.sending_application,
    sendingFacility: row.sending_facility,
    receivingApplication: row.receiving_application,
    receivingFacility: row.receiving_facility,
    messageType: row.message_type,
    controlId: row.control_id,
    orderingKey: row.ordering_key,
    state: row.state as MessageState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    outcome: row.outcome,
    duplicateOf: row.duplicate_of === null ? null : Number(row.duplicate_of),
    ackCode: row.ack_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    processedAt: row.processed_at,
  };
}

const toStored = (row: Row): StoredMessage => ({
  ...toSummary(row),
  payload: Buffer.from(row.payload),
  ack: row.ack === null ? null : Buffer.from(row.ack),
});

export interface InsertMessage {
  direction: MessageDirection;
  message: NewMessage;
  state: MessageState;
  now: string;
  dedupKey?: string | null;
  duplicateOf?: number | null;
  source?: string | null;
  lastError?: string | null;
  ackCode?: string | null;
  ack?: Uint8Array | null;
}

// Every arriving message is one insert, and every batch runs the due-message query and a processed mark per
// message: these are built by Kysely once per dialect and run again with new values (platform/db's
// preparedQuery; building the 26-column insert each time cost more than running it).
const INSERT_COLUMNS = [
  'direction',
  'protocol',
  'peer',
  'sending_application',
  'sending_facility',
  'receiving_application',
  'receiving_facility',
  'message_type',
  'control_id',
  'ordering_key',
  'payload',
  'state',
  'attempts',
  'next_attempt_at',
  'locked_until',
  'last_error',
  'outcome',
  'dedup_key',
  'duplicate_of',
  'source',
  'ack_code',
  'ack',
  'created_at',
  'updated_at',
  'processed_at',
] as const;
type InsertColumn = (typeof INSERT_COLUMNS)[number];

const insertValues = (param: (name: InsertColumn) => string) =>
  Object.fromEntries(INSERT_COLUMNS.map((column) => [column, param(column)])) as never;
const insertRow = preparedQuery<InsertColumn, SummaryRow>((db, param) =>
  (db as Db).insertInto('integration_message').values(insertValues(param)).returning(SUMMARY_COLUMNS),
);
const insertRowUnlessDuplicate = preparedQuery<InsertColumn, SummaryRow>((db, param) =>
  (db as Db)
    .insertInto('integration_message')
    .values(insertValues(param))
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning(SUMMARY_COLUMNS),
);

/**
 * Inserts a message. With `unlessDuplicate`, a message whose dedup key is already stored is not inserted
 * (undefined): the unique key answers in the same statement, instead of a look-up before each insert.
 */
export async function insertMessage(db: Db, input: InsertMessage): Promise<MessageSummary>;
export async function insertMessage(
  db: Db,
  input: InsertMessage,
  options: { unlessDuplicate: true },
): Promise<MessageSummary | undefined>;
export async function insertMessage(
  db: Db,
  input: InsertMessage,
  options: { unlessDuplicate?: boolean } = {},
): Promise<MessageSummary | undefined> {
  const m = input.message;
  const values: Record<InsertColumn, unknown> = {
    direction: input.direction,
    protocol: m.protocol,
    peer: m.peer,
    sending_application: m.sendingApplication,
    sending_facility: m.sendingFacility,
    receiving_application: m.receivingApplication,
    receiving_facility: m.receivingFacility,
    message_type: m.messageType,
    control_id: m.controlId,
    ordering_key: m.orderingKey,
    payload: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength),
    state: input.state,
    attempts: 0,
    next_attempt_at: input.state === 'pending' ? input.now : null,
    locked_until: null,
    last_error: input.lastError ?? null,
    outcome: null,
    dedup_key: input.dedupKey ?? null,
    duplicate_of: input.duplicateOf ?? null,
    source: input.source ?? null,
    ack_code: input.ackCode ?? null,
    ack: input.ack ? Buffer.from(input.ack.buffer, input.ack.byteOffset, input.ack.byteLength) : null,
    created_at: input.now,
    updated_at: input.now,
    processed_at: null,
  };
  const insert = options.unlessDuplicate === true ? insertRowUnlessDuplicate : insertRow;
  const [row] = (await insert(db, values)).rows;
  return row === undefined ? undefined : toSummary(row);
}

export async function findByDedupKey(db: Db, dedupKey: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('integration_message')
    .select('id')
    .where('dedup_key', '=', dedupKey)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.id);
}

export async function findBySource(db: Db, source: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('integration_message')
    .select('id')
    .where('source', '=', source)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.id);
}

/** A UNIQUE violation on either dialect (SQLite's constraint code, PostgreSQL's SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};

/**
 * The ids of messages due now (at most `limit`, in id order), whose ordering key has no older message waiting: a
 * message is never overtaken by a later one of the same key (a retrying head holds its key back).
 */
export async function dueMessageIds(
  db: Db,
  direction: MessageDirection,
  now: string,
  limit: number,
): Promise<number[]> {
  const { rows } = await dueQuery(db, { direction, now, limit });
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

const WAITING = sql<boolean>`state in ('pending', 'failed')`;

const dueQuery = preparedQuery<'direction' | 'now' | 'limit', { id: number }>((db, param) =>
  (db as Db)
    .selectFrom('integration_message as m')
    .select('m.id')
    .where('m.direction', '=', param('direction'))
    .where(sql<boolean>`m.state in ('pending', 'failed')`)
    .where('m.next_attempt_at', '<=', param('now'))
    .where((eb) => eb.or([eb('m.locked_until', 'is', null), eb('m.locked_until', '<=', param('now'))]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('integration_message as e')
            .select(sql.lit(1).as('one'))
            .whereRef('e.ordering_key', '=', 'm.ordering_key')
            .whereRef('e.id', '<', 'm.id')
            .whereRef('e.direction', '=', 'm.direction')
            .where(sql<boolean>`e.state in ('pending', 'failed')`),
        ),
      ),
    )
    // No ORDER BY id: with it SQLite sorted every call (10× the query's cost here). The due index hands rows
    // out by state and due time, the oldest due first; any set of key heads is safe to run, in id order.
    .limit(param('limit') as never),
);

/** Takes a lease on a due message; false when another worker took it first. */
export async function leaseMessage(db: Db, id: number, now: string, until: string): Promise<boolean> {
  const result = await db
    .updateTable('integration_message')
    .set({ locked_until: until })
    .where('id', '=', id)
    .where('state', 'in', ['pending', 'failed'])
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Leases every one of `ids` still due in one statement (a batch for a worker); the ones another worker
 * leased first are left out.
 */
export async function leaseMessages(
  db: Db,
  ids: readonly number[],
  now: string,
  until: string,
): Promise<StoredMessage[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('integration_message')
    .set({ locked_until: until })
    .where('id', 'in', ids)
    .where('state', 'in', ['pending', 'failed'])
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returningAll()
    .execute();
  return rows.map(toStored).sort((a, b) => a.id - b.id);
}

/** A message's attempt count (without its bytes). */
export async function attemptsOf(db: Db, id: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('integration_message')
    .select('attempts')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.attempts;
}

/** Records a finished attempt: `change`, and one more attempt counted in the same statement. */
export async function finishAttempt(
  db: Db,
  id: number,
  change: MessageChange,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('integration_message')
    .set((eb) => ({ ...change, attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a handled message as processed (with one more attempt counted): once per message. */
export async function markProcessed(db: Db, id: number, outcome: string, now: string): Promise<void> {
  await processedUpdate(db, { id, outcome, now });
}

const processedUpdate = preparedQuery<'id' | 'outcome' | 'now'>((db, param) =>
  (db as Db)
    .updateTable('integration_message')
    .set({
      state: sql<string>`'processed'`,
      next_attempt_at: sql<null>`null`,
      locked_until: sql<null>`null`,
      last_error: sql<null>`null`,
      outcome: param('outcome'),
      processed_at: param('now'),
      attempts: sql<number>`attempts + 1`,
      updated_at: param('now'),
    })
    .where('id', '=', param('id') as never),
);

/** Messages by id, in id order (the ones no longer there left out). */
export async function loadMessages(db: Db, ids: readonly number[]): Promise<StoredMessage[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('integration_message').selectAll().where('id', 'in', ids).execute();
  return rows.map(toStored).sort((a, b) => a.id - b.id);
}

export async function loadMessage(db: Db, id: number): Promise<StoredMessage | undefined> {
  const row = await db.selectFrom('integration_message').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toStored(row);
}

export type MessageChange = Partial<
  Pick<
    MessageTables['integration_message'],
    | 'state'
    | 'attempts'
    | 'next_attempt_at'
    | 'locked_until'
    | 'last_error'
    | 'outcome'
    | 'ack_code'
    | 'ack'
    | 'processed_at'
  >
>;

export async function updateMessage(db: Db, id: number, change: MessageChange, now: string): Promise<void> {
  await db
    .updateTable('integration_message')
    .set({ ...change, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export interface MessageFilter {
  direction?: MessageDirection;
  states?: MessageState[];
  controlId?: string;
  limit: number;
  offset: number;
}

export async function searchMessages(
  db: Db,
  filter: MessageFilter,
): Promise<{ total: number; messages: MessageSummary[] }> {
  let query = db.selectFrom('integration_message');
  if (filter.direction) query = query.where('direction', '=', filter.direction);
  if (filter.states?.length) query = query.where('state', 'in', filter.states);
  if (filter.controlId) query = query.where('control_id', '=', filter.controlId);
  const { total } = await query
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const rows = await query
    .select(SUMMARY_COLUMNS)
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { total: Number(total), messages: rows.map(toSummary) };
}

export async function countMessages(db: Db): Promise<{ direction: string; state: string; count: number }[]> {
  const rows = await db
    .selectFrom('integration_message')
    .select(['direction', 'state', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['direction', 'state'])
    .execute();
  return rows.map((r) => ({ direction: r.direction, state: r.state, count: Number(r.count) }));
}

/** The earliest time a waiting message of this direction becomes due (for the worker's timer). */
export async function nextDueAt(db: Db, direction: MessageDirection): Promise<string | undefined> {
  // Asked after every batch that did not fill up (one message at a time: after each): compiled once.
  const { rows } = await nextDueQuery(db, { direction });
  return rows[0]?.due ?? undefined;
}

const nextDueQuery = preparedQuery<'direction', { due: string | null }>((db, param) =>
  (db as Db)
    .selectFrom('integration_message')
    .select((eb) => eb.fn.min<string | null>('next_attempt_at').as('due'))
    .where('direction', '=', param('direction'))
    .where(WAITING),
);
