import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { DicomParseError, readDataset, scanHeader, scanHeaderFile, scanHeaderPrefix, tags } from './index.js';
import { listFiles, run, TEST_FILES } from './test-support.js';

/**
 * Files of pydicom's test data that are deliberately not (valid) DICOM, and why. Each must be rejected with
 * DicomParseError; DCMTK's dcmdump rejects all of these too except DICOMDIR-nooffset (see there).
 */
const INVALID: Record<string, string> = {
  'README.txt': 'text',
  'rtplan.dump': 'text (a dcmdump listing)',
  'rtstruct.dump': 'text (a dcmdump listing)',
  'test1.json': 'DICOM JSON, not Part 10',
  'test_PN.json': 'DICOM JSON, not Part 10',
  'zipMR.gz': 'gzip-compressed file',
  'dicomdirtests/README.txt': 'text',
  'dicomdirtests/TINY_ALPHA/README': 'text',
  'MR_truncated.dcm': 'truncated inside Pixel Data',
  'rtplan_truncated.dcm': 'truncated inside a sequence',
  'no_meta.dcm': 'starts with a stray byte before the first element (dcmdump fails as well)',
  'SC_rgb_jpeg.dcm': "corrupt element header: VR '  ' (dcmdump fails as well)",
  'dicomdirtests/DICOMDIR-nooffset':
    'Directory Record Sequence length runs 24 bytes past the end of the file (two elements were cut out ' +
    'without fixing the length); dcmdump tolerates this, we report it as truncated',
};

function dcmdumpUid(path: string): string | undefined {
  const out = run('dcmdump', ['+P', 'SOPInstanceUID', '+P', 'MediaStorageSOPInstanceUID', path]).stdout;
  const uids = [...out.matchAll(/\((0008,0018|0002,0003)\) UI \[([^\]]*)\]/g)].map((m) => [m[1], m[2]]);
  return (uids.find(([tag]) => tag === '0008,0018') ?? uids.find(([tag]) => tag === '0002,0003'))?.[1];
}

for (const path of listFiles(TEST_FILES)) {
  const name = relative(TEST_FILES, path);
  const reason = INVALID[name];
  if (reason) {
    test(`pydicom ${name} is rejected: ${reason}`, () => {
      const bytes = readFileSync(path);
      assert.throws(() => readDataset(bytes), DicomParseError);
    });
    continue;
  }
  test(`pydicom ${name} parses and its SOP Instance UID matches dcmdump`, () => {
    const bytes = readFileSync(path);
    const header = scanHeader(bytes);
    const dataset = readDataset(bytes);
    assert.ok(Object.keys(dataset.elements).length > 0);
    assert.equal(header.sopInstanceUid, dcmdumpUid(path));
    if (dataset.elements['7FE00010'] && header.transferSyntaxUid !== '1.2.840.10008.1.2.1.99') {
      assert.ok(header.pixelDataOffset !== undefined && header.pixelDataOffset > 0);
    }
  });
}

test('bare data sets: explicit VR big and little endian detected without a transfer syntax', () => {
  for (const [file, ts] of [
    ['ExplVR_BigEndNoMeta.dcm', '1.2.840.10008.1.2.2'],
    ['ExplVR_LitEndNoMeta.dcm', '1.2.840.10008.1.2.1'],
  ] as const) {
    const header = scanHeader(readFileSync(join(TEST_FILES, file)));
    assert.equal(header.hasFileMeta, false);
    assert.equal(header.transferSyntaxUid, ts);
    assert.equal(header.sopInstanceUid, '1.2.333.4444.5.6.7.8');
  }
});

test('bare data sets: implicit VR little endian detected (data set of a Part 10 file)', () => {
  const file = readFileSync(join(TEST_FILES, 'rtplan.dcm'));
  const full = scanHeader(file);
  const metaLength = file.readUInt32LE(140) + 144;
  const bare = scanHeader(file.subarray(metaLength));
  assert.equal(bare.transferSyntaxUid, '1.2.840.10008.1.2');
  assert.equal(bare.sopInstanceUid, full.sopInstanceUid);
  assert.equal(bare.string(tags.PatientName), 'Last^First^mid^pre');
});

test('header strings: numbers, multi-values, padding and the file meta', () => {
  const header = scanHeader(readFileSync(join(TEST_FILES, 'CT_small.dcm')));
  assert.equal(header.string(tags.Rows), '128');
  assert.equal(header.string(tags.TransferSyntaxUID), '1.2.840.10008.1.2.1');
  assert.deepEqual(header.strings('00080008'), ['ORIGINAL', 'PRIMARY', 'AXIAL']);
  assert.equal(header.string(tags.PixelData), undefined);
  assert.deepEqual(header.specificCharacterSet, ['ISO_IR 100']);
  assert.equal(header.toJson()['7FE00010'], undefined);
  assert.deepEqual(header.toJson()['00100010'], {
    vr: 'PN',
    Value: [{ Alphabetic: 'CompressedSamples^CT1' }],
  });
});

