// C-STORE with DCMTK storescu: the whole corpus over one association, or one part folder per association with
// four storescu processes at once. Wall clock from the first start to the last exit; the receiver's resident
// memory is sampled meanwhile; afterwards the bench checks that the receiver holds every instance.
import { tail, folderSize, type Timed } from '../import/measure.js';
import type { Corpus } from './corpus.js';
import { countInstances } from './find-scu.js';
import { DCMTK_ENV, runTimed, sleep } from './processes.js';
import { SCU_AET, type Receiver } from './receivers.js';

export interface StoreRun {
  receiver: Receiver['name'];
  associations: number;
  round: number;
  seconds: number | null;
  instancesPerSecond: number | null;
  megabytesPerSecond: number | null;
  /** Instances the receiver holds afterwards (files for storescp, C-FIND counts for the others). */
  stored: number | null;
  /** Resident set size of the receiver's main process: before the run and the peak during it. */
  rssBeforeBytes: number | null;
  rssPeakBytes: number | null;
  /** The receiver's CPU time an instance over the run (ms): the whole process (with waited-for children). */
  cpuMsPerInstance: number | null;
  /** … and its main thread's alone (Lantern's JavaScript thread; the one thread of Orthanc's main loop). */
  mainThreadCpuMsPerInstance: number | null;
  error?: string;
}

const RSS_SAMPLE_MS = 100;

function storescu(receiver: Receiver, folder: string, timeoutSeconds: number): Promise<Timed> {
  const args = [
    '-aet',
    SCU_AET,
    '-aec',
    receiver.aet,
    '127.0.0.1',
    String(receiver.port),
    '+sd',
    '+r',
    folder,
  ];
  return runTimed('storescu', args, { env: DCMTK_ENV, timeoutSeconds });
}

/** What the receiver holds, waiting up to 10 s for storescp's forked children to finish their last file. */
async function storedCount(receiver: Receiver, expected: number, timeoutSeconds: number): Promise<number> {
  if (receiver.name !== 'storescp') return countInstances(receiver.aet, receiver.port, timeoutSeconds * 1000);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { files } = folderSize(receiver.dir);
    if (files >= expected || Date.now() > deadline) return files;
    await sleep(100);
  }
}

function emptyRun(receiver: Receiver, associations: 1 | 4, round: number): StoreRun {
  return {
    receiver: receiver.name,
    associations,
    round,
    seconds: null,
    instancesPerSecond: null,
    megabytesPerSecond: null,
    stored: null,
    rssBeforeBytes: receiver.process.rssBytes() ?? null,
    rssPeakBytes: null,
    cpuMsPerInstance: null,
    mainThreadCpuMsPerInstance: null,
  };
}

const sendFolders = (corpus: Corpus, associations: 1 | 4): string[] =>
  associations === 1 ? [corpus.folder] : corpus.parts.filter((part) => folderSize(part).files > 0);

/**
 * Sends `corpus` over 1 or 4 associations and times it. A `warmUp` set goes first, untimed, over as many
 * associations; the receiver must then hold both.
 */
export async function storeRun(
  receiver: Receiver,
  corpus: Corpus,
  associations: 1 | 4,
  round: number,
  timeoutSeconds: number,
  warmUp?: Corpus,
): Promise<StoreRun> {
  if (warmUp) {
    const sent = await Promise.all(
      sendFolders(warmUp, associations).map((folder) => storescu(receiver, folder, timeoutSeconds)),
    );
    const failed = sent.find((r) => r.exitCode !== 0 || r.error !== undefined);
    if (failed) {
      return {
        ...emptyRun(receiver, associations, round),
        error: `the warm-up failed: ${failed.error ?? `exit code ${String(failed.exitCode)}`}\n${tail(failed.stderr + failed.stdout, 8)}`,
      };
    }
  }
  const expected = corpus.instances + (warmUp?.instances ?? 0);
  const run = emptyRun(receiver, associations, round);
  let peak = run.rssBeforeBytes ?? 0;
  const sampler = setInterval(() => (peak = Math.max(peak, receiver.process.rssBytes() ?? 0)), RSS_SAMPLE_MS);
  const folders = sendFolders(corpus, associations);
  const cpuBefore = receiver.process.cpuMs();
  const start = performance.now();
  const results = await Promise.all(folders.map((folder) => storescu(receiver, folder, timeoutSeconds)));
  const seconds = (performance.now() - start) / 1000;
  const cpuAfter = receiver.process.cpuMs();
  clearInterval(sampler);
  run.rssPeakBytes = peak > 0 ? peak : null;
  const failures = results
    .map((r, i) => ({ r, folder: folders[i] ?? '' }))
    .filter(({ r }) => r.exitCode !== 0 || r.error !== undefined)
    .map(
      ({ r, folder }) =>
        `storescu ${folder}: ${r.error ?? `exit code ${String(r.exitCode)}`}\n${tail(r.stderr + r.stdout, 8)}`,
    );
  if (failures.length > 0) await sleep(500); // a receiver that crashed: let its exit and last words arrive
  if (!receiver.process.running) {
    failures.push(
      `${receiver.label} exited (${String(receiver.process.exitCode)}):\n${receiver.process.lastOutput()}`,
    );
  }
  try {
    run.stored = await storedCount(receiver, expected, timeoutSeconds);
    if (run.stored !== expected)
      failures.push(`${receiver.label} holds ${run.stored} of ${expected} instances`);
  } catch (error) {
    failures.push(
      `counting the stored instances failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (failures.length > 0) {
    run.error = failures.join('\n');
    return run;
  }
  run.seconds = seconds;
  // storescp --fork's children are counted only once the parent has waited for them, which it does when the
  // next association comes: not measurable here.
  if (cpuBefore && cpuAfter && receiver.name !== 'storescp') {
    run.cpuMsPerInstance = (cpuAfter.process - cpuBefore.process) / corpus.instances;
    run.mainThreadCpuMsPerInstance = (cpuAfter.mainThread - cpuBefore.mainThread) / corpus.instances;
  }
  run.instancesPerSecond = corpus.instances / seconds;
  run.megabytesPerSecond = corpus.bytes / 1e6 / seconds;
  return run;
}
