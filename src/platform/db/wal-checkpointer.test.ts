import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { openDatabase, sql } from './index.js';

test('committed pages reach the database file without a checkpoint on the connection, and close leaves no WAL', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lantern-wal-'));
  const database = openDatabase({ url: '', dataDir, sqliteSynchronous: 'normal' });
  const file = join(dataDir, 'lantern.db');
  await sql`create table item (id integer primary key, body text not null)`.execute(database.kysely);
  const before = statSync(file).size;
  // The connection itself checkpoints only past 20,000 pages; these 200 small commits stay far below.
  for (let i = 0; i < 200; i++) {
    await database.kysely
      .transaction()
      .execute((trx) => sql`insert into item (body) values (${'x'.repeat(2000)})`.execute(trx));
  }
  // The checkpoint runs on the worker, after the commits: wait until the database file has the rows.
  for (let i = 0; i < 200 && statSync(file).size <= before + 100 * 2000; i++) await sleep(50);
  assert.ok(statSync(file).size > before + 100 * 2000, `database file only ${statSync(file).size} bytes`);
  await database.close();
  assert.equal(existsSync(`${file}-wal`), false);
});
