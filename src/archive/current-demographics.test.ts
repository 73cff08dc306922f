import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import { openArchiveFixture, type ArchiveFixture } from '../../test/support/archive-fixture.js';
import { syntheticCtInstance } from '../../test/support/synthetic-ct.js';
import { testDialects } from '../../test/support/test-databases.js';
import { readdirSync, readFileSync } from 'node:fs';
import { readDataset, scanHeader } from '../lib/dicom/index.js';
import { createPatients, normalizePersonName } from '../patients/index.js';
import type { Kysely } from '../platform/db/index.js';
import {
  currentDemographicsKey,
  demographicChanges,
  headerDemographicsKey,
  type CurrentPatient,
} from './current-demographics.js';
import { readInstanceAttributes } from './instance-attributes.js';
import type { ArchiveTables } from './tables.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

const small = { rows: 16, columns: 16 };

function hasTool(tool: string): boolean {
  return spawnSync(tool, ['--version']).error === undefined;
}

/** The Pixel Data element and everything after it. */
function pixelPart(bytes: Uint8Array): Buffer {
  const header = scanHeader(bytes);
  return Buffer.from(bytes).subarray(header.pixelDataOffset! - 12);
}

test('the header key recorded at ingest equals the patient row key exactly when nothing is to change', () => {
  let checked = 0;
  const files = readdirSync(PYDICOM_FILES, { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  );
  for (const entry of files) {
    let header, patient;
    try {
      header = scanHeader(readFileSync(join(entry.parentPath, entry.name)));
      patient = readInstanceAttributes(header, Number.MAX_SAFE_INTEGER).patient;
    } catch {
      continue; // not DICOM, or not something the archive stores
    }
    if (patient.patientId === '') continue; // the empty-ID patient is never corrected
    // The row ingest makes from this file (reconcilePatient normalizes the name).
    const row: CurrentPatient = {
      patientId: patient.patientId,
      issuerOfPatientId: patient.issuerOfPatientId,
      patientName: normalizePersonName(patient.patientName) ?? null,
      birthDate: patient.birthDate ?? null,
      sex: patient.sex ?? null,
    };
    assert.equal(headerDemographicsKey(patient), currentDemographicsKey(row), entry.name);
    assert.deepEqual(demographicChanges(header, row), {}, entry.name);
    for (const change of [
      { patientId: `${row.patientId}X` },
      { issuerOfPatientId: 'OTHER' },
      { patientName: `${row.patientName ?? ''}X` },
      { birthDate: row.birthDate === '19000101' ? '19000102' : '19000101' },
      { sex: row.sex === 'O' ? 'M' : 'O' },
    ]) {
      const changed = { ...row, ...change };
      assert.notEqual(headerDemographicsKey(patient), currentDemographicsKey(changed), entry.name);
      assert.notDeepEqual(demographicChanges(header, changed), {}, entry.name);
    }
    checked++;
  }
  assert.ok(checked > 50, `${checked} files checked`);
});

for (const dialect of testDialects()) {
  describe(`current demographics on retrieve on ${dialect}`, () => {
    const open: ArchiveFixture[] = [];
    after(() => Promise.all(open.map((f) => f.cleanup())));

    const fresh = async () => {
      const f = await openArchiveFixture(dialect);
      open.push(f);
      return { f, patients: createPatients(f.database) };
    };
    const keyOf = async (
      f: ArchiveFixture,
      patients: ReturnType<typeof createPatients>,
      patientId: string,
    ) => {
      const found = await patients.search(f.ctx, { identifier: patientId });
      return String(found.patients[0]!.id);
    };
    const retrieveOne = async (f: ArchiveFixture, sopInstanceUid: string) => {
      const [instance] = await f.archive.retrieve(f.ctx, { sopInstanceUid });
      const bytes = await buffer(instance!.open());
      const dataset = await buffer(instance!.openDataset());
      assert.equal(bytes.length, instance!.size, 'size announced = bytes streamed');
      return { instance: instance!, bytes, dataset };
    };

    test('an unchanged patient retrieves byte-identical; an update is applied on the way out', async () => {
      const { f, patients } = await fresh();
      const original = syntheticCtInstance({
        ...small,
        seed: 3,
        patientId: 'P-1',
        patientName: 'Doe^John',
        patientBirthDate: '19700101',
        patientSex: 'M',
      });
      const stored = await f.store(original);
      const before = await retrieveOne(f, stored.sopInstanceUid);
      assert.ok(before.bytes.equals(Buffer.from(original)));

      await patients.update(
        f.ctx,
        await keyOf(f, patients, 'P-1'),
        { name: 'Roe^Jane', birthDate: '1971-02-03', sex: 'F' },
        'patch',
      );
      const afterUpdate = await retrieveOne(f, stored.sopInstanceUid);
      const header = scanHeader(afterUpdate.bytes);
      assert.equal(header.string('00100010'), 'Roe^Jane');
      assert.equal(header.string('00100020'), 'P-1');
      assert.equal(header.string('00100030'), '19710203');
      assert.equal(header.string('00100040'), 'F');
      assert.ok(pixelPart(afterUpdate.bytes).equals(pixelPart(original)), 'pixel data unchanged');
      assert.ok(afterUpdate.dataset.equals(afterUpdate.bytes.subarray(header.datasetOffset)));
      const parsed = readDataset(afterUpdate.bytes);
      assert.equal(parsed.transferSyntaxUid, '1.2.840.10008.1.2.1');
      // Everything else in the header is kept.
      assert.equal(header.string('00080018'), stored.sopInstanceUid);
      assert.equal(scanHeader(original).string('00200013'), header.string('00200013'));

      // Stored bytes are never rewritten: the blob is still the original.
      for await (const key of f.blobs.keys()) {
        assert.ok((await buffer(f.blobs.open(key))).equals(Buffer.from(original)));
      }

      if (hasTool('dciodvfy')) {
        const dir = f.dataDir;
        await writeFile(join(dir, 'before.dcm'), original);
        await writeFile(join(dir, 'after.dcm'), afterUpdate.bytes);
        const errors = (file: string) =>
          spawnSync('dciodvfy', [join(dir, file)], { encoding: 'utf8' })
            .stderr.split('\n')
            .filter((l) => l.startsWith('Error'))
            .sort();
        assert.deepEqual(errors('after.dcm'), errors('before.dcm'));
      }
    });

    test('a merge: the merged study retrieves with the survivor identity, non-ASCII in UTF-8', async () => {
      const { f, patients } = await fresh();
      const survivor = syntheticCtInstance({ ...small, seed: 5, patientId: 'MRN-A', patientName: 'A^B' });
      const merged = syntheticCtInstance({
        ...small,
        seed: 6,
        patientId: 'TMP-9',
        patientName: 'Unknown^Temp',
        patientSex: 'O',
      });
      const kept = await f.store(survivor);
      const moved = await f.store(merged);
      const survivorKey = await keyOf(f, patients, 'MRN-A');
      await patients.update(f.ctx, survivorKey, { name: 'Müller^Anna', sex: 'F' }, 'patch');
      await patients.merge(f.ctx, await keyOf(f, patients, 'TMP-9'), { into: Number(survivorKey) });

      for (const [uid, original] of [
        [moved.sopInstanceUid, merged],
        [kept.sopInstanceUid, survivor],
      ] as const) {
        const { bytes } = await retrieveOne(f, uid);
        const header = scanHeader(bytes);
        assert.equal(header.string('00100020'), 'MRN-A');
        assert.equal(header.string('00100010'), 'Müller^Anna');
        assert.equal(header.string('00100040'), 'F');
        assert.deepEqual(header.specificCharacterSet, ['ISO_IR 192']);
        assert.ok(pixelPart(bytes).equals(pixelPart(original)));
        readDataset(bytes);
      }
      // The study-level retrieve streams the corrected file too.
      const study = await f.archive.retrieve(f.ctx, { studyInstanceUid: moved.studyInstanceUid });
      for (const instance of study) {
        const bytes = await buffer(instance.open());
        assert.equal(bytes.length, instance.size);
        assert.equal(scanHeader(bytes).string('00100020'), 'MRN-A');
      }
    });

    test('a second file of a known patient with other demographics is corrected; the first is not', async () => {
      const { f } = await fresh();
      const first = syntheticCtInstance({
        ...small,
        seed: 11,
        patientId: 'P-2',
        patientName: 'First^Name^^',
      });
      const second = syntheticCtInstance({ ...small, seed: 12, patientId: 'P-2', patientName: 'Other^Name' });
      const a = await f.store(first);
      const b = await f.store(second);
      const keys = await (f.database.kysely as Kysely<ArchiveTables>)
        .selectFrom('instance')
        .select('header_patient')
        .execute();
      assert.ok(
        keys.every((k) => k.header_patient !== null),
        'ingest records the header identity',
      );
      assert.ok((await retrieveOne(f, a.sopInstanceUid)).bytes.equals(Buffer.from(first)));
      const corrected = scanHeader((await retrieveOne(f, b.sopInstanceUid)).bytes);
      assert.equal(corrected.string('00100010'), 'First^Name');
    });

    test('a file stored before ingest recorded its header identity is read once, then remembered', async () => {
      const { f, patients } = await fresh();
      const original = syntheticCtInstance({
        ...small,
        seed: 13,
        patientId: 'P-OLD',
        patientName: 'Old^Row',
      });
      const stored = await f.store(original);
      const db = f.database.kysely as Kysely<ArchiveTables>;
      await db.updateTable('instance').set({ header_patient: null }).execute(); // as before migration 0014
      assert.ok((await retrieveOne(f, stored.sopInstanceUid)).bytes.equals(Buffer.from(original)));
      const [row] = await db.selectFrom('instance').select('header_patient').execute();
      const header = scanHeader(original);
      assert.equal(
        row!.header_patient,
        headerDemographicsKey(readInstanceAttributes(header, original.length).patient),
      );
      // What is remembered is the file's identity, not the row's: after an update the file is corrected.
      await patients.update(f.ctx, await keyOf(f, patients, 'P-OLD'), { name: 'New^Name' }, 'patch');
      const corrected = scanHeader((await retrieveOne(f, stored.sopInstanceUid)).bytes);
      assert.equal(corrected.string('00100010'), 'New^Name');
    });

    test('files without a Patient ID share no identity: each retrieves as stored', async () => {
      const { f } = await fresh();
      const first = syntheticCtInstance({ ...small, seed: 9, patientId: '', patientName: 'First^Anon' });
      const second = syntheticCtInstance({ ...small, seed: 10, patientId: '', patientName: 'Second^Anon' });
      for (const original of [first, second]) {
        const stored = await f.store(original);
        assert.ok((await retrieveOne(f, stored.sopInstanceUid)).bytes.equals(Buffer.from(original)));
      }
    });

    test('implicit VR little endian files are corrected too', { skip: !hasTool('dcmconv') }, async () => {
      const { f, patients } = await fresh();
      const explicit = syntheticCtInstance({ ...small, seed: 8, patientId: 'P-IMP', patientName: 'X^Y' });
      await writeFile(join(f.dataDir, 'explicit.dcm'), explicit);
      const converted = spawnSync('dcmconv', [
        '+ti',
        join(f.dataDir, 'explicit.dcm'),
        join(f.dataDir, 'implicit.dcm'),
      ]);
      assert.equal(converted.status, 0, String(converted.stderr));
      const implicit = await readFile(join(f.dataDir, 'implicit.dcm'));
      const stored = await f.store(implicit);
      assert.ok((await retrieveOne(f, stored.sopInstanceUid)).bytes.equals(implicit));

      await patients.update(f.ctx, await keyOf(f, patients, 'P-IMP'), { patientId: 'P-NEW' }, 'patch');
      const { bytes, dataset } = await retrieveOne(f, stored.sopInstanceUid);
      const header = scanHeader(bytes);
      assert.equal(header.transferSyntaxUid, '1.2.840.10008.1.2');
      assert.equal(header.string('00100020'), 'P-NEW');
      assert.equal(header.string('00100010'), 'X^Y');
      const tail = (b: Uint8Array) => Buffer.from(b).subarray(scanHeader(b).pixelDataOffset! - 8);
      assert.ok(tail(bytes).equals(tail(implicit)));
      assert.ok(dataset.equals(bytes.subarray(header.datasetOffset)));
    });
  });
}
