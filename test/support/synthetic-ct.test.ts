// The synthetic CT files must be valid for real DICOM toolkits, not just for our own reader:
// DCMTK's dcmdump must read them and dicom3tools' dciodvfy must find no IOD errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { syntheticCtInstance, writeSyntheticStudies, writeSyntheticStudy } from './synthetic-ct.js';

const hasTool = (name: string): boolean => spawnSync(name, ['-h'], { stdio: 'ignore' }).error === undefined;
const noDcmtk = !hasTool('dcmdump') && 'dcmdump (DCMTK) is not installed';
const noDicom3tools = !hasTool('dciodvfy') && 'dciodvfy (dicom3tools) is not installed';

/** Values of the given tags as dcmdump prints them, e.g. { '0010,0020': 'PAT-1' }. */
function dump(file: string, tags: string[]): Record<string, string> {
  const result = spawnSync('dcmdump', ['-q', ...tags.flatMap((tag) => ['+P', tag]), file], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `dcmdump failed on ${file}: ${result.stderr}`);
  assert.equal(result.stderr, '', `dcmdump complained about ${file}`);
  const values: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const match = /^\(([0-9a-f]{4},[0-9a-f]{4})\) \w\w (?:\[([^\]]*)\]|(\S+))/i.exec(line);
    if (match?.[1] !== undefined) values[match[1].toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  return values;
}

/** dciodvfy's complaints, split into errors and warnings. */
function verify(file: string): { errors: string[]; warnings: string[] } {
  const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  const errors = lines.filter((line) => /error/i.test(line));
  if (result.status !== 0 && errors.length === 0)
    errors.push(`dciodvfy exited with ${String(result.status)}`);
  return {
    errors,
    warnings: lines.filter((line) => /warning/i.test(line)),
  };
}

let folder = '';
before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'lantern-synthetic-ct-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('synthetic CT generator', () => {
  it('writes a study that dcmdump reads with the expected identifiers', { skip: noDcmtk }, async () => {
    const study = await writeSyntheticStudy(join(folder, 'study'), {
      patientId: 'PAT-TEST-1',
      patientName: 'DOE^JANE',
      series: 2,
      instancesPerSeries: 3,
      seed: 42,
      accessionNumber: 'ACC42',
    });
    assert.equal(study.files.length, 6);
    assert.match(study.studyInstanceUid, /^2\.25\.[1-9]\d*$/);
    const sopUids = new Set<string>();
    const zBySeries = new Map<string, number[]>();
    for (const file of study.files) {
      const v = dump(file, [
        '0010,0020',
        '0010,0010',
        '0008,0018',
        '0002,0003',
        '0020,000d',
        '0020,000e',
        '0020,0032',
      ]);
      assert.equal(v['0010,0020'], 'PAT-TEST-1');
      assert.equal(v['0010,0010'], 'DOE^JANE');
      assert.equal(v['0020,000d'], study.studyInstanceUid);
      const sopUid = v['0008,0018'] ?? '';
      assert.match(sopUid, /^2\.25\.[1-9]\d*$/);
      assert.ok(sopUid.length <= 64);
      assert.equal(v['0002,0003'], sopUid, 'MediaStorageSOPInstanceUID matches SOPInstanceUID');
      sopUids.add(sopUid);
      const z = Number((v['0020,0032'] ?? '').split('\\')[2]);
      const series = v['0020,000e'] ?? '';
      zBySeries.set(series, [...(zBySeries.get(series) ?? []), z]);
    }
    assert.equal(sopUids.size, 6, 'every instance has its own SOPInstanceUID');
    assert.equal(zBySeries.size, 2);
    for (const zs of zBySeries.values()) {
      for (let i = 1; i < zs.length; i++) assert.ok((zs[i] as number) > (zs[i - 1] as number), 'z increases');
    }
  });

  it('writes the SOPInstanceUID it is given', { skip: noDcmtk }, async () => {
    const file = join(folder, 'given.dcm');
    await writeFile(
      file,
      syntheticCtInstance({ sopInstanceUid: '1.2.826.0.1.3680043.2.1143.7', patientId: 'X1' }),
    );
    const v = dump(file, ['0008,0018', '0010,0020', '0028,0010', '0028,0011', '0028,0101']);
    assert.deepEqual(v, {
      '0008,0018': '1.2.826.0.1.3680043.2.1143.7',
      '0010,0020': 'X1',
      '0028,0010': '512',
      '0028,0011': '512',
      '0028,0101': '12',
    });
  });

  it('passes dciodvfy without errors', { skip: noDicom3tools }, async (t) => {
    const study = await writeSyntheticStudy(join(folder, 'iod'), {
      series: 2,
      instancesPerSeries: 2,
      seed: 7,
    });
    const odd = join(folder, 'odd-size.dcm');
    await writeFile(odd, syntheticCtInstance({ rows: 64, columns: 80, seed: 3, patientId: 'ODD' }));
    for (const file of [...study.files, odd]) {
      const { errors, warnings } = verify(file);
      assert.deepEqual(errors, [], `dciodvfy errors in ${file}`);
      for (const warning of warnings) t.diagnostic(`dciodvfy: ${warning}`);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = syntheticCtInstance({ seed: 5, instanceNumber: 3 });
    const b = syntheticCtInstance({ seed: 5, instanceNumber: 3 });
    const c = syntheticCtInstance({ seed: 6, instanceNumber: 3 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('writes ~525 KB files of realistic, non-constant 12-bit pixels', async () => {
    const file = join(folder, 'pixels.dcm');
    await writeFile(file, syntheticCtInstance({ seed: 9, instanceNumber: 12 }));
    const size = (await stat(file)).size;
    assert.ok(size > 524_288 + 1000 && size < 524_288 + 4000, `size ${size}`);
    const bytes = await readFile(file);
    const pixels = new Uint16Array(
      bytes.buffer.slice(bytes.byteOffset + size - 524_288, bytes.byteOffset + size),
    );
    let max = 0;
    const distinct = new Set<number>();
    for (const value of pixels) {
      if (value > max) max = value;
      distinct.add(value);
    }
    assert.ok(max <= 4095, 'values fit BitsStored 12');
    assert.ok(max > 1900, 'bone is present (HU > 900)');
    assert.ok(distinct.size > 200, 'noise and several tissues');
  });

  it('writes many studies with distinct UIDs, two studies per patient', { skip: noDcmtk }, async () => {
    const result = await writeSyntheticStudies(join(folder, 'many'), {
      studies: 3,
      seriesPerStudy: 2,
      instancesPerSeries: 2,
      seed: 11,
      rows: 32,
      columns: 32,
    });
    assert.equal(result.files.length, 12);
    assert.equal(new Set(result.studyInstanceUids).size, 3);
    const patients = result.files.map((file) => dump(file, ['0010,0020'])['0010,0020']);
    assert.deepEqual([...new Set(patients)], ['SYN11-1', 'SYN11-2']);
  });
});
