import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../test/support/test-databases.js';
import { createContext } from '../platform/context.js';
import type { Database } from '../platform/db/index.js';
import { silentLogger } from '../platform/log/index.js';
import { verifyAuditChain } from '../platform/security/index.js';
import { createPatients } from './index.js';

// The feed's upsert (HL7 ADT): registered or patched in one call, with one audit record and no search.
const feed = createContext(
  silentLogger(),
  {
    kind: 'hl7-app',
    application: 'EMR',
    facility: 'HOSP',
    permissions: ['patient.read', 'patient.write'],
  },
  { door: 'hl7' },
);

async function auditRows(database: Database) {
  const rows = await database.kysely
    .selectFrom('audit_event')
    .select(['action', 'outcome', 'actor_id', 'patient_id', 'detail'])
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    action: `${r.action}:${r.outcome}`,
    actor: r.actor_id as string,
    patientId: r.patient_id as string | null,
    detail: JSON.parse(r.detail as string) as Record<string, unknown>,
  }));
}

async function eventTypes(database: Database): Promise<string[]> {
  const rows = await database.kysely.selectFrom('event_outbox').select('type').orderBy('id').execute();
  return rows.map((r) => r.type as string);
}

for (const dialect of testDialects()) {
  describe(`patients.registerOrUpdate on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);
    const fresh = async () => {
      const { database } = await freshDatabase();
      return { database, patients: createPatients(database) };
    };

    test('registers a new patient, then patches it, and a resend changes nothing; one audit record each', async () => {
      const { database, patients } = await fresh();
      const registration = {
        patientId: 'MRN7',
        issuerOfPatientId: 'HOSP',
        name: 'Doe^Jane',
        birthDate: '19700101',
        sex: 'F',
        phone: '555 1234',
        otherIds: [{ value: 'NI-7', issuer: 'STATE', type: 'NI' }],
      };
      const first = await patients.registerOrUpdate(feed, registration);
      assert.equal(first.change, 'registered');
      assert.deepEqual(await patients.read(feed, String(first.patient.id)), first.patient);
      assert.equal(first.patient.name?.family, 'Doe');
      assert.deepEqual(first.patient.otherIds, [{ value: 'NI-7', issuer: 'STATE', type: 'NI' }]);

      // The same message again: found by its identity, nothing differs, nothing written but the record.
      const again = await patients.registerOrUpdate(feed, registration);
      assert.equal(again.change, 'unchanged');
      assert.deepEqual(again.patient, first.patient);

      // A patch: fields left out stay, null clears, a changed name and identifier list are written.
      const patched = await patients.registerOrUpdate(feed, {
        patientId: 'MRN7',
        issuerOfPatientId: 'HOSP',
        name: 'Doe^Jane^Q',
        phone: null,
        otherIds: [{ value: 'NI-8', issuer: 'STATE', type: 'NI' }],
      });
      assert.equal(patched.change, 'updated');
      assert.deepEqual(patched.changed, ['name', 'phone', 'otherIds']);
      const read = await patients.read(feed, String(first.patient.id));
      assert.deepEqual(patched.patient, read);
      assert.equal(read.birthDate, '19700101');
      assert.equal(read.phone, undefined);
      assert.equal(read.name?.middle, 'Q');

      const audit = await auditRows(database);
      // read() writes the patient.read records; the upserts wrote one record each and no search.
      assert.deepEqual(
        audit.map((a) => a.action),
        [
          'patient.create:success',
          'patient.read:success',
          'patient.update:success',
          'patient.update:success',
          'patient.read:success',
        ],
      );
      assert.ok(audit.every((a) => a.actor === 'EMR@HOSP' && a.patientId === 'MRN7'));
      assert.deepEqual(audit[2]!.detail, { id: first.patient.id, mode: 'patch', changed: [] });
      assert.deepEqual(audit[3]!.detail.changed, ['name', 'phone', 'otherIds']);
      assert.deepEqual(await eventTypes(database), ['patient.created', 'patient.updated']);
      assert.deepEqual(await verifyAuditChain(database), { records: 5, intact: true });
    });

    test('refuses what the registration and update refuse, audited as the change it would have been', async () => {
      const { database, patients } = await fresh();
      // A new patient needs a whole registration (a name).
      await assert.rejects(patients.registerOrUpdate(feed, { patientId: 'P1', issuerOfPatientId: 'H' }), {
        code: 'invalid',
        message: /^name: required/,
      });
      await assert.rejects(patients.registerOrUpdate(feed, { name: 'No^Id' }), {
        code: 'invalid',
        message: /^patientId: required/,
      });
      await patients.registerOrUpdate(feed, { patientId: 'P1', issuerOfPatientId: 'H', name: 'One^A' });
      await assert.rejects(
        patients.registerOrUpdate(feed, { patientId: 'P1', issuerOfPatientId: 'H', birthDate: '2x' }),
        { code: 'invalid', message: /^birthDate: / },
      );
      // An other identifier that names another patient.
      const two = await patients.registerOrUpdate(feed, {
        patientId: 'P2',
        issuerOfPatientId: 'H',
        name: 'Two^B',
        otherIds: [{ value: 'X', issuer: 'S' }],
      });
      await assert.rejects(
        patients.registerOrUpdate(feed, {
          patientId: 'P1',
          issuerOfPatientId: 'H',
          otherIds: [{ value: 'X', issuer: 'S' }],
        }),
        { code: 'conflict', message: /^otherIds: X is already an identifier of patient/ },
      );
      // A merged patient is not changed: the feed must name the survivor.
      const one = (await patients.search(feed, { identifier: 'H|P1' })).patients[0]!;
      await patients.merge(feed, String(one.id), { into: two.patient.id });
      await assert.rejects(
        patients.registerOrUpdate(feed, { patientId: 'P1', issuerOfPatientId: 'H', name: 'One^Z' }),
        { code: 'conflict', message: /is merged into patient/ },
      );
      const failures = (await auditRows(database))
        .filter((a) => a.action.endsWith(':failure'))
        .map((a) => `${a.action} ${String(a.detail.error)}`);
      assert.deepEqual(failures, [
        'patient.create:failure invalid',
        'patient.create:failure invalid',
        'patient.update:failure invalid',
        'patient.update:failure conflict',
        'patient.update:failure conflict',
      ]);
    });

    test('needs patient.write', async () => {
      const { patients } = await fresh();
      const reader = createContext(
        silentLogger(),
        { kind: 'hl7-app', application: 'VIEW', facility: 'HOSP', permissions: ['patient.read'] },
        { door: 'hl7' },
      );
      await assert.rejects(
        patients.registerOrUpdate(reader, { patientId: 'P9', issuerOfPatientId: 'H', name: 'Nine^N' }),
        { code: 'forbidden' },
      );
    });
  });
}
