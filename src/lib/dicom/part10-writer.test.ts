import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { framesOf, readDataset, scanHeader, toDicomJson, writePart10, type DicomDataset } from './index.js';
import { run, runOk, TEST_FILES } from './test-support.js';

const tmp = mkdtempSync(join(tmpdir(), 'dicom-write-'));

function dciodvfyErrors(path: string): string[] {
  const { stdout, stderr } = run('dciodvfy', [path]);
  return `${stdout}\n${stderr}`.split('\n').filter((line) => line.startsWith('Error'));
}

/** DICOM JSON without the attributes a rewrite legitimately changes. */
function comparable(dataset: DicomDataset): unknown {
  const json = toDicomJson(dataset);
  delete json['00080005']; // rewritten as ISO_IR 192 when text is not ASCII (dcmjs writes UTF-8)
  return json;
}

function pixelBytes(dataset: DicomDataset): Buffer | undefined {
  const pixel = dataset.elements['7FE00010'];
  if (!pixel) return undefined;
  if (pixel.bytes) return Buffer.from(pixel.bytes);
  return Buffer.concat(framesOf(pixel, Number(dataset.elements['00280008']?.Value?.[0] ?? 1)));
}

const FILES = [
  'CT_small.dcm',
  'MR_small_implicit.dcm',
  'MR_small_bigendian.dcm',
  'image_dfl.dcm',
  'JPEG2000.dcm',
  'SC_rgb_rle_2frame.dcm',
  'rtplan.dcm',
  'test-SR.dcm',
  'waveform_ecg.dcm',
  '../charset_files/chrH31.dcm',
];

for (const file of FILES) {
  test(`writePart10 ${file}: dciodvfy no worse, re-reads equal`, () => {
    const path = join(TEST_FILES, file);
    const input = readDataset(readFileSync(path));
    const output = join(tmp, file.replace(/.*\//, ''));
    writeFileSync(output, writePart10(input));
    const before = dciodvfyErrors(path);
    const after = dciodvfyErrors(output);
    assert.ok(
      after.length <= before.length,
      `new errors:\n${after.filter((e) => !before.includes(e)).join('\n')}`,
    );
    const reread = readDataset(readFileSync(output));
    // Deflated input is written Explicit VR Little Endian (see part10-writer.ts); everything else keeps its syntax.
    const expectedTs = input.transferSyntaxUid.endsWith('.99')
      ? '1.2.840.10008.1.2.1'
      : input.transferSyntaxUid;
    assert.equal(reread.transferSyntaxUid, expectedTs);
    assert.deepEqual(comparable(reread), comparable(input));
    assert.deepEqual(pixelBytes(reread), pixelBytes(input));
    runOk('dcmdump', ['-q', output]);
  });
}

test('writePart10 keeps one fragment per frame with a Basic Offset Table', () => {
  const input = readDataset(readFileSync(join(TEST_FILES, 'SC_rgb_rle_2frame.dcm')));
  const reread = readDataset(writePart10(input));
  const pixel = reread.elements['7FE00010']!;
  assert.equal(pixel.fragments?.length, 2);
  assert.equal(pixel.basicOffsetTable?.length, 2);
});

test('writePart10 can write deflate, implicit and big endian on request', () => {
  const input = readDataset(readFileSync(join(TEST_FILES, 'CT_small.dcm')));
  for (const ts of ['1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2', '1.2.840.10008.1.2.2']) {
    const path = join(tmp, `ct-${ts}.dcm`);
    writeFileSync(path, writePart10(input, { transferSyntaxUid: ts }));
    const reread = readDataset(readFileSync(path));
    assert.equal(reread.transferSyntaxUid, ts);
    // Implicit VR cannot carry the VR of private attributes (PS3.5 7.1.3): they come back as UN.
    const publicOnly = (json: unknown) =>
      Object.fromEntries(
        Object.entries(json as object).filter(
          ([tag]) => ts !== '1.2.840.10008.1.2' || !/^...[13579BDF]/.test(tag),
        ),
      );
    assert.deepEqual(publicOnly(comparable(reread)), publicOnly(comparable(input)));
    assert.deepEqual(pixelBytes(reread), pixelBytes(input));
    assert.match(runOk('dcmdump', ['+P', 'SOPInstanceUID', path]), /20040119072730\.12322/);
  }
  assert.throws(() => writePart10(input, { transferSyntaxUid: '1.2.840.10008.1.2.4.50' }), /no transcoding/);
});

test('files written by DCMTK (dump2dcm, dcmconv, img2dcm, dcmcrle, dcmcjpls) are read', () => {
  const source = join(TEST_FILES, 'CT_small.dcm');
  const native = pixelBytes(readDataset(readFileSync(source)));
  const dump = join(tmp, 'minimal.dump');
  writeFileSync(
    dump,
    [
      '(0008,0016) UI =SecondaryCaptureImageStorage',
      '(0008,0018) UI [1.2.3.4.5.6.7.8.9]',
      '(0008,0005) CS [ISO_IR 100]',
      '(0010,0010) PN [M\xfcller^J\xfcrgen]',
      '(0010,0020) LO [ID-1\\ID-2]',
      '(0028,0010) US 2',
    ].join('\n'),
    'latin1',
  );
  const dumped = join(tmp, 'dump2dcm.dcm');
  runOk('dump2dcm', ['+te', dump, dumped]);
  const header = scanHeader(readFileSync(dumped));
  assert.equal(header.string('00100010'), 'Müller^Jürgen');
  assert.deepEqual(header.strings('00100020'), ['ID-1', 'ID-2']);
  assert.equal(header.string('00280010'), '2');

  for (const [flag, ts] of [
    ['+te', '1.2.840.10008.1.2.1'],
    ['+tb', '1.2.840.10008.1.2.2'],
    ['+ti', '1.2.840.10008.1.2'],
    ['+td', '1.2.840.10008.1.2.1.99'],
  ] as const) {
    const out = join(tmp, `dcmconv${flag}.dcm`);
    runOk('dcmconv', [flag, source, out]);
    const dataset = readDataset(readFileSync(out));
    assert.equal(dataset.transferSyntaxUid, ts);
    assert.deepEqual(pixelBytes(dataset), native, flag);
    assert.equal(
      scanHeader(readFileSync(out)).sopInstanceUid,
      '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
    );
  }
  for (const [tool, ts] of [
    ['dcmcrle', '1.2.840.10008.1.2.5'],
    ['dcmcjpls', '1.2.840.10008.1.2.4.80'],
  ] as const) {
    const out = join(tmp, `${tool}.dcm`);
    runOk(tool, [source, out]);
    const dataset = readDataset(readFileSync(out));
    assert.equal(dataset.transferSyntaxUid, ts);
    assert.ok((dataset.elements['7FE00010']?.fragments?.length ?? 0) >= 1);
    const decoded = join(tmp, `${tool}-decoded.dcm`);
    runOk(tool === 'dcmcrle' ? 'dcmdrle' : 'dcmdjpls', [out, decoded]);
    assert.deepEqual(pixelBytes(readDataset(readFileSync(decoded))), native, `${tool} round trip`);
  }
  const bmp = join(tmp, 'ct.bmp');
  runOk('dcmj2pnm', ['+ob', source, bmp]);
  const imported = join(tmp, 'img2dcm.dcm');
  runOk('img2dcm', ['-i', 'BMP', bmp, imported]);
  const fromImage = scanHeader(readFileSync(imported));
  assert.equal(fromImage.string('00280010'), '128');
  assert.ok(fromImage.pixelDataOffset);
});
