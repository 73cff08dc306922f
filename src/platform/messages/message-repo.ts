import { CompiledQuery, sql, type Compilable, type Kysely, type Selectable } from 'kysely';
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

function toSummary(row: Pick<Row, (typeof SUMMARY_COLUMNS)[number]>): MessageSummary {
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

// Every arriving message is one insert: its SQL is compiled once per dialect and run again with the new
// values (building the 26-column insert with Kysely each time cost more than running it). The values object
// always has every column, in the same order, so the parameters line up with the compiled placeholders.
const insertSql = new Map<string, string>();

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
  const values = {
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
  const unlessDuplicate = options.unlessDuplicate === true;
  const variant = `${dialectOf(db)}${unlessDuplicate ? ' unless duplicate' : ''}`;
  let text = insertSql.get(variant);
  if (text === undefined) {
    const insert = db.insertInto('integration_message').values(values);
    text = (unlessDuplicate ? insert.onConflict((oc) => oc.column('dedup_key').doNothing()) : insert)
      .returning(SUMMARY_COLUMNS)
      .compile().sql;
    insertSql.set(variant, text);
  }
  const { rows } = await db.executeQuery<Pick<Row, (typeof SUMMARY_COLUMNS)[number]>>(
    CompiledQuery.raw(text, Object.values(values)),
  );
  return rows[0] === undefined ? undefined : toSummary(rows[0]);
}

const dialectOf = (db: Db) => db.getExecutor().adapter.constructor.name;

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
  // Run before every batch (one message each when messages come one at a time): compiled once.
  const parameters = [direction, 'pending', 'failed', now, now, 'pending', 'failed', limit];
  const text = compiledOnce(db, 'due', parameters, () => dueQuery(db, direction, now, limit));
  const { rows } = await db.executeQuery<{ id: number }>(CompiledQuery.raw(text, parameters));
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

const compiledSql = new Map<string, string>();

/**
 * The SQL of a statement run on every message or batch, built by Kysely once per dialect; later calls pass
 * their values in the same order. The first build checks that order against what Kysely compiled.
 */
function compiledOnce(db: Db, name: string, parameters: readonly unknown[], build: () => Compilable) {
  const key = `${dialectOf(db)} ${name}`;
  let text = compiledSql.get(key);
  if (text === undefined) {
    const compiled = build().compile();
    if (JSON.stringify(compiled.parameters) !== JSON.stringify(parameters))
      throw new Error(`${name}: parameters out of order in ${compiled.sql}`);
    text = compiled.sql;
    compiledSql.set(key, text);
  }
  return text;
}

// The parameters, in order: direction, the two waiting states, now (due), now (lease lapsed), the two
// waiting states of an older message of the same key, the limit. dueMessageIds passes them in this order.
const dueQuery = (db: Db, direction: MessageDirection, now: string, limit: number) =>
  db
    .selectFrom('integration_message as m')
    .select('m.id')
    .where('m.direction', '=', direction)
    .where('m.state', 'in', ['pending', 'failed'])
    .where('m.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('m.locked_until', 'is', null), eb('m.locked_until', '<=', now)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('integration_message as e')
            .select(sql.lit(1).as('one'))
            .whereRef('e.ordering_key', '=', 'm.ordering_key')
            .whereRef('e.id', '<', 'm.id')
            .whereRef('e.direction', '=', 'm.direction')
            .where('e.state', 'in', ['pending', 'failed']),
        ),
      ),
    )
    // No ORDER BY id: with it SQLite sorted every call (10× the query's cost here). The due index hands rows
    // out by state and due time, the oldest due first; any set of key heads is safe to run, in id order.
    .limit(limit);

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

/** Records a handled message as processed (with one more attempt counted): once per message, compiled once. */
export async function markProcessed(db: Db, id: number, outcome: string, now: string): Promise<void> {
  const parameters = ['processed', null, null, null, outcome, now, 1, now, id];
  const text = compiledOnce(db, 'processed', parameters, () =>
    db
      .updateTable('integration_message')
      .set((eb) => ({
        state: 'processed',
        next_attempt_at: null,
        locked_until: null,
        last_error: null,
        outcome,
        processed_at: now,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id),
  );
  await db.executeQuery(CompiledQuery.raw(text, parameters));
}

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
  const parameters = [direction, 'pending', 'failed'];
  const text = compiledOnce(db, 'next due', parameters, () =>
    db
      .selectFrom('integration_message')
      .select((eb) => eb.fn.min('next_attempt_at').as('due'))
      .where('direction', '=', direction)
      .where('state', 'in', ['pending', 'failed']),
  );
  const { rows } = await db.executeQuery<{ due: string | null }>(CompiledQuery.raw(text, parameters));
  return rows[0]?.due ?? undefined;
}
