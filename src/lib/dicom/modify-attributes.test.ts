import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { modifyAttributes, scanHeader, tags } from './index.js';
import { run, TEST_FILES } from './test-support.js';

const tmp = mkdtempSync(join(tmpdir(), 'dicom-modify-'));

/** Lengths of the common prefix and suffix of two byte arrays. */
function commonEnds(a: Uint8Array, b: Uint8Array): { prefix: number; suffix: number } {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  return { prefix, suffix };
}

function dcmdump(bytes: Uint8Array, name: string): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  const { status, stdout, stderr } = run('dcmdump', [path]);
  assert.equal(status, 0, stderr);
  assert.doesNotMatch(stderr, /^[EW]:/m, stderr);
  return stdout;
}

const CASES: [string, string][] = [
  ['CT_small.dcm', 'explicit VR little endian'],
  ['rtplan.dcm', 'implicit VR little endian'],
  ['MR_small_bigendian.dcm', 'explicit VR big endian'],
  ['JPEG2000.dcm', 'encapsulated pixel data'],
];

for (const [file, kind] of CASES) {
  test(`modifyAttributes (${kind}, ${file}): only the changed element's bytes differ`, () => {
    const original = readFileSync(join(TEST_FILES, file));
    const before = scanHeader(original);
    const name = before.string(tags.PatientName)!;
    const changed = modifyAttributes(original, { [tags.PatientName]: 'Doe^Jane' });
    const { prefix, suffix } = commonEnds(original, changed);
    // What differs is the one element: the original middle is PatientName's tag, length and old value.
    const removed = original.subarray(prefix, original.length - suffix);
    assert.ok(removed.length <= 12 + name.length + 1, `only PatientName changed (${removed.length} bytes)`);
    assert.equal(scanHeader(changed).string(tags.PatientName), 'Doe^Jane');
    assert.equal(scanHeader(changed).sopInstanceUid, before.sopInstanceUid);
    assert.match(dcmdump(changed, `name-${file}`), /\(0010,0010\) PN \[Doe\^Jane\]/);

    // Add (in tag order) and remove, then the file meta: the group length must follow (PS3.10 7.1).
    const more = modifyAttributes(original, {
      [tags.AccessionNumber]: 'ACC-1',
      [tags.PatientID]: null,
      [tags.ModalitiesInStudy]: ['CT', 'MR'],
      '00020016': 'STORE_SCU',
    });
    const dump = dcmdump(more, `more-${file}`);
    assert.match(dump, /\(0008,0050\) SH \[ACC-1\]/);
    assert.match(dump, /\(0008,0061\) CS \[CT\\MR\]/);
    assert.doesNotMatch(dump, /^\(0010,0020\)/m); // top level only: items may hold their own
    assert.match(dump, /\(0002,0016\) AE \[STORE_SCU\]/);
    const header = scanHeader(more);
    assert.deepEqual(header.strings(tags.ModalitiesInStudy), ['CT', 'MR']);
    assert.equal(header.string(tags.PatientID), undefined);
    if (before.pixelDataOffset !== undefined) {
      // The pixel data is the same bytes, shifted by the size difference.
      assert.equal(header.pixelDataOffset! - before.pixelDataOffset, more.length - original.length);
      assert.deepEqual(more.subarray(header.pixelDataOffset!), original.subarray(before.pixelDataOffset));
    }
  });
}

test('modifyAttributes: deflated files, bare data sets, numbers and character sets', () => {
  const deflated = modifyAttributes(readFileSync(join(TEST_FILES, 'image_dfl.dcm')), {
    [tags.PatientID]: 'P-7',
  });
  assert.equal(scanHeader(deflated).string(tags.PatientID), 'P-7');
  assert.match(dcmdump(deflated, 'deflated.dcm'), /\(0010,0020\) LO \[P-7\]/);

  const bare = readFileSync(join(TEST_FILES, 'ExplVR_LitEndNoMeta.dcm'));
  const changedBare = modifyAttributes(bare, { [tags.StudyID]: 'S1' });
  assert.equal(scanHeader(changedBare).string(tags.StudyID), 'S1');
  assert.throws(() => modifyAttributes(bare, { '00020016': 'X' }), /no file meta/);

  const ct = readFileSync(join(TEST_FILES, 'CT_small.dcm'));
  const rows = modifyAttributes(ct, { [tags.Rows]: '128', [tags.InstitutionName]: 'Hôpital' });
  assert.deepEqual(rows.subarray(0, 300), ct.subarray(0, 300));
  assert.equal(scanHeader(rows).string(tags.InstitutionName), 'Hôpital'); // ISO_IR 100 encodes é/ô
  assert.throws(() => modifyAttributes(ct, { [tags.InstitutionName]: '病院' }), /cannot encode/);
  assert.throws(() => modifyAttributes(ct, { [tags.PixelData]: null }), /cannot be modified/);
});
