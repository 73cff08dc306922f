// Real databases for tests: SQLite in a temporary folder, and PostgreSQL when LANTERN_TEST_POSTGRES_URL names a
// server (`.ci/run` starts one with scripts/test-postgres.sh). Each test database is new and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { migrate, openDatabase, type Database, type DialectName } from '../../src/platform/db/index.js';

export interface TestDatabase {
  kind: DialectName;
  database: Database;
  /** A fresh folder for blobs and other files of the test. */
  dataDir: string;
  cleanup(): Promise<void>;
}

/** The dialects to run database tests on. In CI both are required: a missing PostgreSQL fails loudly. */
export function testDialects(): DialectName[] {
  if (process.env.LANTERN_TEST_POSTGRES_URL) return ['sqlite', 'postgres'];
  if (process.env.CI) throw new Error('LANTERN_TEST_POSTGRES_URL is not set: CI must test PostgreSQL too');
  return ['sqlite'];
}

export async function openTestDatabase(kind: DialectName): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lantern-test-'));
  if (kind === 'sqlite') {
    const database = openDatabase({ url: '', dataDir, sqliteSynchronous: 'normal' });
    await migrate(database);
    return {
      kind,
      database,
      dataDir,
      cleanup: async () => {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.LANTERN_TEST_POSTGRES_URL!;
  const name = `lantern_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ url: url.toString(), dataDir, sqliteSynchronous: 'normal' });
  await migrate(database);
  return {
    kind,
    database,
    dataDir,
    cleanup: async () => {
      await database.close();
      await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For a suite (call it inside `describe`): opens a new test database on each call, and drops them all once
 * the suite is done.
 */
export function freshTestDatabases(kind: DialectName): () => Promise<TestDatabase> {
  const open: TestDatabase[] = [];
  after(() => Promise.all(open.map((t) => t.cleanup())));
  return async () => {
    const t = await openTestDatabase(kind);
    open.push(t);
    return t;
  };
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
