import type { Database, Kysely } from '../db/index.js';

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Write {
  work: (trx: Executor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes in one commit at most: enough to carry every connection's waiting messages, short enough to answer soon. */
const MAX_GROUP = 128;

/**
 * Group commit for the message log's small writes (an arriving message, an ACK recorded): writes that come
 * while a commit is under way wait for it and then share the next one, so many connections and pipelined
 * messages cost one commit instead of one each. Alone, a write commits at once. Every write still resolves
 * only after its commit, and fails on its own: when a group fails, its writes are retried one by one.
 */
export function createGroupCommit(database: Database) {
  const queue: Write[] = [];
  let draining = false;
  const transaction = <T>(work: (trx: Executor) => Promise<T>) => database.kysely.transaction().execute(work);

  async function commitGroup(group: Write[]): Promise<void> {
    try {
      const results = await transaction(async (trx) => {
        const out: unknown[] = [];
        for (const write of group) out.push(await write.work(trx));
        return out;
      });
      group.forEach((write, i) => write.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const write of group) await transaction(write.work).then(write.resolve, write.reject);
    }
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await commitGroup(queue.splice(0, MAX_GROUP));
    } finally {
      draining = false;
    }
  }

  return {
    /** Runs `work` in the next group's transaction; resolves once that transaction committed. */
    run<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (draining) return;
        draining = true;
        // After this turn's I/O: writes of the other connections that are readable now join this commit.
        setImmediate(() => void drain());
      });
    },
  };
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;
