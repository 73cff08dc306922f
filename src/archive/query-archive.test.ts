import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openArchiveFixture, type ArchiveFixture } from '../../test/support/archive-fixture.js';
import { syntheticCtInstance, type SyntheticCtInstanceParams } from '../../test/support/synthetic-ct.js';
import { testDialects } from '../../test/support/test-databases.js';
import { LanternError } from '../platform/errors.js';
import { toMatchRecord, type ArchiveDeps, type ArchiveQuery } from './index.js';
import { queryAllMatches } from './query-archive.js';

// Three patients, four studies: the matching rules of PS3.4 C.2.2.2 at every level, on every dialect.
const S1 = '1.2.826.0.1.3680043.2.1125.1';
const S2 = '1.2.826.0.1.3680043.2.1125.2';
const S3 = '1.2.826.0.1.3680043.2.1125.3';
const S4 = '1.2.826.0.1.3680043.2.1125.4';

const john = { patientId: 'PAT1', patientName: 'Doe^John', patientBirthDate: '19700101', patientSex: 'M' };
const jane = { patientId: 'PAT2', patientName: 'DOE^JANE', patientBirthDate: '19800202', patientSex: 'F' };
const ken = { patientId: 'PAT_3%', patientName: 'Ohara^Ken', patientBirthDate: '19900303', patientSex: 'M' };

const chestCt = {
  ...john,
  studyInstanceUid: S1,
  studyDate: '20240115',
  studyTime: '083000',
  accessionNumber: 'ACC1',
  studyDescription: 'CT CHEST',
  referringPhysicianName: 'Smith^Anna',
};

const instances: SyntheticCtInstanceParams[] = [
  // S1: CT chest with a CT series of two images and a PR series of one.
  ...[1, 2].map((n) => ({ ...chestCt, seriesNumber: 1, seriesDescription: 'Axial lung', instanceNumber: n })),
  {
    ...chestCt,
    seriesNumber: 2,
    modality: 'PR',
    seriesDescription: 'Key images',
    instanceNumber: 1,
  },
  {
    ...john,
    studyInstanceUid: S2,
    studyDate: '20231201',
    studyTime: '140000',
    accessionNumber: 'ACC2',
    studyDescription: 'MR BRAIN',
    modality: 'MR',
    seriesNumber: 1,
  },
  {
    ...jane,
    studyInstanceUid: S3,
    studyDate: '20240301',
    studyTime: '101500',
    accessionNumber: 'ACC3',
    studyDescription: 'CT HEAD',
    seriesNumber: 1,
  },
  {
    ...ken,
    studyInstanceUid: S4,
    studyDate: '20220505',
    studyTime: '2359',
    accessionNumber: 'ACC4',
    studyDescription: 'US ABDOMEN',
    modality: 'US',
    seriesNumber: 1,
  },
];

