// Import bench: how fast is `lantern import <folder>` on a folder of CT files, compared with the floor of simply
// copying the same files (`cp -r`, and `cp -r` + `sync` for a durable copy)?
//
//   npx tsx bench/import/run.ts [--instances 2000] [--repeat 3] [--tmp DIR] [--variant 'label:KEY=VALUE,…']
//
// See bench/README.md for how to read the result. Every candidate reads files that were just written (warm page
// cache): the cache cannot be dropped without root, so every candidate gets the same warm start instead.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { writeSyntheticStudies, writeSyntheticStudy } from '../../test/support/synthetic-ct.js';
import {
  describeMachine,
  ensureBuilt,
  flush,
  folderSize,
  median,
  printRows,
  tail,
  timed,
  type Timed,
} from './measure.js';
import { parseOptions, type BenchOptions, type Candidate } from './options.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const INSTANCES_PER_STUDY = 100; // 4 series × 25 slices, so 2,000 instances are 20 studies

interface Measurement {
  name: string;
  /** Wall-clock seconds of each round, process start and exit included. */
  runsSeconds: number[];
  /** The median of runsSeconds; the rates below are computed from it. */
  seconds: number | null;
  instancesPerSecond: number | null;
  megabytesPerSecond: number | null;
  /** Throughput relative to a baseline: 1 = as fast as copying, 0.5 = half as fast. */
  ratioToCp: number | null;
  ratioToCpSync: number | null;
  /** Bytes under LANTERN_DATA_DIR after the last run (files, database, journal). */
  storedBytes?: number;
  /** The last lines Lantern printed in its last run (its summary). */
  output?: string;
  error?: string;
}

/** Studies of 4 series × 25 instances, and one smaller study for any remainder. */
async function generate(folder: string, instances: number): Promise<void> {
  const studies = Math.floor(instances / INSTANCES_PER_STUDY);
  if (studies > 0) {
    await writeSyntheticStudies(folder, { studies, seriesPerStudy: 4, instancesPerSeries: 25, seed: 2024 });
  }
  const rest = instances % INSTANCES_PER_STUDY;
  if (rest > 0) {
    await writeSyntheticStudy(join(folder, 'study-rest'), {
      series: 1,
      instancesPerSeries: rest,
      seed: 4048,
    });
  }
}

function runOnce(
  candidate: Candidate,
  paths: { main: string; source: string; work: string },
  options: BenchOptions,
  m: Measurement,
): void {
  const { main, source, work } = paths;
  const target = join(work, 'target');
  let result: Timed;
  if (candidate.kind === 'lantern') {
    mkdirSync(target);
    result = timed(process.execPath, [main, 'import', source], {
      cwd: repoRoot,
      env: { ...process.env, LANTERN_DATA_DIR: target, ...candidate.env },
      timeoutSeconds: options.timeoutSeconds,
    });
    m.output = tail(result.stdout, 10);
    if (result.exitCode === 0) m.storedBytes = folderSize(target).bytes;
  } else {
    const script = candidate.kind === 'cp-sync' ? 'cp -r "$0" "$1" && sync' : 'cp -r "$0" "$1"';
    result = timed('sh', ['-c', script, source, target]);
  }
  if (result.exitCode === 0 && result.error === undefined) m.runsSeconds.push(result.seconds);
  else m.error = result.error ?? `exit code ${String(result.exitCode)}: ${tail(result.stderr, 20)}`;
  rmSync(target, { recursive: true, force: true });
  flush();
}

function summarize(results: Measurement[], instances: number, bytes: number): void {
  for (const m of results) {
    m.seconds = m.error === undefined ? median(m.runsSeconds) : null;
    m.instancesPerSecond = m.seconds === null ? null : instances / m.seconds;
    m.megabytesPerSecond = m.seconds === null ? null : bytes / 1e6 / m.seconds;
  }
  const [cp, cpSync] = results;
  for (const m of results.slice(2)) {
    if (m.instancesPerSecond === null) continue;
    m.ratioToCp = cp?.instancesPerSecond ? m.instancesPerSecond / cp.instancesPerSecond : null;
    m.ratioToCpSync = cpSync?.instancesPerSecond ? m.instancesPerSecond / cpSync.instancesPerSecond : null;
  }
}

