// DICOMweb bench: Lantern's DICOMweb door beside Orthanc with its DICOMweb plugin (Debian packages orthanc and
// orthanc-dicomweb), both on 127.0.0.1, each on a fresh data folder, on the same data, in the same run:
//   1. STOW-RS instances/s of a synthetic CT set over 1 and 4 parallel streams (fresh server per run), and the
//      first study metadata request after storing;
//   2. WADO-RS whole-study retrieve (MB/s, time to first byte), study metadata repeated, one frame, one rendered
//      frame, on the servers of the last 4-stream run;
//   3. QIDO-RS latency on an index of small instances (20,000 by default; `--index 20000,200000`), loaded as the
//      DIMSE bench does: `lantern import` for Lantern, storescu over 4 associations for Orthanc.
//
//   npx tsx bench/dicomweb/run.ts [--index 20000,200000] [--repeat 1] [--skip orthanc] …
//
// See bench/README.md for how to read the result. Failures of one server are recorded, not fatal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describeMachine, ensureBuilt, flush, timed } from '../import/measure.js';
import { benchWorkspace, stopAll } from '../dimse/processes.js';
import { retire } from '../dimse/retired-files.js';
import { ORTHANC_BINARY } from '../dimse/receivers.js';
import { writeCtCorpus, writeWarmUpStudy, type CtCorpus } from './corpus.js';
import { measureIndex } from './index-phase.js';
import { fail, message, order, type Context } from './context.js';
import { parseOptions, type ServerName } from './options.js';
import {
  firstMetadata,
  measureFrame,
  measureMetadata,
  measureRendered,
  measureRetrieve,
  measureRetrieveWithCurl,
  QUERIES,
} from './reads.js';
import { printIndexBuilds, printSummary, summarize, type CtResult, type IndexResult } from './report.js';
import {
  ORTHANC_DICOMWEB_PLUGIN,
  ensureOrthancWeb,
  orthancWebConfig,
  serverCpuMs,
  settled,
  startServer,
  type WebServer,
} from './servers.js';
import { stowBodies, stowRun } from './stow.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function version(command: string, args: string[]): string {
  const result = timed(command, args, { timeoutSeconds: 20 });
  return result.exitCode === 0
    ? (result.stdout.split('\n').find((l) => l.trim() !== '') ?? '').trim()
    : 'unknown';
}

function packageVersion(name: string): string {
  const result = timed('dpkg-query', ['-W', '-f', '${Version}', name], { timeoutSeconds: 20 });
  return result.exitCode === 0 ? result.stdout.trim() : 'unknown';
}

/** STOW-RS runs on fresh servers; returns the servers of the last 4-stream round, holding the corpus. */
async function stowPhase(ctx: Context, corpus: CtCorpus, result: CtResult): Promise<WebServer[]> {
  const kept: WebServer[] = [];
  const { repeat, batch, timeoutSeconds } = ctx.options;
  let bodies = await stowBodies(corpus.files, batch);
  // Another study, so that the timed instances are all new to the server.
  const warmUpStudy =
    ctx.options.warmUp > 0
      ? await writeWarmUpStudy(join(ctx.work, 'warm-up'), ctx.options.warmUp)
      : undefined;
  const warmUp = warmUpStudy ? await stowBodies(warmUpStudy.files, batch) : [];
  if (warmUpStudy)
    console.log(`warm-up: ${warmUpStudy.files.length} other CT instances before each timed run`);
  for (let round = 1; round <= repeat; round++) {
    for (const streams of [1, 4]) {
      for (const name of order(ctx.servers, round)) {
        const dir = join(ctx.work, `${name}-round${round}-x${streams}`);
        flush();
        let server: WebServer;
        try {
          server = await startServer(name, ctx.main, dir);
        } catch (error) {
          fail(ctx, name, `start (round ${round})`, message(error));
          retire(dir, ctx.work);
          continue;
        }
        const run = await stowRun(server, bodies, streams, round, timeoutSeconds * 1000, warmUp);
        result.stow.push(run);
        const rate =
          run.instancesPerSecond === null
            ? 'failed'
            : `${run.instancesPerSecond.toFixed(0)} inst/s, server CPU ` +
              `${run.serverCpuMsPerInstance?.toFixed(2) ?? '?'} ms an instance` +
              // Lantern's JavaScript thread; Orthanc's main thread only waits.
              (name === 'lantern'
                ? ` (main thread ${run.serverMainThreadCpuMsPerInstance?.toFixed(2) ?? '?'})`
                : '');
        console.log(`round ${round}/${repeat}: STOW-RS ×${streams} → ${server.label}: ${rate}`);
        if (run.error !== undefined) {
          fail(ctx, name, `STOW-RS over ${streams} stream(s)`, run.error, `POST ${server.base}/studies`);
        } else {
          const first = await firstMetadata(server.base, corpus, timeoutSeconds * 1000);
          result.firstMetadata.push({
            server: name,
            streams,
            round,
            ms: first.ms,
            ...(first.error === undefined ? {} : { error: first.error }),
          });
          console.log(
            `  first metadata request: ${first.ms === null ? 'failed' : `${first.ms.toFixed(0)} ms`}`,
          );
          if (first.error !== undefined) fail(ctx, name, 'first metadata request', first.error);
        }
        if (round === repeat && streams === 4 && run.error === undefined) kept.push(server);
        else {
          await server.receiver.process.stop();
          // Deleting would make the next server's file creation slower (see retired-files.ts).
          retire(dir, ctx.work);
        }
      }
    }
  }
  bodies = [];
  retire(join(ctx.work, 'warm-up'), ctx.work);
  return kept;
}

