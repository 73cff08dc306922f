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

/**
 * One worker per direction: takes due messages from the log a batch at a time (the log keeps them in order
 * per key), runs `attempt` on each in turn, and sleeps until woken, until the next retry is due, or `pollMs` (other nodes'
 * messages, lapsed leases).
 */
export function createMessageWorker(options: {
  messages: MessageLog;
  direction: MessageDirection;
  attempt: (message: StoredMessage) => Promise<AttemptReport>;
  pollMs: number;
  /** Messages claimed at once (default 20). Sends that may wait long on a peer take 1, so leases hold. */
  batch?: number;
  /** How long a claimed batch stays leased (default: the log's); a crashed process's batch waits this long. */
  leaseMs?: number;
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
      let batch: StoredMessage[] = [];
      try {
        // A batch at a time: one query and one lease for up to 20 messages (each the head of its key).
        batch = await options.messages.claimDue(options.direction, options.batch ?? 20, options.leaseMs);
      } catch (error) {
        options.log.error({ err: error }, 'message log unavailable');
      }
      for (const message of batch) {
        let report: AttemptReport;
        try {
          report = await options.attempt(message);
        } catch (error) {
          // attempt records its own failures; reaching here means the log itself failed. The lease lapses.
          options.log.error({ err: error, messageId: message.id }, 'message attempt could not be recorded');
          report = { state: 'failed' };
        }
        settle(message.id, report);
      }
      if (batch.length > 0) continue;
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
