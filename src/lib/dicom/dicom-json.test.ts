import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDataset, scanHeader, toDicomJson, type DicomJson } from './index.js';
import { CHARSET_FILES, runOk, TEST_FILES } from './test-support.js';

/**
 * Known, accepted differences from DCMTK 3.6.7 dcm2json:
 * - InlineBinary/BulkDataURI are not compared (DCMTK inlines every binary value; we build URIs on request).
 * - dcm2json converts text to UTF-8 and so reports (0008,0005) as "ISO_IR 192"; we keep the file's value.
 * - FL values: dcm2json prints about 9 significant digits; we give the exact float32 value as a double, so
 *   FL values are compared after rounding both to float32.
 * - dcm2json cannot convert ISO 2022 IR 87/149 (iconv), so the Japanese/Korean files are not compared, and
 *   it refuses encapsulated pixel data in JSON, so compressed files are not compared either.
 * - A PN group of only delimiters ("^^^^") is omitted as empty, as DCMTK does.
 * - Group lengths (gggg,0000) are left out, as DCMTK does (ExplVR_BigEnd.dcm has them).
 */
function normalize(json: DicomJson): unknown {
  return JSON.parse(
    JSON.stringify(json, function (this: Record<string, unknown>, key, value: unknown) {
      if (key === 'InlineBinary' || key === 'BulkDataURI') return undefined;
      if (key === '00080005') return undefined;
      if (key === 'Value' && this.vr === 'FL') return (value as number[]).map((v) => Math.fround(v));
      return value;
    }),
  );
}

const FILES = [
  'test_files/CT_small.dcm',
  'test_files/MR_small.dcm',
  'test_files/MR_small_implicit.dcm',
  'test_files/MR_small_bigendian.dcm',
  'test_files/rtplan.dcm',
  'test_files/rtstruct.dcm',
  'test_files/test-SR.dcm',
  'test_files/rtdose.dcm',
  'test_files/liver_1frame.dcm',
  'test_files/reportsi.dcm',
  'test_files/image_dfl.dcm',
  'test_files/waveform_ecg.dcm',
  'test_files/ExplVR_BigEnd.dcm',
  'charset_files/chrX2.dcm',
  'charset_files/chrGreek.dcm',
];

for (const file of FILES) {
  test(`toDicomJson equals dcm2json: ${file}`, () => {
    const path = join(TEST_FILES, '..', file);
    const ours = toDicomJson(readDataset(readFileSync(path)));
    const dcmtk = JSON.parse(runOk('dcm2json', [path])) as DicomJson;
    assert.deepEqual(normalize(ours), normalize(dcmtk));
  });
}

test('BulkDataURI for pixel data and large values, InlineBinary for the rest; tag paths into sequences', () => {
  const dataset = readDataset(readFileSync(join(TEST_FILES, 'CT_small.dcm')));
  const paths: string[][] = [];
  const json = toDicomJson(dataset, {
    bulkDataUri: (path) => {
      paths.push(path);
      return `bulk/${path.join('/')}`;
    },
    bulkDataThreshold: 64,
  });
  assert.deepEqual(json['7FE00010'], { vr: 'OW', BulkDataURI: 'bulk/7FE00010' });
  assert.ok(paths.every((p) => p.length >= 1));
  const withoutUris = toDicomJson(dataset);
  assert.equal(typeof withoutUris['7FE00010']?.InlineBinary, 'string');
  assert.equal(Buffer.from(withoutUris['7FE00010']!.InlineBinary!, 'base64').length, 128 * 128 * 2);
});

test('empty values are omitted and PN keeps its component groups', () => {
  const json = toDicomJson(readDataset(readFileSync(join(CHARSET_FILES, 'chrX1.dcm'))));
  assert.deepEqual(json['00100010'], {
    vr: 'PN',
    Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }],
  });
  const header = scanHeader(readFileSync(join(TEST_FILES, 'reportsi_with_empty_number_tags.dcm'))).toJson();
  for (const attribute of Object.values(header))
    assert.ok(attribute.Value === undefined || attribute.Value.length > 0);
});

test('sequences recurse (test-SR content tree)', () => {
  const json = toDicomJson(readDataset(readFileSync(join(TEST_FILES, 'test-SR.dcm'))));
  const content = json['0040A730']?.Value as DicomJson[];
  assert.ok(content.length > 0);
  assert.equal(content[0]?.['0040A010']?.vr, 'CS');
});

test('group lengths are left out: they describe an encoding, not the data (PS3.5 7.2)', () => {
  const dataset = readDataset(readFileSync(join(TEST_FILES, 'ExplVR_BigEnd.dcm')));
  assert.ok(dataset.elements['00080000'], 'the file has group lengths');
  const tags = Object.keys(toDicomJson(dataset));
  assert.deepEqual(
    tags.filter((tag) => tag.endsWith('0000')),
    [],
  );
  assert.ok(tags.includes('00080016'));
});

test('elements inside a UN of undefined length get their dictionary VR (PS3.5 6.2.2, CP-246)', () => {
  const bytes = readFileSync(join(TEST_FILES, 'UN_sequence.dcm'));
  for (const json of [toDicomJson(readDataset(bytes)), scanHeader(bytes).toJson()]) {
    const [item] = json['4453100C']!.Value as DicomJson[];
    assert.deepEqual(item!['0020000D'], {
      vr: 'UI',
      Value: ['1.2.840.113619.2.327.3.185221411.476.1398588725.795'],
    });
    const [series] = item!['00081115']!.Value as DicomJson[];
    const [sop] = series!['00081199']!.Value as DicomJson[];
    assert.deepEqual(sop!['00081150'], { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] });
  }
});

test('a UN element whose tag is a sequence is read as the implicit VR sequence it holds (PS3.5 6.2.2)', () => {
  const bytes = readFileSync(join(TEST_FILES, 'rtdose_rle.dcm'));
  for (const json of [toDicomJson(readDataset(bytes)), scanHeader(bytes).toJson()]) {
    const referenced = json['300C0002']!;
    assert.equal(referenced.vr, 'SQ');
    const [item] = referenced.Value as DicomJson[];
    assert.deepEqual(item!['00081150'], { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.481.5'] });
    const [frame] = item!['300C0020']!.Value as DicomJson[];
    assert.deepEqual(frame!['300C0022'], { vr: 'IS', Value: [1] });
  }
});
