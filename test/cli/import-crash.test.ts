// `kill -9` of `lantern import` midway: no half-indexed instance; a second run stores the rest; verify agrees.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { runLantern, startLantern } from '../support/lantern-cli.js';
import { writeSyntheticStudies } from '../support/synthetic-ct.js';

const STUDIES = 4;
const SERIES = 2;
const PER_SERIES = 40;
const TOTAL = STUDIES * SERIES * PER_SERIES;

let sourceDir: string;
let dataDir: string;

before(async () => {
  sourceDir = await mkdtemp(join(tmpdir(), 'lantern-crash-src-'));
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-crash-data-'));
  await writeSyntheticStudies(sourceDir, {
    studies: STUDIES,
    seriesPerStudy: SERIES,
    instancesPerSeries: PER_SERIES,
    seed: 42,
  });
});
after(async () => {
  await rm(sourceDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function countStoredFiles(): Promise<number> {
  const blobs = join(dataDir, 'storage', 'blobs');
  const entries = await readdir(blobs, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

test('kill -9 of an import midway leaves an index that a second run completes and verify confirms', async () => {
  const env = { LANTERN_DATA_DIR: dataDir };
  const child = startLantern(['import', '--no-progress', sourceDir], env);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, signal) => resolve(signal)),
  );
  // Wait until the import is well under way, then kill it without warning.
  const deadline = Date.now() + 120_000;
  while ((await countStoredFiles()) < TOTAL / 4 && Date.now() < deadline) await sleep(10);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the import was killed before it finished');
  const storedBeforeKill = await countStoredFiles();
  assert.ok(
    storedBeforeKill > 0 && storedBeforeKill < TOTAL,
    `killed midway (${storedBeforeKill} of ${TOTAL} files)`,
  );

  // Whatever the kill interrupted, what is indexed is whole: every indexed instance has its file.
  const midway = await runLantern(['verify', '--no-progress'], env);
  assert.doesNotMatch(midway.stdout, /missing files\s+[1-9]/, midway.stdout);
  assert.doesNotMatch(midway.stdout, /corrupt files\s+[1-9]/, midway.stdout);

  const rerun = await runLantern(['import', '--no-progress', sourceDir], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  const stored = Number(/^\s+stored\s+(\d+)/m.exec(rerun.stdout)?.[1]);
  const duplicate = Number(/^\s+duplicate\s+(\d+)/m.exec(rerun.stdout)?.[1]);
  assert.equal(Number(/^\s+rejected\s+(\d+)/m.exec(rerun.stdout)?.[1]), 0, rerun.stdout);
  assert.equal(stored + duplicate, TOTAL);
  assert.ok(
    stored > 0 && duplicate > 0,
    `the second run stored the rest (${stored}) and skipped what was there (${duplicate})`,
  );

  const verify = await runLantern(['verify', '--no-progress'], env);
  assert.equal(verify.code, 0, verify.stdout);
  assert.match(verify.stdout, new RegExp(`Checked ${TOTAL} indexed instances and ${TOTAL} stored files`));
  assert.match(verify.stdout, /Index and storage agree/);

  // The derived counts agree with the instances actually indexed.
  const listing = await runLantern(['studies', '--json'], env);
  const { studies } = JSON.parse(listing.stdout) as { studies: Record<string, number>[] };
  assert.equal(studies.length, STUDIES);
  for (const study of studies) {
    assert.equal(study.NumberOfStudyRelatedInstances, SERIES * PER_SERIES);
    assert.equal(study.NumberOfStudyRelatedSeries, SERIES);
  }
});

test('verify reports a stored file that was changed on disk, and one that disappeared', async () => {
  const { writeFile, unlink } = await import('node:fs/promises');
  const blobs = join(dataDir, 'storage', 'blobs');
  const files = (await readdir(blobs, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const [first, second] = files.map((e) => join(e.parentPath ?? e.path, e.name));
  await writeFile(first!, 'bit rot');
  await unlink(second!);
  const verify = await runLantern(['verify', '--no-progress'], { LANTERN_DATA_DIR: dataDir });
  assert.equal(verify.code, 1);
  assert.match(verify.stdout, /missing files\s+1/);
  assert.match(verify.stdout, /corrupt files\s+1/);
  assert.match(verify.stdout, /DISAGREE/);
});