for (const dialect of testDialects()) {
  describe(`the query model on ${dialect}`, () => {
    let f: ArchiveFixture;
    before(async () => {
      f = await openArchiveFixture(dialect);
      for (const [i, params] of instances.entries())
        await f.store(syntheticCtInstance({ rows: 4, columns: 4, seed: i + 1, ...params }));
    });
    after(() => f.cleanup());

    const studies = async (keys: Record<string, string>) => {
      const result = await f.archive.query(f.ctx, { level: 'STUDY', keys });
      return result.matches.map((m) => toMatchRecord(m).StudyInstanceUID).sort();
    };
    const refused = async (query: ArchiveQuery, pattern: RegExp) =>
      assert.rejects(
        f.archive.query(f.ctx, query),
        (e: unknown) => e instanceof LanternError && e.code === 'invalid' && pattern.test(e.message),
      );

    test('single value matching is exact and case-sensitive', async () => {
      assert.deepEqual(await studies({ PatientID: 'PAT1' }), [S1, S2]);
      assert.deepEqual(await studies({ AccessionNumber: 'ACC3' }), [S3]);
      assert.deepEqual(await studies({ StudyDescription: 'ct chest' }), []);
      assert.deepEqual(await studies({ StudyDescription: 'CT CHEST' }), [S1]);
    });

    test('person names match regardless of case, with or without trailing empty components', async () => {
      assert.deepEqual(await studies({ PatientName: 'doe^john' }), [S1, S2]);
      assert.deepEqual(await studies({ PatientName: 'Doe^Jane^^' }), [S3]);
      assert.deepEqual(await studies({ ReferringPhysicianName: 'SMITH^ANNA' }), [S1]);
    });

    test('wildcards * and ? match any run and any single character; SQL wildcards stay literal', async () => {
      assert.deepEqual(await studies({ PatientName: 'Doe*' }), [S1, S2, S3]);
      assert.deepEqual(await studies({ PatientName: 'D?E^J*' }), [S1, S2, S3]);
      assert.deepEqual(await studies({ StudyDescription: 'CT*' }), [S1, S3]);
      assert.deepEqual(await studies({ StudyDescription: '*BRAIN' }), [S2]);
      assert.deepEqual(await studies({ PatientID: 'PAT_3%' }), [S4]);
      assert.deepEqual(await studies({ PatientID: 'PAT?3*' }), [S4]);
      assert.deepEqual(await studies({ PatientID: 'PAT%' }), []);
      assert.deepEqual(await studies({ PatientID: 'PAT_' }), []);
    });

    test('a list of UIDs matches any of them', async () => {
      assert.deepEqual(await studies({ StudyInstanceUID: `${S1}\\${S3}` }), [S1, S3]);
      await refused({ level: 'STUDY', keys: { StudyInstanceUID: '1.2.*' } }, /StudyInstanceUID: not a UID/);
    });

    test('an empty value or a lone * is universal matching', async () => {
      assert.deepEqual(await studies({ PatientName: '' }), [S1, S2, S3, S4]);
      assert.deepEqual(await studies({ StudyDescription: '*', AccessionNumber: '' }), [S1, S2, S3, S4]);
    });

    test('date ranges: closed, open below, open above, and single dates', async () => {
      assert.deepEqual(await studies({ StudyDate: '20240101-20241231' }), [S1, S3]);
      assert.deepEqual(await studies({ StudyDate: '-20231231' }), [S2, S4]);
      assert.deepEqual(await studies({ StudyDate: '20240301-' }), [S3]);
      assert.deepEqual(await studies({ StudyDate: '20240115' }), [S1]);
      assert.deepEqual(await studies({ PatientBirthDate: '19750101-19851231' }), [S3]);
      await refused({ level: 'STUDY', keys: { StudyDate: '2024-01-01' } }, /StudyDate/);
      await refused({ level: 'STUDY', keys: { StudyDate: 'yesterday' } }, /StudyDate/);
    });

    test('time ranges compare at the precision given', async () => {
      assert.deepEqual(await studies({ StudyTime: '0800-0900' }), [S1]);
      assert.deepEqual(await studies({ StudyTime: '1000-' }), [S2, S3, S4]);
      assert.deepEqual(await studies({ StudyTime: '-10' }), [S1, S3]); // up to and including the 10 o'clock hour
      assert.deepEqual(await studies({ StudyTime: '-095959' }), [S1]);
      assert.deepEqual(await studies({ StudyTime: '23-' }), [S4]);
    });

    test('Modalities in Study matches studies with any series of a listed modality', async () => {
      assert.deepEqual(await studies({ ModalitiesInStudy: 'PR' }), [S1]);
      assert.deepEqual(await studies({ ModalitiesInStudy: 'CT\\MR' }), [S1, S2, S3]);
      const s1 = toMatchRecord(
        (await f.archive.query(f.ctx, { level: 'STUDY', keys: { StudyInstanceUID: S1 } })).matches[0]!,
      );
      assert.equal(s1.ModalitiesInStudy, 'CT\\PR');
      assert.equal(s1.NumberOfStudyRelatedSeries, 2);
      assert.equal(s1.NumberOfStudyRelatedInstances, 3);
    });

    test('patient level: one match per patient, with related study counts', async () => {
      const result = await f.archive.query(f.ctx, { level: 'PATIENT', keys: { PatientName: 'doe*' } });
      const records = result.matches
        .map(toMatchRecord)
        .sort((a, b) => String(a.PatientID).localeCompare(String(b.PatientID)));
      assert.deepEqual(
        records.map((r) => [
          r.PatientID,
          r.PatientName,
          r.NumberOfPatientRelatedStudies,
          r.NumberOfPatientRelatedInstances,
          r.QueryRetrieveLevel,
        ]),
        [
          ['PAT1', 'Doe^John', 2, 4, 'PATIENT'],
          ['PAT2', 'DOE^JANE', 1, 1, 'PATIENT'],
        ],
      );
      await refused(
        { level: 'PATIENT', keys: { StudyDate: '20240101' } },
        /cannot be matched at PATIENT level/,
      );
    });

    test('series and image levels, constrained by their parents, in series and instance order', async () => {
      const series = await f.archive.query(f.ctx, { level: 'SERIES', keys: { StudyInstanceUID: S1 } });
      assert.deepEqual(
        series.matches
          .map(toMatchRecord)
          .map((r) => [r.SeriesNumber, r.Modality, r.SeriesDescription, r.NumberOfSeriesRelatedInstances]),
        [
          [1, 'CT', 'Axial lung', 2],
          [2, 'PR', 'Key images', 1],
        ],
      );
      const pr = await f.archive.query(f.ctx, { level: 'SERIES', keys: { Modality: 'PR' } });
      assert.equal(pr.total, 1);
      const seriesUid = String(toMatchRecord(series.matches[0]!).SeriesInstanceUID);
      const images = await f.archive.query(f.ctx, { level: 'IMAGE', keys: { SeriesInstanceUID: seriesUid } });
      const records = images.matches.map(toMatchRecord);
      assert.deepEqual(
        records.map((r) => r.InstanceNumber),
        [1, 2],
      );
      assert.equal(records[0]!.SOPClassUID, '1.2.840.10008.5.1.4.1.1.2');
      assert.equal(records[0]!.Rows, 4);
      assert.equal(records[0]!.AvailableTransferSyntaxUID, '1.2.840.10008.1.2.1');
      assert.equal(records[0]!.PatientID, 'PAT1');
      assert.equal(
        (await f.archive.query(f.ctx, { level: 'IMAGE', keys: { InstanceNumber: '2' } })).total,
        1,
      );
      await refused({ level: 'IMAGE', keys: { InstanceNumber: 'two' } }, /InstanceNumber: not an integer/);
    });

    test('paging: pages do not overlap, and the total counts every match', async () => {
      const page = (offset: number) => f.archive.query(f.ctx, { level: 'STUDY', keys: {}, limit: 3, offset });
      const [first, second, third] = await Promise.all([page(0), page(3), page(6)]);
      assert.deepEqual([first.total, second.total, third.total], [4, 4, 4]);
      assert.equal(first.matches.length, 3);
      assert.equal(second.matches.length, 1);
      assert.equal(third.matches.length, 0);
      const uids = [...first.matches, ...second.matches].map((m) => toMatchRecord(m).StudyInstanceUID);
      assert.deepEqual([...uids].sort(), [S1, S2, S3, S4]);
      assert.equal(uids[0], S3, 'newest study first');
      await refused({ level: 'STUDY', limit: -1 }, /limit/);
    });

    test('unknown keys and keys below the query level are refused with a clear reason', async () => {
      await refused(
        { level: 'STUDY', keys: { PatientsFavouriteColour: 'blue' } },
        /PatientsFavouriteColour is not a supported matching key/,
      );
      await refused(
        { level: 'STUDY', keys: { SeriesInstanceUID: '1.2.3' } },
        /cannot be matched at STUDY level/,
      );
    });

    test('matches are DICOM JSON: person names as objects, counts as numbers, empty values without Value', async () => {
      const [match] = (await f.archive.query(f.ctx, { level: 'STUDY', keys: { StudyInstanceUID: S2 } }))
        .matches;
      assert.deepEqual(match!['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Doe^John' }] });
      assert.deepEqual(match!['00201208'], { vr: 'IS', Value: [1] });
      assert.deepEqual(match!['00080090'], { vr: 'PN' });
      assert.deepEqual(match!['0020000D'], { vr: 'UI', Value: [S2] });
    });

    test('walking every match page by page finds what one query finds, whatever the page size', async () => {
      for (const query of [
        { level: 'IMAGE', keys: {} },
        { level: 'STUDY', keys: { PatientName: 'DOE*' } },
        { level: 'SERIES', keys: { StudyInstanceUID: S1 } },
        { level: 'PATIENT', keys: { PatientID: 'PAT_3%' } },
      ] as ArchiveQuery[]) {
        const expected = (await f.archive.query(f.ctx, { ...query, limit: 1000 })).matches;
        const uidOf = (m: (typeof expected)[number]) =>
          JSON.stringify([m['00080018'], m['0020000E'], m['0020000D'], m['00100020']]);
        for (const pageSize of [1, 2, 1000]) {
          const all = [];
          for await (const match of queryAllMatches(depsOf(f), f.ctx, query, pageSize)) all.push(match);
          assert.deepEqual(
            all.map(uidOf).sort(),
            expected.map(uidOf).sort(),
            `${query.level} in pages of ${pageSize}`,
          );
        }
      }
      const refused = queryAllMatches(depsOf(f), f.ctx, { level: 'STUDY', keys: { NoSuchKey: 'x' } });
      await assert.rejects(async () => {
        for await (const _ of refused) assert.fail('no match expected');
      }, LanternError);
    });

    test('each query leaves an audit record with what was asked and how much was returned', async () => {
      await f.archive.query(f.ctx, { level: 'STUDY', keys: { PatientID: 'PAT2' } });
      const row = await f.database.kysely
        .selectFrom('audit_event')
        .selectAll()
        .where('action', '=', 'study.query')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.detail), {
        level: 'STUDY',
        keys: { PatientID: 'PAT2' },
        total: 1,
        returned: 1,
      });
    });
  });
}

function depsOf(f: ArchiveFixture): ArchiveDeps {
  return { database: f.database, blobs: f.blobs, settings: { duplicatePolicy: 'keep-first', fsync: false } };
}
