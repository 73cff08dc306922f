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
  type DatabaseConnection,
  type Driver,
} from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** The database handle every repo receives. Modules cast `kysely` to their own table types (tables.ts). */
export interface Database {
  readonly kysely: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly dialect: DialectName;
  /** Where the data lives, for messages: the SQLite file or the PostgreSQL URL without its password. */
  readonly location: string;
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
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
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
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  // DICOM matching is case-sensitive except where a rule says otherwise (PS3.4 C.2.2.2); PostgreSQL agrees.
  sqlite.pragma('case_sensitive_like = ON');
  const kysely = new Kysely<any>({ dialect: new ImmediateSqliteDialect(sqlite) }); // eslint-disable-line @typescript-eslint/no-explicit-any
  return { kysely, dialect: 'sqlite', location: file, close: () => kysely.destroy() };
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
    close: () => kysely.destroy(),
  };
}
