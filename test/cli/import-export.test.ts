// `lantern import` of pydicom's test files and `lantern export` back, compared byte for byte with cmp.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { buffer } from 'node:stream/consumers';
import { openLantern } from '../../src/app.js';
import { toMatchRecord } from '../../src/archive/index.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { createContext } from '../../src/platform/context.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { runLantern } from '../support/lantern-cli.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** What DCMTK makes of each file: the SOP Instance UID of every file it reads as DICOM with one. */
function dcmtkSopInstanceUid(path: string): string | undefined {
  const result = spawnSync('dcmdump', ['+P', '0008,0018', '-q', path], { encoding: 'utf8' });
  const match = /\[([0-9.]+)\]/.exec(result.stdout);
  return result.status === 0 ? match?.[1] : undefined;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out.sort();
}

let dataDir: string;
let storedCount = 0;
let outDir: string;
const env = () => ({ LANTERN_DATA_DIR: dataDir });

before(async () => {
  assert.ok(existsSync(PYDICOM_FILES), `${PYDICOM_FILES} is missing: apt-get install python3-pydicom`);
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-import-'));
  outDir = await mkdtemp(join(tmpdir(), 'lantern-export-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

test('importing pydicom test_files stores every valid file, reports each invalid one, and completes', async () => {
  const files = await listFiles(PYDICOM_FILES);
  const result = await runLantern(['import', '--no-progress', PYDICOM_FILES], env());
  assert.equal(result.code, 0, result.stderr);
  const count = (label: string) =>
    Number(new RegExp(`^\\s+${label}\\s+(\\d+)`, 'm').exec(result.stdout)?.[1]);
  const stored = count('stored');
  const duplicate = count('duplicate');
  const rejected = count('rejected');
  assert.equal(stored + duplicate + rejected, files.length, result.stdout);

  // Every file that DCMTK reads as a DICOM instance is stored (or a duplicate of one that is).
  const rejectedLines = result.stdout.split('\n').filter((l) => /^ {2}\S.*: /.test(l));
  assert.equal(rejectedLines.length, rejected);
  for (const line of rejectedLines) {
    const path = line.trim().split(': ')[0]!;
    const reason = line.trim().slice(path.length + 2);
    assert.ok(reason.length > 5, `a reason is given for ${path}`);
    const uid = dcmtkSopInstanceUid(join(PYDICOM_FILES, path));
    const studyUid = spawnSync('dcmdump', ['+P', '0020,000d', '-q', join(PYDICOM_FILES, path)], {
      encoding: 'utf8',
    });
    // A file DCMTK reads fully, with the UIDs an archive is keyed on, must not be rejected.
    if (uid && /\[[0-9.]+\]/.test(studyUid.stdout) && studyUid.status === 0) {
      assert.fail(`${path} is readable DICOM with a SOP Instance UID but was rejected: ${reason}`);
    }
  }
  assert.ok(stored > 50, `most pydicom test files are storable (stored ${stored})`);
  storedCount = stored;
});

test('an exported study is byte-identical (cmp) to the files imported', async () => {
  const source = join(PYDICOM_FILES, 'CT_small.dcm');
  const listing = await runLantern(
    [
      'studies',
      '--json',
      '--patient-id',
      '1CT1',
      '--study-uid',
      '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
    ],
    env(),
  );
  assert.equal(listing.code, 0, listing.stderr);
  const { studies } = JSON.parse(listing.stdout) as { studies: { StudyInstanceUID: string }[] };
  assert.equal(studies.length, 1);
  const studyUid = studies[0]!.StudyInstanceUID;

  const exported = await runLantern(['export', studyUid, outDir], env());
  assert.equal(exported.code, 0, exported.stderr);
  const files = await listFiles(outDir);
  assert.ok(files.length >= 1);
  const uid = dcmtkSopInstanceUid(source)!;
  const copy = files.find((f) => f.endsWith(`${uid}.dcm`));
  assert.ok(copy, `CT_small.dcm's instance ${uid} is among the exported files`);
  execFileSync('cmp', [source, copy]);
});

test('every stored instance reads back byte-identical to a file that was imported', async () => {
  // The same retrieve path `lantern export` uses, over every study, in this process (one CLI run per study is slow).
  const config = loadConfig({ env: { LANTERN_DATA_DIR: dataDir } });
  const lantern = await openLantern(config, silentLogger());
  try {
    const ctx = createContext(lantern.log, { kind: 'system', name: 'test' }, { door: 'cli' });
    const { total, matches } = await lantern.archive.query(ctx, { level: 'STUDY', limit: 1000 });
    assert.equal(matches.length, total);
    const sourceHashes = new Set<string>();
    for (const file of await listFiles(PYDICOM_FILES)) sourceHashes.add(sha256(await readFile(file)));
    let instances = 0;
    for (const match of matches) {
      const studyInstanceUid = String(toMatchRecord(match).StudyInstanceUID);
      for (const instance of await lantern.archive.retrieve(ctx, { studyInstanceUid })) {
        const bytes = await buffer(instance.open());
        assert.ok(
          sourceHashes.has(sha256(bytes)),
          `${instance.sopInstanceUid} differs from every imported file`,
        );
        instances++;
      }
    }
    assert.equal(instances, storedCount, 'every stored instance was read back');
  } finally {
    await lantern.close();
  }
});

test('studies filters through the query model and prints a table with the total', async () => {
  const result = await runLantern(['studies', '--date', '19000101-20991231', '--limit', '2'], env());
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Study Instance UID/);
  assert.match(result.stdout, /1–2 of \d+ studies/);
  const bad = await runLantern(['studies', '--date', 'last week'], env());
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /StudyDate/);
});
