import type { Kysely } from 'kysely';
import { LanternError } from '../../platform/errors.js';
import { createEventConsumer, type StoredEvent } from '../../platform/events/index.js';
import type { Logger } from '../../platform/log/index.js';

/** The database the outbox lives in (typed through platform/events: a door does not reach platform/db). */
export type OutboxDatabase = Parameters<typeof createEventConsumer>[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OutboxTransaction = Kysely<any>;

/** An event batch reached the consumer before its documents were read: read them, then poll again. */
class Unprepared extends Error {
  constructor(readonly events: StoredEvent[]) {
    super(`${events.length} events to prepare`);
  }
}

export interface EventRelayOptions<D> {
  /** The durable cursor's name (event_consumer). */
  name: string;
  types: readonly string[];
  /** Off: events are read and passed over (nothing is sent for them later either). */
  enabled: boolean;
  intervalMs?: number;
  /** What the messages of an event need, read through the services; null: nothing to send. */
  prepare: (event: StoredEvent) => Promise<D | null>;
  /** Queues the event's messages in the transaction that moves the cursor. */
  deliver: (document: D, event: StoredEvent, trx: OutboxTransaction) => Promise<unknown>;
}

/**
 * Outbox events → queued outbound messages, exactly once per event: a durable outbox consumer queues them in
 * the transaction that moves its cursor, so a crash neither loses an event nor queues it twice. The documents
 * are read through the services before that transaction (they use their own connection, and SQLite has one):
 * a batch whose documents are missing is rolled back, its documents read, and polled again.
 */
export function createEventRelay<D>(database: OutboxDatabase, options: EventRelayOptions<D>, log: Logger) {
  // event id → its document; null: nothing to send.
  const prepared = new Map<number, D | null>();
  const consumer = createEventConsumer(database, {
    name: options.name,
    types: options.types,
    handle: async (trx, events) => {
      const missing = events.filter((e) => !prepared.has(e.id));
      if (missing.length > 0) throw new Unprepared(missing);
      for (const event of events) {
        const document = prepared.get(event.id);
        if (document) await options.deliver(document, event, trx);
      }
    },
  });

  async function prepare(event: StoredEvent): Promise<D | null> {
    if (!options.enabled) return null;
    try {
      return await options.prepare(event);
    } catch (error) {
      // Gone (a deleted order or patient) is final: skip it. Anything else is retried on the next run.
      if (error instanceof LanternError && error.code === 'not-found') {
        log.warn(
          { eventId: event.id, relay: options.name, reason: error.message },
          'event not sent: its data is gone',
        );
        return null;
      }
      throw error;
    }
  }

  /** Queues the messages of every new event; resolves with how many events were read. */
  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      let read: number;
      try {
        read = await consumer.poll();
      } catch (error) {
        if (!(error instanceof Unprepared)) throw error;
        for (const event of error.events) prepared.set(event.id, await prepare(event));
        continue;
      }
      prepared.clear();
      total += read;
      if (read === 0) return total;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const interval = options.intervalMs ?? 1000;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => log.error({ err: error, relay: options.name }, 'event relay: run failed'))
        .finally(schedule);
    }, interval);
  };
  return {
    runOnce,
    /** Looks for new events every `intervalMs` while serving. */
    start: () => {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type EventRelay = ReturnType<typeof createEventRelay>;
