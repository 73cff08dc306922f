import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
} from 'kysely';
import type { Database } from '../db/index.js';

/**
 * Batches in one transaction each, on one connection: `run(work)` opens the transaction and hands `work` a
 * `Database` whose own transactions are savepoints inside it. Services bound to that database (they open
 * their transactions as usual) then commit together with whatever else `work` writes: a batch of messages
 * and their effects in one commit, each message's effects still undone alone when it fails. The inner
 * database, and the services bound to it, are built once and serve every batch (building them per batch
 * cost more than a small batch's work); batches run one after the other. On SQLite the transaction takes
 * the write lock up front (BEGIN IMMEDIATE), as every transaction here does.
 */
export function createBatchTransactions(database: Database) {
  let current: DatabaseConnection | undefined;
  let depth = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const connection = () => {
    if (!current) throw new Error('the batch database was used outside a batch');
    return current;
  };
  const raw = (text: string) =>
    connection()
      .executeQuery(CompiledQuery.raw(text))
      .then(() => undefined);
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection(),
    beginTransaction: () => raw(`savepoint batch_${++depth}`),
    commitTransaction: () => raw(`release savepoint batch_${depth--}`),
    rollbackTransaction: async () => {
      const name = `batch_${depth--}`;
      await raw(`rollback to savepoint ${name}`);
      await raw(`release savepoint ${name}`);
    },
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  const sqlite = database.dialect === 'sqlite';
  const dialect: Dialect = {
    createDriver: () => driver,
    createAdapter: () => (sqlite ? new SqliteAdapter() : new PostgresAdapter()),
    createQueryCompiler: () => (sqlite ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    createIntrospector: (db) => (sqlite ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
  };
  // Writes held while a unit's savepoint is open (a failure's audit record), made once it is settled.
  const deferred: (() => Promise<void>)[] = [];
  const inner: Database = {
    kysely: new Kysely<any>({ dialect }), // eslint-disable-line @typescript-eslint/no-explicit-any
    dialect: database.dialect,
    location: database.location,
    // The outer transaction decides what reaches the disk; nothing to flush or close from inside.
    flush: async () => undefined,
    close: async () => undefined,
    deferUntilSettled: (write) => {
      if (depth === 0) return false;
      deferred.push(write);
      return true;
    },
  };

  const runNow = <T>(work: (inner: Database) => Promise<T>): Promise<T> =>
    database.kysely.getExecutor().provideConnection(async (held) => {
      await held.executeQuery(CompiledQuery.raw(sqlite ? 'begin immediate' : 'begin'));
      current = held;
      depth = 0;
      deferred.length = 0;
      try {
        const result = await work(inner);
        await held.executeQuery(CompiledQuery.raw('commit'));
        return result;
      } catch (error) {
        await held.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
        throw error;
      } finally {
        current = undefined;
      }
    });

  return {
    /** The database `run` hands out: valid only inside a batch. */
    database: inner,
    /**
     * Inside `run`, once a unit's savepoint is released or rolled back: makes the writes it deferred, in the
     * batch's transaction (so a failure's audit record commits with the failure it describes).
     */
    async settle(): Promise<void> {
      for (const write of deferred.splice(0)) await write();
    },
    /** Runs `work` in one transaction (after the batch before it); commits if it resolves. */
    run<T>(work: (inner: Database) => Promise<T>): Promise<T> {
      const next = queue.then(() => runNow(work));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
