import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../../test/support/test-databases.js';
import { createContext } from '../context.js';
import { silentLogger } from '../log/index.js';
import { recordAudit, recordAuditAlone, recordAuditFailure, verifyAuditChain } from './audit.js';

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
      assert.deepEqual(await verifyAuditChain(database), { records: 1, intact: false, firstBrokenSeq: 2 });
    });
  });
}