test('scanHeaderFile reads a prefix and grows it until the pixel data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-scan-'));
  const source = readFileSync(join(TEST_FILES, 'CT_small.dcm'));
  // Put 200 KiB of private data before the pixel data so the first 64 KiB read cannot reach it.
  const ds = readDataset(source);
  const { writePart10 } = await import('./index.js');
  ds.elements['00291010'] = { vr: 'OB', bytes: new Uint8Array(200 * 1024) };
  ds.elements['00290010'] = { vr: 'LO', Value: ['BIG PRIVATE'] };
  const path = join(dir, 'big.dcm');
  const written = writePart10(ds);
  writeFileSync(path, Buffer.concat([written, new Uint8Array(4 * 1024 * 1024)]));
  const header = await scanHeaderFile(path);
  assert.equal(header.sopInstanceUid, scanHeader(source).sopInstanceUid);
  assert.equal(header.pixelDataOffset, scanHeader(written).pixelDataOffset);
  assert.ok(header.pixelDataOffset! > 200 * 1024);
  const deflated = await scanHeaderFile(join(TEST_FILES, 'image_dfl.dcm'));
  assert.equal(deflated.sopInstanceUid, '1.3.6.1.4.1.5962.1.1.0.0.0.977067309.6001.0');
  await assert.rejects(scanHeaderFile(join(TEST_FILES, 'README.txt')), DicomParseError);

  // The same from bytes already in hand: a prefix short of the pixel data is not an answer yet.
  const whole = readFileSync(path);
  assert.equal(scanHeaderPrefix(whole.subarray(0, 64 * 1024), whole.length), undefined);
  const fromPrefix = scanHeaderPrefix(whole.subarray(0, 512 * 1024), whole.length);
  assert.equal(fromPrefix?.pixelDataOffset, header.pixelDataOffset);
  assert.equal(fromPrefix?.pixelDataLength, scanHeader(source).pixelDataLength);
  assert.throws(() => scanHeaderPrefix(new TextEncoder().encode('hello'), 5), DicomParseError);
});

test('pixelDataLength tells how long native pixel data should be, so a cut file can be detected', () => {
  const source = readFileSync(join(TEST_FILES, 'CT_small.dcm'));
  const header = scanHeader(source);
  assert.equal(header.pixelDataLength, 128 * 128 * 2);
  assert.ok(header.pixelDataOffset! + header.pixelDataLength! <= source.length);
  // The data set follows the 128-byte preamble, "DICM" and the meta group (its length is at byte 140).
  assert.equal(header.datasetOffset, 144 + source.readUInt32LE(140));
  assert.equal(scanHeader(readFileSync(join(TEST_FILES, 'ExplVR_LitEndNoMeta.dcm'))).datasetOffset, 0);
  assert.equal(scanHeader(readFileSync(join(TEST_FILES, 'JPEG2000.dcm'))).pixelDataLength, undefined);
});

test('every truncation of real files throws DicomParseError or parses, never anything else', () => {
  for (const file of [
    'CT_small.dcm',
    'rtplan.dcm',
    'MR_small_bigendian.dcm',
    'JPEG2000.dcm',
    'image_dfl.dcm',
  ]) {
    const bytes = readFileSync(join(TEST_FILES, file));
    for (let end = 0; end < bytes.length; end += file === 'CT_small.dcm' ? 97 : 13) {
      const prefix = bytes.subarray(0, end);
      for (const read of [() => readDataset(prefix), () => scanHeader(prefix)]) {
        try {
          read();
        } catch (error) {
          assert.ok(error instanceof DicomParseError, `${file} cut at ${end}: ${String(error)}`);
        }
      }
    }
  }
});

test('random corruption throws only DicomParseError (seeded)', () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const file of ['CT_small.dcm', 'rtplan.dcm', 'test-SR.dcm', 'MR_small_RLE.dcm', 'image_dfl.dcm']) {
    const original = readFileSync(join(TEST_FILES, file));
    for (let round = 0; round < 150; round++) {
      const bytes = Buffer.from(original);
      for (let i = 0; i < 4; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        readDataset(bytes);
      } catch (error) {
        assert.ok(error instanceof DicomParseError, `${file} round ${round}: ${String(error)}`);
      }
    }
  }
});

test('a bogus huge length is reported as truncation, not allocated', () => {
  const bytes = Buffer.from(readFileSync(join(TEST_FILES, 'CT_small.dcm')));
  // (0008,0005) CS at offset 0x14c (dataset start 0x148 + tag 4 + VR 2): set its 16-bit length to 0xFFF0.
  const at = bytes.indexOf(Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53]));
  bytes.writeUInt16LE(0xfff0, at + 6);
  assert.throws(
    () => readDataset(bytes),
    (e: unknown) => e instanceof DicomParseError,
  );
  assert.throws(() => scanHeader(Buffer.from('not dicom at all, just text')), /not a DICOM file/);
  assert.throws(() => scanHeader(new Uint8Array(0)), /not a DICOM file/);
});
