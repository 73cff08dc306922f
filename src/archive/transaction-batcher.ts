import type { Database, Kysely } from '../platform/db/index.js';

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Job {
  work: (trx: Executor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 64;

/**
 * Group commit for the ingest path: index writes that arrive while a transaction is running wait and then
 * share the next one. Under load one commit carries many instances (one WAL write, far fewer pages). Each
 * write still commits or fails on its own terms: when a batch fails, its writes are retried one transaction
 * each, so only the bad one fails.
 *
 * A batch starts at the end of the event loop's turn (setImmediate), not at the first write: on SQLite a
 * transaction runs without yielding to I/O, so writes readied by the same turn (several associations'
 * instances completed by one poll) would otherwise each get a commit of their own.
 */
export class TransactionBatcher {
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(private readonly database: Database) {}

  run<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const transaction = <T>(work: (trx: Executor) => Promise<T>) =>
      this.database.kysely.transaction().execute(work);
    try {
      const results = await transaction(async (trx) => {
        const out: unknown[] = [];
        for (const job of batch) out.push(await job.work(trx));
        return out;
      });
      batch.forEach((job, i) => job.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const job of batch) {
        await transaction(job.work).then(job.resolve, job.reject);
      }
    }
  }
}
