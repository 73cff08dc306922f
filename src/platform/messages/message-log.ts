import type { Kysely } from 'kysely';
import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { conflict, invalid, notFound } from '../errors.js';
import {
  authorizedService,
  recordAuditAlone,
  recordAuditFailure,
  type AuditEntry,
} from '../security/index.js';
import {
  countMessages,
  dueMessageIds,
  findByDedupKey,
  findBySource,
  insertMessage,
  isUniqueViolation,
  attemptsOf,
  finishAttempt,
  leaseMessage,
  leaseMessages,
  loadMessage,
  loadMessages,
  markProcessed,
  nextDueAt,
  searchMessages,
  updateMessage,
} from './message-repo.js';
import { createGroupCommit } from './group-commit.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { createBatchTransactions } from './savepoint-database.js';
import {
  MESSAGE_STATES,
  type MessageDirection,
  type MessageState,
  type MessageSummary,
  type NewMessage,
  type StoredMessage,
} from './stored-message.js';
import type { MessageTables } from './tables.js';

export interface MessageLogSettings {
  retry: RetryPolicy;
  /** How long a worker holds a message it took; after that (a crash) another may take it. */
  leaseMs: number;
}

export interface MessageSearch {
  direction?: string;
  state?: string;
  controlId?: string;
  limit?: number;
  offset?: number;
}

export type MessageCounts = Record<MessageDirection, Record<MessageState, number>>;

/** How handling one message of a batch ended: done, or failed (its changes undone) with the reason. */
export type Handled = { ok: true; outcome: string } | { ok: false; reason: string; permanent: boolean };

/** A message of a processed batch and the state it was left in. */
export interface BatchResult {
  message: StoredMessage;
  state: MessageState;
  handled: Handled;
}

/** Thrown inside a message's savepoint to undo what its failed handling wrote. */
class UndoMessage extends Error {
  constructor(readonly handled: Handled) {
    super('undo');
  }
}

/** The outcome of a message's last attempt, as the worker reports it. */
export interface AttemptResult {
  /** Text for the log ('patient 12 updated'), or the ACK code received. */
  outcome?: string;
  ackCode?: string;
  ack?: Uint8Array;
}

const CLAIM_BATCH = 20;
const MAX_LIMIT = 1000;

const toBuffer = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * The durable message log of the integration doors. A message is written before its sender is told it
 * arrived, so a crash after the acknowledgment loses nothing; workers then take messages in order per
 * ordering key, with retries and backoff, and give up into the dead-letter state with the reason.
 * Workers' calls (receive, claim, complete, fail) are plumbing and not audited; people's reads and replays are.
 */
