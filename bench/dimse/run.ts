// DIMSE bench: Lantern's DICOM door beside Orthanc (Debian package, SQLite) and DCMTK `storescp --fork` (the raw
// limit), all on 127.0.0.1 in the same run:
//   1. C-STORE instances/s of a synthetic CT set with storescu, over one association and over four at once;
//   2. C-FIND study-level latency inside one open association (by PatientID, date range, wildcard name, all);
//   3. C-GET and C-MOVE of one study.
//
//   npx tsx bench/dimse/run.ts [--instances 2000] [--repeat 2] [--find-index 20000,200000] [--skip orthanc] …
//
// See bench/README.md for how to read the result. Failures of one receiver are recorded, not fatal.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describeMachine, ensureBuilt, flush } from '../import/measure.js';
import { writeCtCorpus, writeSmallCorpus, type Corpus } from './corpus.js';
import { STUDY_QUERIES, measureFind } from './find-scu.js';
import { readKeptBuild, writeKeptBuild } from './kept-index.js';
import { ensureOrthanc, version } from './peer-tools.js';
import { parseOptions, type DimseBenchOptions, type ReceiverName } from './options.js';
import { benchWorkspace, freePort, runTimed, stopAll } from './processes.js';
import {
  LABELS,
  MOVE_DESTINATION_AET,
  ORTHANC_BINARY,
  addLanternAe,
  orthancConfig,
  startLantern,
  startReceiver,
  startStorescp,
  type Receiver,
} from './receivers.js';
import {
  printFind,
  printRetrieve,
  printStore,
  summarizeRetrieve,
  summarizeStore,
  type FindIndex,
} from './report.js';
import { retire } from './retired-files.js';
import { retrieveRun, type RetrieveRun } from './retrieve.js';
import { storeRun, type StoreRun } from './store.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Context {
  options: DimseBenchOptions;
  main: string;
  work: string;
  receivers: ReceiverName[];
  moveDestinationPort: number;
  /** What failed, in words, with how to reproduce it. */
  failures: string[];
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const REPRO: Record<ReceiverName, string> = {
  lantern:
    'LANTERN_DATA_DIR=$(mktemp -d) LANTERN_HTTP_PORT=0 LANTERN_DICOM_PORT=11112 LANTERN_DICOM_AE_TITLE=LANTERN ' +
    'LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS=echo,store,query,retrieve node dist/main.js serve',
  orthanc: 'Orthanc <config> with the configuration recorded in the JSON (orthancConfig)',
  storescp: 'TCP_NODELAY=1 storescp --fork -od $(mktemp -d) 11112',
};

function fail(ctx: Context, receiver: ReceiverName, what: string, error: string, command?: string): void {
  const lines = [`${LABELS[receiver]}: ${what} failed: ${error}`];
  lines.push(`  reproduce: start it with: ${REPRO[receiver]}`);
  if (command !== undefined) lines.push(`  then: ${command}`);
  ctx.failures.push(lines.join('\n'));
  console.log(`  ✗ ${what} (${LABELS[receiver]}): ${error.split('\n')[0] ?? ''}`);
}

/** Rotates the receivers each round, so that a slow spell of the machine does not always hit the same one. */
function order(receivers: ReceiverName[], round: number): ReceiverName[] {
  const shift = (round - 1) % receivers.length;
  return [...receivers.slice(shift), ...receivers.slice(0, shift)];
}

/**
 * C-STORE rounds on fresh receivers. Returns the Lantern and Orthanc of the last 4-association round, still
 * running and holding the corpus, for the C-FIND and retrieve phases.
 */
