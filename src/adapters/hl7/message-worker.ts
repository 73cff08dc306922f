import type {
  MessageDirection,
  MessageLog,
  MessageState,
  StoredMessage,
} from '../../platform/messages/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { FailureClass } from './hl7-ack.js';

/** How one attempt at a message ended. */
export interface AttemptReport {
  state: MessageState;
  failure?: FailureClass;
  outcome?: string;
}

export interface MessageWorker {
  start(): void;
  /** Finishes the attempt under way and stops. */
  stop(): Promise<void>;
  /** Something new was stored: look now instead of at the next poll. */
  wake(): void;
  /** Resolves with the first attempt's report of message `id`, or undefined after `timeoutMs`. */
  waitFor(id: number, timeoutMs: number): Promise<AttemptReport | undefined>;
}

/** Runs one batch of due messages (at most `limit`); resolves with each message's report. */
export type BatchRunner = (limit: number) => Promise<{ id: number; report: AttemptReport }[]>;

/**
 * A batch runner that claims due messages with a lease and runs `attempt` on each in turn, each recording
 * its own result (the outbound side: a send waits on a peer, so no transaction may stay open meanwhile).
 */
export function attemptEach(
  messages: MessageLog,
  direction: MessageDirection,
  attempt: (message: StoredMessage) => Promise<AttemptReport>,
  log: Logger,
  leaseMs?: number,
): BatchRunner {
  return async (limit) => {
    const done: { id: number; report: AttemptReport }[] = [];
    for (const message of await messages.claimDue(direction, limit, leaseMs)) {
      let report: AttemptReport;
      try {
        report = await attempt(message);
      } catch (error) {
        // attempt records its own failures; reaching here means the log itself failed. The lease lapses.
        log.error({ err: error, messageId: message.id }, 'message attempt could not be recorded');
        report = { state: 'failed' };
      }
      done.push({ id: message.id, report });
    }
    return done;
  };
}

/**
 * One worker per direction: runs due messages a batch at a time (the log keeps them in order per key), and
 * sleeps until woken, until the next retry is due, or `pollMs` (other nodes' messages, lapsed leases).
 */
export function createMessageWorker(options: {
  messages: MessageLog;
  direction: MessageDirection;
  run: BatchRunner;
  pollMs: number;
  /** Messages taken at once (default 20). Sends that may wait long on a peer take 1, so leases hold. */
  batch?: number;
  log: Logger;
}): MessageWorker {
  const waiters = new Map<number, Set<(report: AttemptReport) => void>>();
  // Reports of the latest attempts, for a waiter that asks just after the attempt finished.
  const recent = new Map<number, AttemptReport>();
  const RECENT = 1000;
  let running = false;
  let loop: Promise<void> | undefined;
  let sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  let woken = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || !running) return resolve();
      sleeping = { timer: setTimeout(resolve, ms), resolve };
    }).finally(() => {
      if (sleeping) clearTimeout(sleeping.timer);
      sleeping = undefined;
    });

  const settle = (id: number, report: AttemptReport) => {
    recent.set(id, report);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
    for (const notify of waiters.get(id) ?? []) notify(report);
    waiters.delete(id);
  };

  async function run(): Promise<void> {
    while (running) {
      woken = false;
      const limit = options.batch ?? 20;
      let done: { id: number; report: AttemptReport }[] = [];
      try {
        done = await options.run(limit);
      } catch (error) {
        options.log.error({ err: error }, 'message log unavailable');
      }
      for (const { id, report } of done) settle(id, report);
      // A full batch: more may wait. Otherwise go on when woken (a message stored meanwhile), not at once:
      // an empty batch still costs a transaction.
      if (done.length >= limit) continue;
      if (woken) continue;
      const due = await options.messages.nextDueAt(options.direction).catch(() => undefined);
      const untilDue = due === undefined ? options.pollMs : Date.parse(due) - Date.now();
      await sleep(Math.max(10, Math.min(options.pollMs, untilDue)));
    }
  }

  return {
    start: () => {
      if (running) return;
      running = true;
      loop = run();
    },
    stop: async () => {
      running = false;
      sleeping?.resolve();
      await loop;
    },
    wake: () => {
      woken = true;
      sleeping?.resolve();
    },
    waitFor: (id, timeoutMs) =>
      new Promise((resolve) => {
        const done = recent.get(id);
        if (done) return resolve(done);
        const set = waiters.get(id) ?? new Set();
        waiters.set(id, set);
        const timer = setTimeout(() => {
          set.delete(notify);
          resolve(undefined);
        }, timeoutMs);
        const notify = (report: AttemptReport) => {
          clearTimeout(timer);
          resolve(report);
        };
        set.add(notify);
      }),
  };
}