export function createMessageLog(
  database: Database,
  settings: MessageLogSettings,
  clock: () => Date = () => new Date(),
) {
  const db = database.kysely as Kysely<MessageTables>;
  const writes = createGroupCommit(database);
  const batches = createBatchTransactions(database);
  const now = () => clock().toISOString();
  const later = (ms: number) => new Date(clock().getTime() + ms).toISOString();

  async function audited<T>(
    ctx: RequestContext,
    entry: AuditEntry,
    run: () => Promise<T>,
    detail?: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    try {
      const result = await run();
      await recordAuditAlone(database, ctx, { ...entry, detail: { ...entry.detail, ...detail?.(result) } });
      return result;
    } catch (error) {
      await recordAuditFailure(database, ctx, entry, error);
      throw error;
    }
  }

  async function requireMessage(id: number): Promise<StoredMessage> {
    if (!Number.isSafeInteger(id) || id < 1) throw invalid('message id must be a positive whole number');
    const message = await loadMessage(db, id);
    if (!message) throw notFound('message', String(id));
    return message;
  }

  const processedChange = (at: string, result: AttemptResult) => ({
    state: 'processed',
    next_attempt_at: null,
    locked_until: null,
    last_error: null,
    outcome: result.outcome ?? null,
    processed_at: at,
    ...(result.ackCode === undefined ? {} : { ack_code: result.ackCode }),
    ...(result.ack === undefined ? {} : { ack: toBuffer(result.ack)! }),
  });

  /** Attempt `before + 1` failed: dead-lettered when permanent or the last allowed, else due after the backoff. */
  async function recordFailure(
    executor: Kysely<MessageTables>,
    id: number,
    before: number,
    reason: string,
    options: { permanent?: boolean } & AttemptResult,
  ): Promise<MessageState> {
    const attempts = before + 1;
    const dead = options.permanent === true || attempts >= settings.retry.maxAttempts;
    const at = now();
    await updateMessage(
      executor,
      id,
      {
        state: dead ? 'dead-letter' : 'failed',
        attempts,
        next_attempt_at: dead ? null : later(retryDelayMs(settings.retry, attempts)),
        locked_until: null,
        last_error: reason.slice(0, 2000),
        ...(options.ackCode === undefined ? {} : { ack_code: options.ackCode }),
        ...(options.ack === undefined ? {} : { ack: toBuffer(options.ack)! }),
      },
      at,
    );
    return dead ? 'dead-letter' : 'failed';
  }

  return {
    /**
     * Stores an arriving message. A message whose sender and control ID (MSH-3, MSH-4, MSH-10) were seen
     * before is stored as a duplicate of the first and is not processed again (HL7 v2.5.1 2.10.1: a sender
     * that lost the ACK resends the same message).
     */
    receive: async (
      message: NewMessage,
      /** The ACK already decided (enhanced mode's commit ACK), stored with the message; not for a duplicate. */
      ack?: { code: string; bytes: Uint8Array },
    ): Promise<{ message: MessageSummary; duplicateOf?: number }> => {
      const dedupKey = message.controlId
        ? JSON.stringify([
            message.protocol,
            message.sendingApplication,
            message.sendingFacility,
            message.controlId,
          ])
        : null;
      const asDuplicate = async (executor: Kysely<MessageTables>, original: number) => ({
        message: await insertMessage(executor, {
          direction: 'inbound',
          message,
          state: 'duplicate',
          now: now(),
          duplicateOf: original,
        }),
        duplicateOf: original,
      });
      const store = async (trx: Kysely<MessageTables>) => {
        // One statement for a new message: the unique dedup key tells a duplicate (not inserted).
        const stored = await insertMessage(
          trx,
          {
            direction: 'inbound',
            message,
            state: 'pending',
            now: now(),
            dedupKey,
            ...(ack ? { ackCode: ack.code, ack: ack.bytes } : {}),
          },
          { unlessDuplicate: true },
        );
        if (stored !== undefined) return { message: stored };
        const original = await findByDedupKey(trx, dedupKey!);
        if (original === undefined) throw new Error('a message was refused as a duplicate of none');
        return asDuplicate(trx, original);
      };
      try {
        // Committed with whatever else arrived meanwhile (group commit), and only then answered.
        return await writes.run(store);
      } catch (error) {
        // Two nodes raced with the same control ID: the unique key decided which came first.
        const original =
          isUniqueViolation(error) && dedupKey !== null ? await findByDedupKey(db, dedupKey) : undefined;
        if (original === undefined) throw error;
        return asDuplicate(db, original);
      }
    },

    /** Keeps a message refused on arrival, with the reason, for the record (and a replay once fixed). */
    reject: (message: NewMessage, reason: string): Promise<MessageSummary> =>
      writes.run((trx) =>
        insertMessage(trx, {
          direction: 'inbound',
          message,
          state: 'rejected',
          now: now(),
          lastError: reason,
        }),
      ),

    /** Queues a message to send; with `source`, queueing the same thing twice is a no-op (undefined). */
    enqueue: async (message: NewMessage, source?: string): Promise<MessageSummary | undefined> => {
      try {
        return await insertMessage(db, {
          direction: 'outbound',
          message,
          state: 'pending',
          now: now(),
          source: source ?? null,
        });
      } catch (error) {
        if (source !== undefined && isUniqueViolation(error)) return undefined;
        throw error;
      }
    },

    /**
     * `enqueue` inside the caller's transaction (an event consumer's, so that the message and the cursor
     * move together). The source is looked up first rather than caught as a unique violation: on
     * PostgreSQL a failed statement would abort the caller's whole transaction.
     */
    enqueueIn: async (
      trx: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
      message: NewMessage,
      source: string,
    ): Promise<MessageSummary | undefined> => {
      const executor = trx as Kysely<MessageTables>;
      if (await findBySource(executor, source)) return undefined;
      return insertMessage(executor, {
        direction: 'outbound',
        message,
        state: 'pending',
        now: now(),
        source,
      });
    },

    /** Takes the next due message of a direction (oldest first, in order per key) with a lease. */
    claimNext: async (direction: MessageDirection): Promise<StoredMessage | undefined> => {
      const at = now();
      for (const id of await dueMessageIds(db, direction, at, CLAIM_BATCH)) {
        if (await leaseMessage(db, id, at, later(settings.leaseMs))) return loadMessage(db, id);
      }
      return undefined;
    },

    /**
     * Takes up to `limit` due messages of a direction at once (each the oldest waiting of its key, so they
     * may be handled in any order), leased in one statement: a worker's batch.
     */
    claimDue: async (
      direction: MessageDirection,
      limit = CLAIM_BATCH,
      /** Shorter than the default for work that takes milliseconds: after a crash its messages wait less. */
      leaseMs = settings.leaseMs,
    ): Promise<StoredMessage[]> => {
      const at = now();
      return leaseMessages(db, await dueMessageIds(db, direction, at, limit), at, later(leaseMs));
    },

    /**
     * Takes up to `limit` due messages (each the oldest waiting of its key) and handles them one after the
     * other in ONE transaction: each message's effects (through services bound to the database `handle` is
     * given) and its new state commit together, so a message is processed exactly once, and one commit
     * carries the whole batch. A failed message's effects are undone (its savepoint) before its failure is
     * recorded. A crash before the commit leaves the whole batch waiting, as if never taken.
     */
    processDue: (
      direction: MessageDirection,
      limit: number,
      handle: (message: StoredMessage, database: Database) => Promise<Handled>,
    ): Promise<BatchResult[]> =>
      batches.run(async (inner) => {
        const trx = inner.kysely as Kysely<MessageTables>;
        const at = now();
        const due = await dueMessageIds(trx, direction, at, limit);
        // SQLite: the batch holds the write lock from its first statement to its commit, so no one else can
        // take these messages meanwhile; they are read, not leased (leasing rewrote each row and its due
        // index entry for nothing). PostgreSQL: the lease's row locks make another node's batch wait here
        // and then skip what this one took.
        const batch =
          database.dialect === 'sqlite'
            ? await loadMessages(trx, due)
            : await leaseMessages(trx, due, at, later(settings.leaseMs));
        const results: BatchResult[] = [];
        for (const message of batch) {
          let handled: Handled;
          try {
            handled = await inner.kysely.transaction().execute(async () => {
              const result = await handle(message, inner);
              if (!result.ok) throw new UndoMessage(result);
              return result;
            });
          } catch (error) {
            // A handler that threw instead of answering: undone like a failure, and tried again later.
            handled =
              error instanceof UndoMessage
                ? error.handled
                : { ok: false, reason: (error as Error)?.message ?? String(error), permanent: false };
          }
          await batches.settle();
          const done = now();
          if (handled.ok) {
            await markProcessed(trx, message.id, handled.outcome, done);
            results.push({ message, state: 'processed', handled });
          } else {
            const state = await recordFailure(trx, message.id, message.attempts, handled.reason, {
              permanent: handled.permanent,
            });
            results.push({ message, state, handled });
          }
        }
        return results;
      }),

    /** The message's work is done (processed, or sent and acknowledged). */
    complete: async (id: number, result: AttemptResult = {}): Promise<void> => {
      const at = now();
      if (!(await finishAttempt(db, id, processedChange(at, result), at)))
        throw notFound('message', String(id));
    },

    /**
     * An attempt failed. A permanent failure (the message itself is wrong), or the last allowed attempt,
     * dead-letters it with the reason; otherwise it is tried again after the backoff.
     */
    fail: async (
      id: number,
      reason: string,
      options: { permanent?: boolean } & AttemptResult = {},
    ): Promise<MessageState> => {
      const before = await attemptsOf(db, id);
      if (before === undefined) throw notFound('message', String(id));
      return recordFailure(db, id, before, reason, options);
    },

    /** Records the acknowledgment sent for an inbound message. */
    recordAck: (id: number, ackCode: string, ack: Uint8Array): Promise<void> =>
      writes.run((trx) => updateMessage(trx, id, { ack_code: ackCode, ack: toBuffer(ack)! }, now())),

    /** When the next waiting message of a direction is due (undefined: none waits). */
    nextDueAt: (direction: MessageDirection) => nextDueAt(db, direction),

    // What people do with the log (the REST API, the CLI), each guarded by hl7.admin at the service.
    ...people(),
  };

  function people() {
    const operations = {
      /** One message with its bytes and acknowledgment. */
      get: (ctx: RequestContext, id: number): Promise<StoredMessage> =>
        audited(ctx, { action: 'message.read', detail: { messageId: id } }, () => requireMessage(id)),

      /** Messages newest first, with the total for paging; payloads left out. */
      list: (ctx: RequestContext, search: MessageSearch) =>
        audited(
          ctx,
          { action: 'message.search', detail: { ...search } },
          () => {
            const limit = search.limit ?? 50;
            const offset = search.offset ?? 0;
            if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT)
              throw invalid(`limit must be a whole number from 0 to ${MAX_LIMIT}`);
            if (!Number.isInteger(offset) || offset < 0)
              throw invalid('offset must be a non-negative whole number');
            return searchMessages(db, {
              direction: search.direction === undefined ? undefined : parseDirection(search.direction),
              states: search.state?.split(',').map((s) => parseState(s.trim())),
              controlId: search.controlId,
              limit,
              offset,
            });
          },
          (result) => ({ total: result.total, returned: result.messages.length }),
        ),

      /** How many messages are in each state, per direction. */
      counts: async (_ctx: RequestContext): Promise<MessageCounts> => {
        const empty = () =>
          Object.fromEntries(MESSAGE_STATES.map((s) => [s, 0])) as Record<MessageState, number>;
        const counts: MessageCounts = { inbound: empty(), outbound: empty() };
        for (const row of await countMessages(db)) {
          const direction = counts[row.direction as MessageDirection];
          if (direction) direction[row.state as MessageState] = row.count;
        }
        return counts;
      },

      /**
       * Runs a message again from the start (inbound: processed again; outbound: sent again): a dead letter
       * once its cause is fixed, or a processed message on purpose. Duplicates and waiting messages cannot.
       */
      replay: (ctx: RequestContext, id: number, direction: MessageDirection): Promise<MessageSummary> =>
        audited(
          ctx,
          {
            action: direction === 'inbound' ? 'message.replay' : 'message.resend',
            detail: { messageId: id },
          },
          async () => {
            const message = await requireMessage(id);
            if (message.direction !== direction) {
              throw invalid(
                `message ${id} is ${message.direction}: ${direction === 'inbound' ? 'resend' : 'replay'} it instead`,
              );
            }
            if (message.state === 'duplicate') {
              throw conflict(
                `message ${id} is a duplicate of message ${message.duplicateOf}; replay that one`,
              );
            }
            if (message.state === 'pending' || message.state === 'failed') {
              throw conflict(
                `message ${id} is ${message.state}: it is waiting to be ${direction === 'inbound' ? 'processed' : 'sent'} already`,
              );
            }
            const at = now();
            await updateMessage(
              db,
              id,
              {
                state: 'pending',
                attempts: 0,
                next_attempt_at: at,
                locked_until: null,
                last_error: null,
                processed_at: null,
              },
              at,
            );
            return (await loadMessage(db, id))!;
          },
        ),
    };
    return authorizedService(database, 'messages', operations, {
      get: 'hl7.admin',
      list: 'hl7.admin',
      counts: 'hl7.admin',
      replay: 'hl7.admin',
    });
  }
}

export type MessageLog = ReturnType<typeof createMessageLog>;

function parseDirection(value: string): MessageDirection {
  if (value === 'inbound' || value === 'outbound') return value;
  throw invalid(`direction must be inbound or outbound, got '${value}'`);
}

function parseState(value: string): MessageState {
  if ((MESSAGE_STATES as readonly string[]).includes(value)) return value as MessageState;
  throw invalid(`state must be one of ${MESSAGE_STATES.join(', ')}, got '${value}'`);
}