async function storePhase(
  ctx: Context,
  corpus: Corpus,
  warmUp: Corpus | undefined,
  runs: StoreRun[],
): Promise<Receiver[]> {
  const kept: Receiver[] = [];
  const { timeoutSeconds, retrieveOnly } = ctx.options;
  const repeat = retrieveOnly ? 1 : ctx.options.repeat;
  for (let round = 1; round <= repeat; round++) {
    for (const associations of retrieveOnly ? ([4] as const) : ([1, 4] as const)) {
      for (const name of order(ctx.receivers, round)) {
        const dir = join(ctx.work, `${name}-round${round}-x${associations}`);
        flush();
        let receiver: Receiver;
        try {
          receiver = await startReceiver(name, ctx.main, dir, ctx.moveDestinationPort);
        } catch (error) {
          runs.push(emptyStoreRun(name, associations, round, `start failed: ${message(error)}`));
          fail(ctx, name, `start (round ${round})`, message(error));
          retire(dir, ctx.work);
          continue;
        }
        const run = await storeRun(receiver, corpus, associations, round, timeoutSeconds, warmUp);
        runs.push(run);
        const rate =
          run.instancesPerSecond === null ? 'failed' : `${run.instancesPerSecond.toFixed(0)} inst/s`;
        console.log(`round ${round}/${repeat}: C-STORE ×${associations} → ${receiver.label}: ${rate}`);
        if (run.error !== undefined) {
          const folder = associations === 1 ? '<corpus>' : '<part-k> (4 at once)';
          const command = `TCP_NODELAY=1 storescu -aec ${receiver.aet} 127.0.0.1 <port> +sd +r ${folder}`;
          fail(ctx, name, `C-STORE over ${associations} association(s)`, run.error, command);
        }
        const keep = round === repeat && associations === 4 && name !== 'storescp' && run.error === undefined;
        if (keep) kept.push(receiver);
        else {
          await receiver.process.stop();
          retire(dir, ctx.work);
        }
      }
    }
  }
  return kept;
}

function emptyStoreRun(receiver: ReceiverName, associations: number, round: number, error: string): StoreRun {
  return {
    receiver,
    associations,
    round,
    seconds: null,
    instancesPerSecond: null,
    megabytesPerSecond: null,
    stored: null,
    rssBeforeBytes: null,
    rssPeakBytes: null,
    cpuMsPerInstance: null,
    mainThreadCpuMsPerInstance: null,
    error,
  };
}

async function findPhase(ctx: Context, index: FindIndex, receivers: Receiver[]): Promise<void> {
  const limits = {
    repeat: ctx.options.findRepeat,
    budgetMs: ctx.options.findBudgetSeconds * 1000,
    timeoutMs: ctx.options.timeoutSeconds * 1000,
  };
  for (const receiver of receivers) {
    console.log(`C-FIND on ${index.label} → ${receiver.label} …`);
    const latencies = await measureFind(receiver.aet, receiver.port, STUDY_QUERIES, limits);
    index.latencies[receiver.name] = latencies;
    for (const l of latencies.filter((x) => x.error !== undefined)) {
      const keys = Object.entries(l.keys)
        .map(([tag, e]) => `-k ${tag.slice(0, 4)},${tag.slice(4)}=${JSON.stringify(e.Value?.[0] ?? '')}`)
        .join(' ');
      const command = `TCP_NODELAY=1 findscu -S -aec ${receiver.aet} 127.0.0.1 <port> -k QueryRetrieveLevel=STUDY ${keys}`;
      fail(ctx, receiver.name, `C-FIND '${l.query}' on ${index.label}`, l.error ?? '', command);
    }
  }
}

