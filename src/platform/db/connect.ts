import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
  type SqliteDatabase as KyselySqliteDatabase,
} from 'kysely';
import { WalCheckpointer } from './wal-checkpointer.js';

export type DialectName = 'sqlite' | 'postgres';

/** The database handle every repo receives. Modules cast `kysely` to their own table types (tables.ts). */
export interface Database {
  readonly kysely: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly dialect: DialectName;
  /** Where the data lives, for messages: the SQLite file or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Puts every committed transaction on disk (SQLite in `normal` mode defers that to checkpoints). */
  flush(): Promise<void>;
  /**
   * Inside one unit of a batch (platform/messages: a message's savepoint), holds a write that must outlive
   * the unit's rollback, such as the audit record of the failure that undoes it, until the unit is settled;
   * answers false where there is no such unit and the caller writes at once.
   */
  deferUntilSettled?(write: () => Promise<void>): boolean;
  close(): Promise<void>;
}

export interface DatabaseSettings {
  url: string;
  dataDir: string;
  sqliteSynchronous: 'normal' | 'full';
}

// Transactions take SQLite's write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads and
// then writes fails with SQLITE_BUSY when another process (`lantern import` beside `lantern serve`) wrote
// in between, and busy_timeout cannot help with that upgrade.
// After each commit the checkpointer is told, so that checkpoints happen on its thread (see WalCheckpointer).
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly checkpointer: WalCheckpointer | undefined,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection);
    this.checkpointer?.committed();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly database: KyselySqliteDatabase,
    private readonly checkpointer: WalCheckpointer | undefined,
  ) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database }, this.checkpointer);
  }
}

// Kysely prepares every statement anew; on the ingest path that costs as much as running it. The same SQL
// text reuses its prepared statement (bounded: queries with IN lists make many distinct texts).
const STATEMENT_CACHE_SIZE = 256;
// 80 MiB of WAL before the connection checkpoints by itself (SQLite's default is 1000 pages, 4 MiB).
const SAFETY_NET_CHECKPOINT_PAGES = 20_000;

function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

// PostgreSQL returns BIGINT (int8) and COUNT(*) as strings; every such value here fits a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

export function openDatabase(settings: DatabaseSettings): Database {
  if (/^postgres(ql)?:\/\//.test(settings.url)) return openPostgres(settings.url);
  const file =
    settings.url === '' ? join(settings.dataDir, 'lantern.db') : settings.url.replace(/^sqlite:/, '');
  return openSqlite(file, settings.sqliteSynchronous);
}

function openSqlite(file: string, synchronous: 'normal' | 'full'): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  const checkpointer = file === ':memory:' ? undefined : new WalCheckpointer(file);
  // A safety net only: checkpoints run on the checkpointer's thread, every 64 commits.
  if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_CHECKPOINT_PAGES}`);
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  // DICOM matching is case-sensitive except where a rule says otherwise (PS3.4 C.2.2.2); PostgreSQL agrees.
  sqlite.pragma('case_sensitive_like = ON');
  const dialect = new ImmediateSqliteDialect(withStatementCache(sqlite), checkpointer);
  const kysely = new Kysely<any>({ dialect }); // eslint-disable-line @typescript-eslint/no-explicit-any
  // A checkpoint syncs the WAL before copying it back, so every committed transaction is then on disk.
  const flush = async () => void (await sql`pragma wal_checkpoint(PASSIVE)`.execute(kysely));
  const close = async () => {
    await checkpointer?.close();
    await kysely.destroy();
  };
  return { kysely, dialect: 'sqlite', location: file, flush, close };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A dropped connection must not take the process down; the next query gets a fresh one.
  pool.on('error', () => undefined);
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    kysely,
    dialect: 'postgres',
    location: url.replace(/:[^:@/]*@/, ':***@'),
    // PostgreSQL's commits are durable when they return (synchronous_commit); nothing to flush.
    flush: async () => undefined,
    close: () => kysely.destroy(),
  };
}
