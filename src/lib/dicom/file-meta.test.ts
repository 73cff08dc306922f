import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeFileMeta, scanHeader } from './index.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

test('a received data set behind our file meta is a Part 10 file that DCMTK and our reader accept', () => {
  const original = readFileSync(CT_SMALL);
  const header = scanHeader(original);
  // CT_small's data set starts after its own meta group: preamble, DICM, then 12 + group length bytes.
  const metaEnd = 132 + 12 + original.readUInt32LE(140);
  const dataSet = original.subarray(metaEnd);
  const meta = encodeFileMeta({
    mediaStorageSopClassUid: header.sopClassUid!,
    mediaStorageSopInstanceUid: header.sopInstanceUid!,
    transferSyntaxUid: header.transferSyntaxUid,
    implementationClassUid: '1.2.826.0.1.3680043.10.1',
    implementationVersionName: 'LANTERN_01',
    sourceApplicationEntityTitle: 'MODALITY',
  });
  const file = Buffer.concat([meta, dataSet]);
  const rewritten = scanHeader(file);
  assert.equal(rewritten.sopInstanceUid, header.sopInstanceUid);
  assert.equal(rewritten.string('00020016'), 'MODALITY');
  assert.equal(rewritten.pixelDataOffset! - meta.length, header.pixelDataOffset! - metaEnd);

  const path = join(mkdtempSync(join(tmpdir(), 'file-meta-')), 'x.dcm');
  writeFileSync(path, file);
  const dump = spawnSync('dcmdump', ['-q', '+P', '0002,0000', '+P', '0002,0016', path], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /\(0002,0016\) AE \[MODALITY\]/);
  assert.doesNotMatch(dump.stderr, /warn|error/i);
});
