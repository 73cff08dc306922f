// QIDO-RS on an index of N small instances, loaded as the DIMSE bench loads its C-FIND indexes: `lantern import`
// into a new data folder before `lantern serve`, and storescu over 4 associations into a fresh Orthanc. One
// server at a time, so the other one's work does not disturb the timing.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { flush } from '../import/measure.js';
import { writeSmallCorpus } from '../dimse/corpus.js';
import { runTimed } from '../dimse/processes.js';
import { storeRun } from '../dimse/store.js';
import { fail, message, type Context } from './context.js';
import type { ServerName } from './options.js';
import { measureQueries } from './reads.js';
import type { IndexBuild, IndexResult } from './report.js';
import { startLanternWeb, startOrthancWeb, type WebServer } from './servers.js';

function build(server: ServerName, method: string, seconds: number | null, instances: number): IndexBuild {
  return { server, method, seconds, instancesPerSecond: seconds === null ? null : instances / seconds };
}

async function loadLantern(ctx: Context, dir: string, folder: string, instances: number) {
  mkdirSync(dir, { recursive: true });
  console.log(`lantern import of ${instances} instances …`);
  const result = await runTimed(process.execPath, [ctx.main, 'import', folder], {
    env: { ...process.env, LANTERN_DATA_DIR: dir, LANTERN_LOG_LEVEL: 'warn' },
    timeoutSeconds: ctx.options.timeoutSeconds,
  });
  if (result.exitCode !== 0 || result.error !== undefined) {
    throw new Error(
      `lantern import: ${result.error ?? `exit code ${String(result.exitCode)}`}: ${result.stderr.trim()}`,
    );
  }
  const server = await startLanternWeb(ctx.main, dir);
  return { server, build: build('lantern', 'lantern import', result.seconds, instances) };
}

export async function measureIndex(ctx: Context, instances: number): Promise<IndexResult> {
  const folder = join(ctx.work, `index-${instances}`);
  console.log(`\ngenerating ${instances} small instances for a QIDO-RS index …`);
  const corpus = await writeSmallCorpus(folder, instances);
  console.log(
    `${corpus.instances} files, ${corpus.studies.length} studies in ${corpus.generationSeconds.toFixed(1)} s`,
  );
  const index: IndexResult = {
    instances: corpus.instances,
    studies: corpus.studies.length,
    builds: [],
    queries: {},
  };
  try {
    for (const name of ctx.servers) {
      const dir = join(ctx.work, `${name}-index-${instances}`);
      flush();
      let server: WebServer | undefined;
      try {
        if (name === 'lantern') {
          const loaded = await loadLantern(ctx, dir, corpus.folder, corpus.instances);
          server = loaded.server;
          index.builds.push(loaded.build);
        } else {
          server = await startOrthancWeb(dir);
          console.log(`storescu ×4 of ${corpus.instances} instances → ${server.label} …`);
          const run = await storeRun(server.receiver, corpus, 4, 1, ctx.options.timeoutSeconds);
          if (run.error !== undefined) throw new Error(run.error);
          index.builds.push(build(name, 'storescu over 4 associations', run.seconds, corpus.instances));
        }
        console.log(`  ${index.builds.at(-1)?.seconds?.toFixed(1) ?? '?'} s; QIDO-RS → ${server.label} …`);
        const latencies = await measureQueries(server.base, ctx.limits);
        index.queries[name] = latencies;
        for (const l of latencies) {
          const figure =
            l.medianMs === null ? 'failed' : `${l.medianMs.toFixed(1)} ms median, p99 ${l.p99Ms?.toFixed(1)}`;
          console.log(`  ${l.name}: ${figure} (${l.found ?? '—'} matches, ${l.repetitions} repetitions)`);
          if (l.error !== undefined) {
            fail(ctx, name, `QIDO-RS '${l.name}' on ${instances}`, l.error, `GET ${server.base}${l.path}`);
          }
        }
      } catch (error) {
        index.builds.push({ ...build(name, 'build', null, 0), error: message(error) });
        fail(ctx, name, `building the index of ${instances}`, message(error));
      } finally {
        await server?.receiver.process.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return index;
}