/** The reads on the servers holding the CT corpus, taking turns measurement by measurement. */
async function readPhase(
  ctx: Context,
  corpus: CtCorpus,
  servers: WebServer[],
  result: CtResult,
): Promise<void> {
  const few = { ...ctx.limits, repeat: ctx.options.retrieveRepeat };
  const measures = [
    {
      key: 'retrieve',
      run: (s: WebServer) => measureRetrieve(s.base, corpus, { ...few, serverCpuMs: serverCpuMs(s) }),
    },
    {
      key: 'retrieveCurl',
      run: (s: WebServer) => measureRetrieveWithCurl(s.base, corpus, { ...few, serverCpuMs: serverCpuMs(s) }),
    },
    { key: 'metadata', run: (s: WebServer) => measureMetadata(s.base, corpus, few) },
    { key: 'frame', run: (s: WebServer) => measureFrame(s.base, corpus, ctx.limits) },
    { key: 'rendered', run: (s: WebServer) => measureRendered(s.base, corpus, ctx.limits) },
  ] as const;
  for (const [k, measure] of measures.entries()) {
    for (const server of order(servers, k + 1)) {
      const latency = await measure.run(server);
      const reads = (result.reads[server.name] ??= {} as NonNullable<CtResult['reads'][ServerName]>);
      reads[measure.key] = latency;
      const figure =
        latency.medianMs === null
          ? 'failed'
          : `${latency.medianMs.toFixed(1)} ms median` +
            (measure.key.startsWith('retrieve')
              ? `, ${latency.megabytesPerSecond?.toFixed(0) ?? '?'} MB/s, server CPU ` +
                `${latency.serverCpuMsPerRequest?.toFixed(0) ?? '?'} ms a study`
              : '');
      console.log(`${latency.name} ← ${server.label}: ${figure} (${latency.found ?? '—'})`);
      if (latency.error !== undefined) {
        fail(
          ctx,
          server.name,
          latency.name,
          latency.error,
          `GET ${server.base}${latency.path} (Accept: ${latency.accept})`,
        );
      }
    }
  }
}

async function ctPhase(ctx: Context): Promise<{ corpus: CtCorpus; result: CtResult }> {
  const folder = join(ctx.work, 'ct');
  console.log(`generating the CT corpus (100 + ${ctx.options.metadataInstances} instances) …`);
  const corpus = await writeCtCorpus(folder, ctx.options.metadataInstances);
  console.log(
    `${corpus.files.length} files, ${(corpus.bytes / 1e6).toFixed(0)} MB in ${corpus.generationSeconds.toFixed(1)} s`,
  );
  const result: CtResult = { stow: [], firstMetadata: [], reads: {} };
  let kept: WebServer[] = [];
  try {
    kept = await stowPhase(ctx, corpus, result);
    for (const server of kept) {
      const waited = await settled(server);
      console.log(`${server.label} idle after ${(waited / 1000).toFixed(0)} s`);
    }
    await readPhase(ctx, corpus, kept, result);
  } finally {
    await Promise.all(kept.map((s) => s.receiver.process.stop()));
    for (const dir of [folder, ...kept.map((s) => s.receiver.dir)]) retire(dir, ctx.work);
  }
  return { corpus, result };
}