async function retrievePhase(
  ctx: Context,
  corpus: Corpus,
  receivers: Receiver[],
  runs: RetrieveRun[],
): Promise<void> {
  const study = corpus.studies[0];
  if (study === undefined || receivers.length === 0) return;
  const destination = await startStorescp(join(ctx.work, 'move-destination'), {
    aet: MOVE_DESTINATION_AET,
    port: ctx.moveDestinationPort,
    fork: false,
  });
  const getFolder = join(ctx.work, 'get');
  mkdirSync(getFolder, { recursive: true });
  try {
    for (const receiver of receivers) {
      if (receiver.name !== 'lantern') continue;
      try {
        await addLanternAe(ctx.main, receiver, MOVE_DESTINATION_AET, ctx.moveDestinationPort);
      } catch (error) {
        fail(ctx, 'lantern', 'adding the C-MOVE destination', message(error));
      }
    }
    const rounds = Math.max(3, ctx.options.repeat);
    for (let round = 1; round <= rounds; round++) {
      for (const receiver of order(
        receivers.map((r) => r.name),
        round,
      ).map((n) => receivers.find((r) => r.name === n))) {
        if (receiver === undefined) continue;
        for (const operation of ['C-GET', 'C-MOVE'] as const) {
          const folder = operation === 'C-GET' ? getFolder : destination.dir;
          const run = await retrieveRun(
            receiver,
            operation,
            study,
            folder,
            round,
            ctx.options.timeoutSeconds,
            ctx.work,
          );
          runs.push(run);
          const rate =
            run.instancesPerSecond === null ? 'failed' : `${run.instancesPerSecond.toFixed(0)} inst/s`;
          console.log(
            `round ${round}/${rounds}: ${operation} of ${study.instances} ← ${receiver.label}: ${rate}`,
          );
          if (run.error !== undefined) {
            const command =
              operation === 'C-GET'
                ? `TCP_NODELAY=1 getscu -S -aec ${receiver.aet} 127.0.0.1 <port> -od <dir> -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=${study.studyInstanceUid}`
                : `TCP_NODELAY=1 movescu -S -aec ${receiver.aet} -aem ${MOVE_DESTINATION_AET} 127.0.0.1 <port> -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=${study.studyInstanceUid}`;
            fail(ctx, receiver.name, `${operation} round ${round}`, run.error, command);
          }
        }
      }
    }
  } finally {
    await destination.process.stop();
  }
}

/**
 * A C-FIND index of N small instances: Lantern loads it with `lantern import`, Orthanc with storescu ×4. With
 * `--keep-indexes`, each receiver's index folder is kept and the next run queries it instead of building it.
 */
