import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../test/support/test-databases.js';
import { createContext } from '../platform/context.js';
import type { Database } from '../platform/db/index.js';
import { nowIso } from '../platform/db/index.js';
import { listEvents } from '../platform/events/index.js';
import { silentLogger } from '../platform/log/index.js';
import { verifyAuditChain } from '../platform/security/index.js';
import { createPatients, reconcilePatient, type PatientKey } from './index.js';

const ctx = createContext(
  silentLogger(),
  { kind: 'user', id: 'admin', roles: ['administrator'] },
  { door: 'api', remoteAddress: '127.0.0.1' },
);

/** A study row as the archive writes it, linked to a patient. */
async function addStudy(database: Database, uid: string, patientRef: PatientKey): Promise<number> {
  const now = nowIso();
  const row = await database.kysely
    .insertInto('study')
    .values({ study_instance_uid: uid, patient_ref: patientRef, created_at: now, last_received_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

async function studiesOf(database: Database, patientRef: number): Promise<string[]> {
  const rows = await database.kysely
    .selectFrom('study')
    .select('study_instance_uid')
    .where('patient_ref', '=', patientRef)
    .orderBy('study_instance_uid')
    .execute();
  return rows.map((r) => r.study_instance_uid as string);
}

async function actions(database: Database): Promise<string[]> {
  const rows = await database.kysely
    .selectFrom('audit_event')
    .select(['action', 'outcome'])
    .orderBy('seq')
    .execute();
  return rows.map((r) => `${r.action}:${r.outcome}`);
}

for (const dialect of testDialects()) {
  describe(`patient merge and unmerge on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);
    const fresh = async () => {
      const { database } = await freshDatabase();
      return { database, patients: createPatients(database) };
    };

    test('the survivor takes the studies; unmerge puts back exactly those; each step audited with an event', async () => {
      const { database, patients } = await fresh();
      const survivor = await patients.register(ctx, {
        patientId: 'MRN1',
        issuerOfPatientId: 'HOSP',
        name: 'Doe^Jane',
      });
      // An image registered the duplicate on arrival, under a temporary ID.
      const duplicate = await reconcilePatient(database.kysely, {
        patientId: 'TMP9',
        issuerOfPatientId: '',
        patientName: 'DOE^JANE',
      });
      await addStudy(database, '1.1', survivor.id);
      await addStudy(database, '2.1', duplicate);
      await addStudy(database, '2.2', duplicate);

      const merge = await patients.merge(ctx, String(duplicate), { into: survivor.id });
      assert.deepEqual(merge.moved, { study: 2 });
      assert.equal(merge.merged.mergedInto, survivor.id);
      assert.equal(merge.survivor.mergedInto, undefined);
      assert.deepEqual(await studiesOf(database, survivor.id), ['1.1', '2.1', '2.2']);
      assert.deepEqual(await studiesOf(database, duplicate), []);

      // A modality still sending the old ID lands on the survivor; its new study stays there on unmerge.
      const arriving = await reconcilePatient(database.kysely, { patientId: 'TMP9', issuerOfPatientId: '' });
      assert.equal(arriving, survivor.id);
      await addStudy(database, '2.3', arriving);

      const unmerged = await patients.unmerge(ctx, String(duplicate));
      assert.equal(unmerged.mergeId, merge.mergeId);
      assert.deepEqual(unmerged.moved, { study: 2 });
      assert.equal(unmerged.merged.mergedInto, undefined);
      assert.deepEqual(await studiesOf(database, survivor.id), ['1.1', '2.3']);
      assert.deepEqual(await studiesOf(database, duplicate), ['2.1', '2.2']);
      assert.equal(
        await reconcilePatient(database.kysely, { patientId: 'TMP9', issuerOfPatientId: '' }),
        duplicate,
      );

      const events = await listEvents(database, {});
      assert.deepEqual(
        events.filter((e) => e.type.startsWith('patient.')).map((e) => e.type),
        ['patient.created', 'patient.merged', 'patient.unmerged'],
      );
      const merged = events.find((e) => e.type === 'patient.merged')!;
      assert.deepEqual(merged.payload, {
        mergeId: merge.mergeId,
        merged: { id: duplicate, patientId: 'TMP9', issuerOfPatientId: '' },
        survivor: { id: survivor.id, patientId: 'MRN1', issuerOfPatientId: 'HOSP' },
        moved: { study: 2 },
      });
      assert.deepEqual(await actions(database), [
        'patient.create:success',
        'patient.merge:success',
        'patient.unmerge:success',
      ]);
      const record = await database.kysely.selectFrom('patient_merge').selectAll().executeTakeFirstOrThrow();
      assert.equal(record.merged_by, 'user:admin');
      assert.ok(record.unmerged_at);
      assert.deepEqual(await verifyAuditChain(database), { records: 3, intact: true });
    });

    test('merge { from } goes the other way; chains resolve and unmerge newest first', async () => {
      const { database, patients } = await fresh();
      const [a, b, c] = await Promise.all(
        ['A', 'B', 'C'].map((id) => patients.register(ctx, { patientId: id, name: `${id}^Test` })),
      );
      await addStudy(database, 'a', a!.id);
      await addStudy(database, 'b', b!.id);
      await patients.merge(ctx, String(b!.id), { from: String(a!.id) }); // A into B
      await patients.merge(ctx, String(b!.id), { into: c!.id }); // B into C
      assert.deepEqual(await studiesOf(database, c!.id), ['a', 'b']);
      assert.equal(await reconcilePatient(database.kysely, { patientId: 'A', issuerOfPatientId: '' }), c!.id);
      await assert.rejects(patients.unmerge(ctx, String(a!.id)), {
        code: 'conflict',
        message: new RegExp(`unmerge patient ${b!.id} first`),
      });
      await patients.unmerge(ctx, String(b!.id));
      assert.deepEqual(await studiesOf(database, b!.id), ['a', 'b']);
      await patients.unmerge(ctx, String(a!.id));
      assert.deepEqual(await studiesOf(database, a!.id), ['a']);
      assert.deepEqual(await studiesOf(database, b!.id), ['b']);
      assert.deepEqual(await studiesOf(database, c!.id), []);
    });

    test('refusals: itself, unknown, already merged, not merged, bad bodies; each failure audited', async () => {
      const { database, patients } = await fresh();
      const a = await patients.register(ctx, { patientId: 'A', name: 'A^A' });
      const b = await patients.register(ctx, { patientId: 'B', name: 'B^B' });
      await assert.rejects(patients.merge(ctx, String(a.id), { into: a.id }), {
        code: 'invalid',
        message: /^into: .*itself/,
      });
      await assert.rejects(patients.merge(ctx, String(a.id), { into: 99999 }), { code: 'not-found' });
      await assert.rejects(patients.merge(ctx, 'nonsense', { into: a.id }), { code: 'not-found' });
      await assert.rejects(patients.merge(ctx, String(a.id), { into: b.id, from: b.id }), {
        code: 'invalid',
      });
      await assert.rejects(patients.merge(ctx, String(a.id), { towards: b.id }), {
        code: 'invalid',
        message: /^towards: unknown field/,
      });
      await assert.rejects(patients.unmerge(ctx, String(a.id)), { code: 'conflict' });
      await patients.merge(ctx, String(a.id), { into: b.id });
      await assert.rejects(patients.merge(ctx, String(a.id), { into: b.id }), { code: 'conflict' });
      const c = await patients.register(ctx, { patientId: 'C', name: 'C^C' });
      await assert.rejects(patients.merge(ctx, String(c.id), { into: a.id }), {
        code: 'conflict',
        message: /already merged/,
      });
      await assert.rejects(patients.update(ctx, String(a.id), { sex: 'F' }, 'patch'), { code: 'conflict' });
      const failures = (await actions(database)).filter((a) => a.endsWith(':failure'));
      assert.equal(failures.length, 9);
      assert.deepEqual(await verifyAuditChain(database), { records: 13, intact: true });
    });

    test('merge is for the desk (patient.write); unmerge for an administrator alone, whatever the door', async () => {
      const { database, patients } = await fresh();
      const clerk = createContext(
        silentLogger(),
        { kind: 'user', id: 'desk', roles: ['clerk'] },
        { door: 'hl7', remoteAddress: '127.0.0.1' },
      );
      const a = await patients.register(clerk, { patientId: 'UA', name: 'U^A' });
      const b = await patients.register(clerk, { patientId: 'UB', name: 'U^B' });
      await patients.merge(clerk, String(a.id), { into: b.id });
      const before = await actions(database);
      await assert.rejects(patients.unmerge(clerk, String(a.id)), {
        code: 'forbidden',
        message: /lacks the permission patient\.unmerge/,
      });
      assert.deepEqual((await actions(database)).slice(before.length), ['security.deny:failure']);
      assert.equal((await patients.read(ctx, String(a.id))).mergedInto, b.id);
      await patients.unmerge(ctx, String(a.id));
      assert.equal((await patients.read(ctx, String(a.id))).mergedInto, undefined);
    });
  });
}
