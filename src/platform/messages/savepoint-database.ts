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
 * Runs `work` in one transaction on one connection, handing it a `Database` whose own transactions are
 * savepoints inside that one. Services bound to that database (they open their transactions as usual) then
 * commit together with whatever else `work` writes: a batch of messages and their effects in one commit,
 * each message's effects still undone alone when it fails (`inner` is the per-message savepoint).
 * On SQLite the transaction takes the write lock up front (BEGIN IMMEDIATE), as every transaction here does.
 */
export async function inOneTransaction<T>(
  database: Database,
  work: (inner: Database) => Promise<T>,
): Promise<T> {
  return database.kysely.getExecutor().provideConnection(async (connection) => {
    await connection.executeQuery(
      CompiledQuery.raw(database.dialect === 'sqlite' ? 'begin immediate' : 'begin'),
    );
    const inner = savepointDatabase(database, connection);
    try {
      const result = await work(inner);
      await connection.executeQuery(CompiledQuery.raw('commit'));
      return result;
    } catch (error) {
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw error;
    } finally {
      await inner.close();
    }
  });
}

/** A database on a connection already inside a transaction: queries run there, transactions nest. */
function savepointDatabase(outer: Database, connection: DatabaseConnection): Database {
  let depth = 0;
  const raw = (text: string) => connection.executeQuery(CompiledQuery.raw(text)).then(() => undefined);
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
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
  const sqlite = outer.dialect === 'sqlite';
  const dialect: Dialect = {
    createDriver: () => driver,
    createAdapter: () => (sqlite ? new SqliteAdapter() : new PostgresAdapter()),
    createQueryCompiler: () => (sqlite ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    createIntrospector: (db) => (sqlite ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
  };
  const kysely = new Kysely<any>({ dialect }); // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    kysely,
    dialect: outer.dialect,
    location: outer.location,
    // The outer transaction decides what reaches the disk; nothing to flush or close from inside.
    flush: async () => undefined,
    close: () => kysely.destroy(),
  };
}