async function bench(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const main = options.main === undefined ? join(repoRoot, 'dist', 'main.js') : resolve(options.main);
  const workspace = benchWorkspace(options.tmp, 'dicomweb');
  const work = workspace.dir;
  const ctx: Context = {
    options,
    main,
    work,
    servers: (['lantern', 'orthanc'] as const).filter((n) => !options.skip.has(n)),
    limits: {
      repeat: options.latencyRepeat,
      budgetMs: options.budgetSeconds * 1000,
      timeoutMs: options.timeoutSeconds * 1000,
    },
    failures: [],
  };
  const loadBefore = loadavg();
  const started = performance.now();
  try {
    const buildError = options.main === undefined ? ensureBuilt(repoRoot) : undefined;
    if (buildError !== undefined) {
      fail(ctx, 'lantern', 'npm run build', buildError);
      ctx.servers = ctx.servers.filter((n) => n !== 'lantern');
    }
    const orthancError = ctx.servers.includes('orthanc') ? ensureOrthancWeb() : undefined;
    if (orthancError !== undefined) {
      fail(ctx, 'orthanc', 'installing', orthancError);
      ctx.servers = ctx.servers.filter((n) => n !== 'orthanc');
    }

    // The commit is taken before any server starts: other work may rebuild dist/ while the bench runs.
    const machine = describeMachine(work, repoRoot);
    const { corpus, result: ct } = await ctPhase(ctx);
    const indexes: IndexResult[] = [];
    for (const size of options.indexes) indexes.push(await measureIndex(ctx, size));

    const rows = summarize(indexes, ct);
    const loadAfter = loadavg();
    const minutes = (performance.now() - started) / 60_000;
    console.log(
      `\nCT corpus ${corpus.files.length} instances, ${(corpus.bytes / 1e6).toFixed(0)} MB; STOW-RS median of ` +
        `${options.repeat} round(s), ${options.batch} instances a request, ` +
        `${options.warmUp > 0 ? `after a warm-up of ${options.warmUp} instances` : 'from cold (no warm-up)'}; load average ` +
        `${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after; ${minutes.toFixed(1)} min\n`,
    );
    for (const index of indexes) printIndexBuilds(index);
    console.log('');
    printSummary(rows);
    if (ctx.failures.length > 0) console.log(`\nFailures:\n${ctx.failures.join('\n')}`);

    const outFolder = join(repoRoot, 'bench', 'out');
    mkdirSync(outFolder, { recursive: true });
    const outFile = join(outFolder, `dicomweb-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const report = {
      bench: 'dicomweb',
      date: new Date().toISOString(),
      machine: {
        ...machine,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAfter,
      },
      minutes,
      options: { ...options, skip: [...options.skip] },
      lantern: { main: relative(repoRoot, main), buildError: buildError ?? null },
      peers: {
        orthanc: version(ORTHANC_BINARY, ['--version']),
        orthancDicomweb: packageVersion('orthanc-dicomweb'),
        plugin: ORTHANC_DICOMWEB_PLUGIN,
        orthancConfig: orthancWebConfig('<tmp>', { dicom: 0, http: 0 }),
      },
      corpus: {
        instances: corpus.files.length,
        bytes: corpus.bytes,
        retrieveStudy: { instances: corpus.retrieve.files.length, bytes: corpus.retrieve.bytes },
        metadataStudy: { instances: corpus.metadata.files.length, bytes: corpus.metadata.bytes },
        layout: 'synthetic CT, 512 × 512, 16-bit, Explicit VR Little Endian (test/support/synthetic-ct.ts)',
        generationSeconds: corpus.generationSeconds,
      },
      method: {
        client:
          'node:http, one keep-alive connection a measurement (one a stream for STOW-RS), bodies read in full',
        latency: `one warm-up (checked), then up to ${options.latencyRepeat} repetitions (budget ${options.budgetSeconds} s, at least 5); median and p99 of the time to the last body byte`,
        retrieve: `Accept ${'multipart/related; type="application/dicom"'}; ${options.retrieveRepeat} repetitions after a warm-up; MB/s = body bytes ÷ time to the last byte (median); first byte = first body byte`,
        stow: `the whole CT corpus, ${options.batch} instances a request, over 1 and 4 connections at once; a fresh server each run, first sent ${options.warmUp} other instances (untimed) over as many connections; bodies built before the timing; time to the last response; then the stored count is checked with QIDO-RS`,
        queries: QUERIES,
        index:
          'small instances (16 × 16), 5 a study, 2 studies a patient (bench/dimse/corpus.ts): lantern import, then serve; Orthanc: storescu over 4 associations',
      },
      summary: rows,
      ct,
      indexes,
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
