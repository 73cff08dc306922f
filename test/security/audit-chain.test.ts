// `lantern audit verify` as an operator runs it, on copies of a real server's database that an attacker
// changed: a record edited, a record from the middle removed, the newest record removed, the newest records
// removed together with the chain head set back. Each must fail (exit status 1) and name the first record
// that no longer verifies.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { runLantern } from '../support/lantern-cli.js';
import { startServe } from '../support/lantern-server.js';

let root: string;
let original: string;
let seqs: number[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'lantern-chain-'));
  original = join(root, 'original');
  const server = await startServe({
    LANTERN_DATA_DIR: original,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_SECURITY_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS: '1000',
    LANTERN_SECURITY_LOCKOUT_THRESHOLD: '1000',
  });
  try {
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `nobody${i}`, password: 'not the password at all' }),
      });
      assert.equal(response.status, 401);
    }
  } finally {
    await server.stop();
  }
  seqs = withDb(original, (db) =>
    (db.prepare('select seq from audit_event order by seq').all() as { seq: number }[]).map((r) => r.seq),
  );
  assert.ok(seqs.length >= 6, `records: ${seqs.length}`);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function withDb<T>(dataDir: string, work: (db: SqliteDatabase.Database) => T): T {
  const db = new SqliteDatabase(join(dataDir, 'lantern.db'));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** A copy of the server's data folder with `tamper` applied to its database. */
async function tampered(name: string, tamper: (db: SqliteDatabase.Database) => void): Promise<string> {
  const dir = join(root, name);
  await cp(original, dir, { recursive: true });
  withDb(dir, tamper);
  return dir;
}

const verify = (dataDir: string) => runLantern(['audit', 'verify'], { LANTERN_DATA_DIR: dataDir });

test('the untouched trail verifies, and the check is on the trail itself', async () => {
  const dir = await tampered('untouched', () => {});
  const result = await verify(dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, new RegExp(`intact: ${seqs.length} records`));
  const again = await verify(dir);
  assert.match(again.stdout, new RegExp(`intact: ${seqs.length + 1} records`));
  const last = withDb(dir, (db) =>
    db.prepare('select action, actor_kind, door from audit_event order by seq desc limit 1').get(),
  );
  assert.deepEqual(last, { action: 'audit.verify', actor_kind: 'system', door: 'cli' });
});

test('an edited record makes verify fail and names it', async () => {
  const target = seqs[2]!;
  const dir = await tampered('edited', (db) =>
    db.prepare("update audit_event set actor_id = 'someone-else' where seq = ?").run(target),
  );
  const result = await verify(dir);
  assert.equal(result.code, 1, result.stderr + result.stdout);
  assert.match(result.stdout, new RegExp(`BROKEN at record ${target} \\(.* by \\S+:someone-else.*changed`));
});

test('a record removed from the middle makes verify fail and names the missing one', async () => {
  const target = seqs[3]!;
  const dir = await tampered('middle', (db) =>
    db.prepare('delete from audit_event where seq = ?').run(target),
  );
  const result = await verify(dir);
  assert.equal(result.code, 1, result.stderr + result.stdout);
  assert.match(result.stdout, new RegExp(`BROKEN at record ${target} \\(missing\\)`));
});

test('the newest records removed make verify fail and name the first missing one', async () => {
  const last = seqs.at(-1)!;
  const one = await verify(
    await tampered('newest', (db) => db.prepare('delete from audit_event where seq = ?').run(last)),
  );
  assert.equal(one.code, 1, one.stderr + one.stdout);
  assert.match(one.stdout, new RegExp(`BROKEN at record ${last} \\(missing\\)`));
  const two = await verify(
    await tampered('newest-two', (db) => db.prepare('delete from audit_event where seq >= ?').run(last - 1)),
  );
  assert.equal(two.code, 1, two.stderr + two.stdout);
  assert.match(two.stdout, new RegExp(`BROKEN at record ${last - 1} \\(missing\\)`));
});

test('the newest records cut together with the chain head set back: the anchor outside the database tells', async () => {
  const keep = seqs.at(-3)!;
  const dir = await tampered('cut-with-head', (db) => {
    const kept = db.prepare('select hash from audit_event where seq = ?').get(keep) as { hash: string };
    db.prepare('delete from audit_event where seq > ?').run(keep);
    db.prepare('update audit_chain_head set seq = ?, last_hash = ? where id = 1').run(keep, kept.hash);
  });
  const result = await verify(dir);
  assert.equal(result.code, 1, result.stderr + result.stdout);
  assert.match(result.stdout, new RegExp(`BROKEN at record ${keep + 1} \\(missing\\)`));
  // Without the anchor (security/audit-anchor.json, written by the server as it stopped) nothing shows.
  await rm(join(dir, 'security', 'audit-anchor.json'));
  const blind = await verify(dir);
  assert.equal(blind.code, 0, blind.stderr + blind.stdout);
});