function printTable(results: Measurement[]): void {
  const fixed = (value: number | null, digits: number): string =>
    value === null ? '—' : value.toFixed(digits);
  const rows = [
    ['candidate', 'seconds', 'instances/s', 'MB/s', 'vs cp -r', 'vs cp -r + sync'],
    ...results.map((r) => [
      r.name,
      fixed(r.seconds, 2),
      fixed(r.instancesPerSecond, 0),
      fixed(r.megabytesPerSecond, 1),
      fixed(r.ratioToCp, 2),
      fixed(r.ratioToCpSync, 2),
    ]),
  ];
  printRows(rows);
  for (const r of results) if (r.error !== undefined) console.log(`\n${r.name} failed: ${r.error}`);
}

async function bench(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const main = options.main === undefined ? join(repoRoot, 'dist', 'main.js') : resolve(options.main);
  const buildError = options.main === undefined ? ensureBuilt(repoRoot) : undefined;
  const work = mkdtempSync(join(options.tmp, 'lantern-bench-import-'));
  const cleanUp = (): void => rmSync(work, { recursive: true, force: true });
  const onSignal = (): void => {
    cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const source = join(work, 'source');
    console.log(`generating ${options.instances} CT instances in ${source} …`);
    const generationStart = performance.now();
    await generate(source, options.instances);
    const generationSeconds = (performance.now() - generationStart) / 1000;
    const { files, bytes } = folderSize(source);
    console.log(`${files} files, ${(bytes / 1e6).toFixed(0)} MB in ${generationSeconds.toFixed(1)} s`);
    flush();

    const results = options.candidates.map((c): Measurement => ({
      name: c.name,
      runsSeconds: [],
      seconds: null,
      instancesPerSecond: null,
      megabytesPerSecond: null,
      ratioToCp: null,
      ratioToCpSync: null,
      ...(c.kind === 'lantern' &&
        buildError !== undefined && { error: 'npm run build failed; see lantern.buildError' }),
    }));
    // Rounds interleave the candidates, so a slow spell of the disk does not land on one candidate only.
    for (let round = 1; round <= options.repeat; round++) {
      for (const [index, candidate] of options.candidates.entries()) {
        const m = results[index];
        if (m === undefined || m.error !== undefined) continue;
        console.log(`round ${round}/${options.repeat}: ${candidate.name}`);
        runOnce(candidate, { main, source, work }, options, m);
      }
    }
    summarize(results, files, bytes);

    console.log(
      `\n${files} instances, ${(bytes / 1e6).toFixed(0)} MB; median of ${options.repeat}; warm cache\n`,
    );
    printTable(results);
    for (const r of results) if (r.output) console.log(`\n${r.name} said:\n${r.output}`);
    const outFolder = join(repoRoot, 'bench', 'out');
    mkdirSync(outFolder, { recursive: true });
    const outFile = join(outFolder, `import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      bench: 'import',
      date: new Date().toISOString(),
      machine: describeMachine(work, repoRoot),
      lantern: { main: relative(repoRoot, main), buildError: buildError ?? null },
      corpus: { instances: files, bytes, layout: 'studies of 4 series × 25 CT instances', generationSeconds },
      method: {
        repeat: options.repeat,
        statistic: 'median wall-clock seconds, process start and exit included',
        cache: 'warm: the files were just written; the page cache cannot be dropped without root',
        between: 'the target is removed and `sync` runs after every run, outside the timing',
      },
      results,
    };
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${relative(repoRoot, outFile)}`);
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanUp();
  }
}

process.exitCode = await bench();
