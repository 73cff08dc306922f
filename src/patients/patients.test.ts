import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../test/support/test-databases.js';
import { createContext } from '../platform/context.js';
import { silentLogger } from '../platform/log/index.js';
import { createPatients, reconcilePatient } from './index.js';

const ctx = createContext(silentLogger(), { kind: 'user', id: 'clerk', roles: ['clerk'] }, { door: 'api' });

for (const dialect of testDialects()) {
  describe(`patient registration, update and search on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);
    const fresh = async () => {
      const { database } = await freshDatabase();
      return { database, patients: createPatients(database) };
    };

    test('registers with identifiers and structured names, reads back, refuses a taken identity', async () => {
      const { patients } = await fresh();
      const created = await patients.register(ctx, {
        patientId: 'MRN100',
        issuerOfPatientId: 'HOSP_A',
        name: { family: 'Müller', given: 'Anna', middle: 'M' },
        birthDate: '1980-02-29',
        sex: 'f',
        phone: '+41 44 123 45 67',
        otherIds: [
          { value: '756.1234', issuer: 'CH', type: 'NI' },
          { value: 'X1', issuer: 'HOSP_B' },
        ],
      });
      assert.deepEqual(created.name, {
        dicom: 'Müller^Anna^M',
        family: 'Müller',
        given: 'Anna',
        middle: 'M',
      });
      assert.equal(created.birthDate, '19800229');
      assert.equal(created.sex, 'F');
      assert.deepEqual(created.otherIds, [
        { value: '756.1234', issuer: 'CH', type: 'NI' },
        { value: 'X1', issuer: 'HOSP_B', type: 'MR' },
      ]);
      assert.deepEqual(await patients.read(ctx, String(created.id)), created);
      await assert.rejects(
        patients.register(ctx, { patientId: 'MRN100', issuerOfPatientId: 'HOSP_A', name: 'X' }),
        {
          code: 'conflict',
          message: /^patientId: /,
        },
      );
      // The same Patient ID under another issuer is another patient.
      await patients.register(ctx, {
        patientId: 'MRN100',
        issuerOfPatientId: 'HOSP_B',
        name: 'Other^Person',
      });
      await assert.rejects(
        patients.register(ctx, { patientId: 'Q', name: 'Q', otherIds: [{ value: 'X1', issuer: 'HOSP_B' }] }),
        { code: 'conflict', message: /^otherIds: / },
      );
    });

    test('invalid input is refused with the field named', async () => {
      const { patients } = await fresh();
      const cases: [unknown, RegExp][] = [
        [{ name: 'A^B' }, /^patientId: required/],
        [{ patientId: 'P' }, /^name: required/],
        [{ patientId: 'P', name: 'A', birthDate: '19801301' }, /^birthDate: /],
        [{ patientId: 'P', name: 'A', birthDate: '2999-01-01' }, /^birthDate: is in the future/],
        [{ patientId: 'P', name: 'A', sex: 'X' }, /^sex: /],
        [{ patientId: 'P\\Q', name: 'A' }, /^patientId: /],
        [{ patientId: 'x'.repeat(65), name: 'A' }, /^patientId: /],
        [{ patientId: 'P', name: { family: 'A^B' } }, /^name\.family: /],
        [{ patientId: 'P', name: { nickname: 'A' } }, /^name\.nickname: /],
        [{ patientId: 'P', name: 42 }, /^name: /],
        [{ patientId: 'P', name: 'A', otherIds: [{ issuer: 'H' }] }, /^otherIds\[0\]\.value: required/],
        [
          { patientId: 'P', name: 'A', otherIds: [{ value: 'V', type: 'not a code' }] },
          /^otherIds\[0\]\.type: /,
        ],
        [{ patientId: 'P', name: 'A', shoeSize: 42 }, /^shoeSize: unknown field/],
        [[], /JSON object/],
      ];
      for (const [input, message] of cases) {
        await assert.rejects(
          patients.register(ctx, input),
          { code: 'invalid', message },
          JSON.stringify(input),
        );
      }
    });

    test('update replaces (PUT) or patches (PATCH); the index row changes, an image cannot undo it', async () => {
      const { database, patients } = await fresh();
      const key = await reconcilePatient(database.kysely, {
        patientId: 'IMG1',
        issuerOfPatientId: '',
        patientName: 'WRONG^NAME',
        sex: 'M',
      });
      const patched = await patients.update(
        ctx,
        String(key),
        { name: 'Right^Name', birthDate: '20000101' },
        'patch',
      );
      assert.equal(patched.name?.dicom, 'Right^Name');
      assert.equal(patched.sex, 'M');
      const cleared = await patients.update(ctx, String(key), { sex: null }, 'patch');
      assert.equal(cleared.sex, undefined);
      // Another image of the same patient fills only what is missing.
      await reconcilePatient(database.kysely, {
        patientId: 'IMG1',
        issuerOfPatientId: '',
        patientName: 'WRONG^NAME',
        sex: 'M',
      });
      const read = await patients.read(ctx, String(key));
      assert.equal(read.name?.dicom, 'Right^Name');
      assert.equal(read.sex, 'M');
      const replaced = await patients.update(
        ctx,
        String(key),
        { patientId: 'MRN7', name: 'Right^Name' },
        'replace',
      );
      assert.equal(replaced.patientId, 'MRN7');
      assert.equal(replaced.birthDate, undefined);
      await assert.rejects(patients.update(ctx, String(key), { patientId: null }, 'patch'), {
        code: 'invalid',
        message: /^patientId: /,
      });
      await assert.rejects(patients.update(ctx, '424242', { sex: 'F' }, 'patch'), { code: 'not-found' });
      const audit = await database.kysely
        .selectFrom('audit_event')
        .select(['action', 'detail'])
        .where('action', '=', 'patient.update')
        .where('outcome', '=', 'success')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => JSON.parse(a.detail as string).changed),
        [['name', 'birthDate'], ['sex'], ['patientId', 'birthDate', 'sex']],
      );
    });

    test('search: name prefix of any component or wildcard, identifier with issuer, birth date range, total', async () => {
      const { patients } = await fresh();
      const register = (patientId: string, name: string, birthDate: string, otherIds: object[] = []) =>
        patients.register(ctx, { patientId, issuerOfPatientId: 'H', name, birthDate, otherIds });
      await register('P1', 'Doe^John', '19700101');
      await register('P2', 'Doe^Jane', '19800101', [{ value: 'NAT-9', issuer: 'NATION', type: 'NI' }]);
      await register('P3', 'Johnson^Doe', '19900101');
      await register('P4', 'Smith^Ann=スミス^アン', '20000101');
      const ids = async (search: Record<string, string>) => {
        const result = await patients.search(ctx, search);
        return { total: result.total, ids: result.patients.map((p) => p.patientId) };
      };
      assert.deepEqual(await ids({ name: 'doe' }), { total: 3, ids: ['P2', 'P1', 'P3'] });
      assert.deepEqual(await ids({ name: 'DOE^JA' }), { total: 1, ids: ['P2'] });
      assert.deepEqual(await ids({ name: 'john' }), { total: 2, ids: ['P1', 'P3'] });
      assert.deepEqual(await ids({ name: 'd?e^j*n*' }), { total: 2, ids: ['P2', 'P1'] });
      assert.deepEqual(await ids({ name: 'スミス' }), { total: 1, ids: ['P4'] });
      assert.deepEqual(await ids({ name: 'doe', limit: '1', offset: '1' }), { total: 3, ids: ['P1'] });
      assert.deepEqual(await ids({ identifier: 'P3' }), { total: 1, ids: ['P3'] });
      assert.deepEqual(await ids({ identifier: 'NATION|NAT-9' }), { total: 1, ids: ['P2'] });
      assert.deepEqual(await ids({ identifier: 'OTHER|NAT-9' }), { total: 0, ids: [] });
      assert.deepEqual(await ids({ identifier: 'H|P1' }), { total: 1, ids: ['P1'] });
      assert.deepEqual(await ids({ birthDate: '19750101-19950101' }), { total: 2, ids: ['P2', 'P3'] });
      assert.deepEqual(await ids({ birthDate: '19700101' }), { total: 1, ids: ['P1'] });
      assert.deepEqual(await ids({ birthDate: '-19850101', name: 'doe' }), { total: 2, ids: ['P2', 'P1'] });
      await assert.rejects(patients.search(ctx, { birthDate: 'yesterday' }), { message: /^birthDate: / });
      await assert.rejects(patients.search(ctx, { limit: '-1' }), { message: /^limit: / });
      await assert.rejects(patients.search(ctx, { shoeSize: '42' } as object), { message: /^shoeSize: / });
    });
  });
}