async function largeIndexPhase(ctx: Context, instances: number): Promise<FindIndex> {
  const keep = ctx.options.keepIndexes;
  const folder = join(keep ?? ctx.work, `index-${instances}`);
  const dirOf = (name: ReceiverName) => join(keep ?? ctx.work, `${name}-index-${instances}`);
  const receivers = ctx.receivers.filter((n) => n !== 'storescp');
  const kept = receivers.map((name) => readKeptBuild(dirOf(name)));
  let corpus: Corpus | undefined;
  if (kept.some((k) => k === undefined)) {
    console.log(`\ngenerating ${instances} small instances for a C-FIND index …`);
    rmSync(folder, { recursive: true, force: true });
    corpus = await writeSmallCorpus(folder, instances);
    console.log(
      `${corpus.instances} files, ${corpus.studies.length} studies in ${corpus.generationSeconds.toFixed(1)} s`,
    );
  }
  const count = corpus?.instances ?? kept[0]!.instances;
  const studies = corpus?.studies.length ?? kept[0]!.studies;
  const index: FindIndex = {
    label: `index of ${count} instances`,
    instances: count,
    studies,
    builds: [],
    latencies: {},
    errors: {},
  };
  try {
    for (const [i, name] of receivers.entries()) {
      const dir = dirOf(name);
      flush();
      let receiver: Receiver | undefined;
      try {
        const earlier = kept[i];
        if (earlier !== undefined) {
          console.log(
            `${name}: the index kept in ${dir} (${earlier.method}, ${earlier.seconds?.toFixed(1)} s)`,
          );
          index.builds.push(build(name, `${earlier.method}, kept`, earlier.seconds, count));
          receiver =
            name === 'lantern'
              ? await startLantern(ctx.main, dir)
              : await startReceiver(name, ctx.main, dir, ctx.moveDestinationPort);
        } else if (name === 'lantern') {
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          console.log(`lantern import of ${count} instances …`);
          const result = await runTimed(process.execPath, [ctx.main, 'import', corpus!.folder], {
            env: { ...process.env, LANTERN_DATA_DIR: dir, LANTERN_LOG_LEVEL: 'warn' },
            timeoutSeconds: ctx.options.timeoutSeconds,
          });
          if (result.exitCode !== 0 || result.error !== undefined) {
            throw new Error(
              `lantern import: ${result.error ?? `exit code ${String(result.exitCode)}`}: ${result.stderr.trim()}`,
            );
          }
          index.builds.push(build('lantern', 'lantern import', result.seconds, count));
          receiver = await startLantern(ctx.main, dir);
        } else {
          rmSync(dir, { recursive: true, force: true });
          receiver = await startReceiver(name, ctx.main, dir, ctx.moveDestinationPort);
          console.log(`storescu ×4 of ${count} instances → ${receiver.label} …`);
          const run = await storeRun(receiver, corpus!, 4, 1, ctx.options.timeoutSeconds);
          if (run.error !== undefined) throw new Error(run.error);
          index.builds.push(build(name, 'storescu over 4 associations', run.seconds, count));
        }
        const built = index.builds.at(-1)!;
        console.log(`  ${built.seconds?.toFixed(1) ?? '?'} s`);
        if (keep !== undefined && earlier === undefined)
          writeKeptBuild(dir, { method: built.method, seconds: built.seconds, instances: count, studies });
        await findPhase(ctx, index, [receiver]);
      } catch (error) {
        index.errors[name] = message(error);
        index.builds.push({
          receiver: name,
          method: 'build',
          seconds: null,
          instancesPerSecond: null,
          error: message(error),
        });
        fail(ctx, name, `building the ${index.label}`, message(error));
      } finally {
        await receiver?.process.stop();
        if (keep === undefined) rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    // The kept indexes are built; their corpus is not needed again.
    rmSync(folder, { recursive: true, force: true });
  }
  return index;
}

function build(receiver: ReceiverName, method: string, seconds: number | null, instances: number) {
  return { receiver, method, seconds, instancesPerSecond: seconds === null ? null : instances / seconds };
}

async function bench(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const main = options.main === undefined ? join(repoRoot, 'dist', 'main.js') : resolve(options.main);
  const workspace = benchWorkspace(options.tmp, 'dimse');
  const work = workspace.dir;
  const ctx: Context = {
    options,
    main,
    work,
    receivers: (['lantern', 'orthanc', 'storescp'] as const).filter((n) => !options.skip.has(n)),
    moveDestinationPort: await freePort(),
    failures: [],
  };
  const loadBefore = loadavg();
  const started = performance.now();
  try {
    const buildError = options.main === undefined ? ensureBuilt(repoRoot) : undefined;
    if (buildError !== undefined) {
      fail(ctx, 'lantern', 'npm run build', buildError);
      ctx.receivers = ctx.receivers.filter((n) => n !== 'lantern');
    }
    const orthancError = ctx.receivers.includes('orthanc') ? ensureOrthanc() : undefined;
    if (orthancError !== undefined) {
      fail(ctx, 'orthanc', 'installing', orthancError);
      ctx.receivers = ctx.receivers.filter((n) => n !== 'orthanc');
    }

    console.log(`generating ${options.instances} CT instances …`);
    const corpus = await writeCtCorpus(join(work, 'corpus'), options.instances);
    console.log(
      `${corpus.instances} files, ${(corpus.bytes / 1e6).toFixed(0)} MB, ${corpus.studies.length} studies in ${corpus.generationSeconds.toFixed(1)} s`,
    );

    // Another seed: other patients and UIDs, so that the timed instances are all new to the receiver.
    const warmUp =
      options.warmUp > 0 ? await writeCtCorpus(join(work, 'warm-up'), options.warmUp, 4242) : undefined;
    if (warmUp)
      console.log(`warm-up set: ${warmUp.instances} other CT instances, sent before each timed run`);

    const storeRuns: StoreRun[] = [];
    const kept = await storePhase(ctx, corpus, warmUp, storeRuns);
    const indexed = corpus.instances + (warmUp?.instances ?? 0);
    const defaultIndex: FindIndex = {
      label: `index of ${indexed} CT instances`,
      instances: indexed,
      studies: corpus.studies.length + (warmUp?.studies.length ?? 0),
      builds: [],
      latencies: {},
      errors: {},
    };
    if (!options.retrieveOnly) await findPhase(ctx, defaultIndex, kept);
    const retrieveRuns: RetrieveRun[] = [];
    await retrievePhase(ctx, corpus, kept, retrieveRuns);
    await Promise.all(kept.map((r) => r.process.stop()));
    for (const folder of [corpus.folder, ...(warmUp ? [warmUp.folder] : []), ...kept.map((r) => r.dir)])
      retire(folder, ctx.work);

    const indexes = [defaultIndex];
    for (const size of options.findIndexes) indexes.push(await largeIndexPhase(ctx, size));

    const store = summarizeStore(storeRuns);
    const retrieve = summarizeRetrieve(retrieveRuns);
    const loadAfter = loadavg();
    const minutes = (performance.now() - started) / 60_000;
    console.log(
      `\n${corpus.instances} CT instances, ${(corpus.bytes / 1e6).toFixed(0)} MB; median of ${options.repeat} round(s); ` +
        `${warmUp ? `after a warm-up of ${warmUp.instances} instances` : 'from cold (no warm-up)'}; ` +
        `load average ${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after; ${minutes.toFixed(1)} min\n`,
    );
    printStore(store);
    console.log('');
    printRetrieve(retrieve);
    for (const index of indexes) {
      console.log(`\n${index.label} (${index.studies} studies)`);
      printFind(index);
    }
    if (ctx.failures.length > 0) console.log(`\nFailures:\n${ctx.failures.join('\n')}`);

    const outFolder = join(repoRoot, 'bench', 'out');
    mkdirSync(outFolder, { recursive: true });
    const outFile = join(outFolder, `dimse-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      bench: 'dimse',
      date: new Date().toISOString(),
      machine: {
        ...describeMachine(work, repoRoot),
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAfter,
      },
      minutes,
      warmUpInstances: warmUp?.instances ?? 0,
      lantern: { main: relative(repoRoot, main), buildError: buildError ?? null },
      peers: {
        orthanc: version(ORTHANC_BINARY, ['--version']),
        dcmtk: version('storescu', ['--version']),
        orthancConfig: orthancConfig('<tmp>', { dicom: 0, http: 0, moveDestination: 0 }),
      },
      corpus: {
        instances: corpus.instances,
        bytes: corpus.bytes,
        studies: corpus.studies.length,
        layout: 'studies of 4 series × 25 CT instances, 512 × 512, 16-bit; 4 part folders of whole studies',
        generationSeconds: corpus.generationSeconds,
      },
      method: {
        clients:
          'DCMTK storescu/getscu/movescu with TCP_NODELAY=1; C-FIND with lib/dimse on one association a query',
        store: 'wall clock from the first storescu start to the last exit; a fresh receiver for every run',
        rss: 'VmRSS of the receiver process sampled every 100 ms',
        find: `median and p95 of up to ${options.findRepeat} repetitions after one warm-up (budget ${options.findBudgetSeconds} s a query)`,
        between: '`sync` before every C-STORE run, outside the timing',
      },
      summary: { store, retrieve },
      store: storeRuns,
      retrieve: retrieveRuns,
      find: indexes,
      failures: ctx.failures,
    };
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${relative(repoRoot, outFile)}`);
    return ctx.failures.length > 0 ? 1 : 0;
  } finally {
    await stopAll();
    workspace.release();
  }
}

process.exitCode = await bench();
