import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../../test/support/test-databases.js';
import { createContext } from '../context.js';
import { silentLogger } from '../log/index.js';
import { createAuditReader } from './audit-search.js';
import {
  auditRowHash,
  recordAudit,
  recordAuditAlone,
  recordAuditFailure,
  verifyAuditChain,
} from './audit.js';

const ctx = createContext(
  silentLogger(),
  { kind: 'ae', aeTitle: 'MODALITY1' },
  { door: 'dimse', remoteAddress: '127.0.0.1' },
);

for (const dialect of testDialects()) {
  describe(`audit trail on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);
    const fresh = async () => (await freshDatabase()).database;

    test('records who did what to whose data, chained so that the trail verifies', async () => {
      const database = await fresh();
      await recordAuditAlone(database, ctx, {
        action: 'instance.store',
        patientId: 'P1',
        studyInstanceUid: '1.2.3',
      });
      await recordAuditFailure(database, ctx, { action: 'study.query' }, new Error('boom'));
      const rows = await database.kysely.selectFrom('audit_event').selectAll().orderBy('seq').execute();
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.actor_kind, 'ae');
      assert.equal(rows[0]!.actor_id, 'MODALITY1');
      assert.equal(rows[0]!.door, 'dimse');
      assert.equal(rows[0]!.patient_id, 'P1');
      assert.equal(rows[1]!.outcome, 'failure');
      assert.match(rows[1]!.detail, /boom/);
      assert.deepEqual(await verifyAuditChain(database), { records: 2, intact: true });
    });

    test('a record written in a transaction that rolls back leaves no trace and no gap', async () => {
      const database = await fresh();
      await assert.rejects(
        database.kysely.transaction().execute(async (trx) => {
          await recordAudit(trx, ctx, { action: 'instance.store' });
          throw new Error('index write failed');
        }),
      );
      await recordAuditAlone(database, ctx, { action: 'instance.store' });
      assert.deepEqual(await verifyAuditChain(database), { records: 1, intact: true });
    });

    test('concurrent writers keep one unbroken chain', async () => {
      const database = await fresh();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          recordAuditAlone(database, ctx, { action: 'study.query', detail: { i } }),
        ),
      );
      assert.deepEqual(await verifyAuditChain(database), { records: 20, intact: true });
    });

    test('editing a stored record is detected', async () => {
      const database = await fresh();
      for (let i = 0; i < 3; i++) await recordAuditAlone(database, ctx, { action: 'instance.retrieve' });
      await database.kysely
        .updateTable('audit_event')
        .set({ actor_id: 'SOMEONE_ELSE' })
        .where('seq', '=', 2)
        .execute();
      assert.deepEqual(await verifyAuditChain(database), {
        records: 1,
        intact: false,
        firstBrokenSeq: 2,
        problem: 'changed',
      });
    });

    test('removing a middle record, or the newest ones, is detected and the first missing one named', async () => {
      const database = await fresh();
      for (let i = 0; i < 5; i++) await recordAuditAlone(database, ctx, { action: 'instance.retrieve' });
      await database.kysely.deleteFrom('audit_event').where('seq', '=', 5).execute();
      assert.deepEqual(await verifyAuditChain(database), {
        records: 4,
        intact: false,
        firstBrokenSeq: 5,
        problem: 'missing',
      });
      await database.kysely.deleteFrom('audit_event').where('seq', '=', 4).execute();
      assert.equal((await verifyAuditChain(database)).firstBrokenSeq, 4);
      await database.kysely.deleteFrom('audit_event').where('seq', '=', 2).execute();
      assert.deepEqual(await verifyAuditChain(database), {
        records: 1,
        intact: false,
        firstBrokenSeq: 2,
        problem: 'missing',
      });
    });

    test('the newest record rewritten with a recomputed hash still disagrees with the chain head', async () => {
      const database = await fresh();
      for (let i = 0; i < 3; i++) await recordAuditAlone(database, ctx, { action: 'instance.retrieve' });
      const row = await database.kysely
        .selectFrom('audit_event')
        .selectAll()
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      const { id: _id, hash: _hash, ...rest } = row;
      const forged = { ...(rest as Parameters<typeof auditRowHash>[0]), actor_id: 'SOMEONE_ELSE' };
      await database.kysely
        .updateTable('audit_event')
        .set({ actor_id: forged.actor_id, hash: auditRowHash(forged) })
        .where('seq', '=', 3)
        .execute();
      assert.deepEqual(await verifyAuditChain(database), {
        records: 3,
        intact: false,
        firstBrokenSeq: 3,
        problem: 'changed',
      });
    });

    test('a head set back over records left in place does not hide them', async () => {
      const database = await fresh();
      for (let i = 0; i < 5; i++)
        await recordAuditAlone(database, ctx, { action: 'study.query', detail: { i } });
      const second = await database.kysely
        .selectFrom('audit_event')
        .select('hash')
        .where('seq', '=', 2)
        .executeTakeFirstOrThrow();
      await database.kysely
        .updateTable('audit_chain_head')
        .set({ seq: 2, last_hash: second.hash })
        .where('id', '=', 1)
        .execute();
      await database.kysely
        .updateTable('audit_event')
        .set({ patient_id: 'EDITED' })
        .where('seq', '=', 5)
        .execute();
      assert.deepEqual(await verifyAuditChain(database), {
        records: 2,
        intact: false,
        firstBrokenSeq: 3,
        problem: 'changed',
      });
    });

    test('a search by patient finds the records naming that patient alone or among others', async () => {
      const database = await fresh();
      for (const patientId of ['MRN-1', 'MRN-1\\MRN-2', 'MRN-2\\MRN-10', 'mrn-1', 'MRN-11', 'MRN-3\\MRN-1']) {
        await recordAuditAlone(database, ctx, { action: 'study.query', patientId });
      }
      const reader = createAuditReader(database);
      const system = createContext(silentLogger(), { kind: 'system', name: 'test' }, { door: 'cli' });
      const found = async (patientId: string) =>
        (await reader.search(system, { patientId, ascending: true, limit: 100, offset: 0 })).records.map(
          (r) => r.patientId,
        );
      assert.deepEqual(await found('MRN-1'), ['MRN-1', 'MRN-1\\MRN-2', 'MRN-3\\MRN-1']);
      assert.deepEqual(await found('MRN-2'), ['MRN-1\\MRN-2', 'MRN-2\\MRN-10']);
      assert.deepEqual(await found('MRN'), []);
    });
  });
}
