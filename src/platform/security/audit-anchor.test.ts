import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../../test/support/test-databases.js';
import { createContext } from '../context.js';
import type { Database } from '../db/index.js';
import { silentLogger } from '../log/index.js';
import { anchorAuditChain, auditAnchorFile, readAuditAnchor } from './audit-anchor.js';
import { recordAuditAlone, verifyAuditChain } from './audit.js';

const ctx = createContext(silentLogger(), { kind: 'system', name: 'test' }, { door: 'cli' });

async function recordMany(database: Database, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await recordAuditAlone(database, ctx, { action: 'study.query', detail: { i } });
}

/** What someone with write access to the database alone can do: drop the newest rows and set the head back. */
async function cutBackTo(database: Database, seq: number): Promise<void> {
  const kept = await database.kysely
    .selectFrom('audit_event')
    .select('hash')
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
  await database.kysely.deleteFrom('audit_event').where('seq', '>', seq).execute();
  await database.kysely
    .updateTable('audit_chain_head')
    .set({ seq, last_hash: kept.hash })
    .where('id', '=', 1)
    .execute();
}

for (const dialect of testDialects()) {
  describe(`audit anchor on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);
    let dataDir: string;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'lantern-anchor-'));
    });
    after(async () => rm(dataDir, { recursive: true, force: true }));

    test('a chain cut back together with its head verifies alone, but not against its anchor', async () => {
      const database = (await freshDatabase()).database;
      const file = join(dataDir, `${dialect}-cut`, 'audit-anchor.json');
      await recordMany(database, 5);
      const anchor = await anchorAuditChain(database, file);
      assert.equal(anchor?.seq, 5);
      assert.deepEqual(await readAuditAnchor(file), anchor);

      await cutBackTo(database, 3);
      assert.deepEqual(await verifyAuditChain(database), { records: 3, intact: true });
      assert.deepEqual(await verifyAuditChain(database, anchor), {
        records: 3,
        intact: false,
        firstBrokenSeq: 4,
        problem: 'missing',
      });
      // New records written after the cut do not hide it, and the anchor keeps its evidence.
      await recordMany(database, 4);
      assert.deepEqual(await verifyAuditChain(database, anchor), {
        records: 4,
        intact: false,
        firstBrokenSeq: 5,
        problem: 'changed',
      });
      await assert.rejects(anchorAuditChain(database, file), /no longer holds its anchor, record 5/);
      assert.deepEqual(await readAuditAnchor(file), anchor);
    });

    test('the anchor follows a sound chain, and only forward', async () => {
      const database = (await freshDatabase()).database;
      const file = auditAnchorFile(join(dataDir, `${dialect}-sound`));
      assert.equal(await anchorAuditChain(database, file), undefined, 'an empty trail is not anchored');
      await recordMany(database, 2);
      assert.equal((await anchorAuditChain(database, file))?.seq, 2);
      await recordMany(database, 3);
      const anchor = await anchorAuditChain(database, file);
      assert.equal(anchor?.seq, 5);
      assert.deepEqual(await verifyAuditChain(database, anchor), { records: 5, intact: true });
    });
  });
}
