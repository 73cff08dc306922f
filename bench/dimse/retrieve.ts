// C-GET and C-MOVE of one study with DCMTK getscu and movescu (Study Root, STUDY level): C-GET brings the
// instances back on the same association into a folder; C-MOVE makes the receiver send them to a plain storescp
// that the bench started. Counted by the files that arrived.

import { tail, folderSize } from '../import/measure.js';
import { DCMTK_ENV, runTimed, sleep } from './processes.js';
import { retireEntries } from './retired-files.js';
import { MOVE_DESTINATION_AET, SCU_AET, type Receiver } from './receivers.js';

export interface RetrieveRun {
  receiver: Receiver['name'];
  operation: 'C-GET' | 'C-MOVE';
  round: number;
  seconds: number | null;
  instancesPerSecond: number | null;
  megabytesPerSecond: number | null;
  received: number | null;
  /** The receiver's CPU time an instance (its process; for Lantern also the JavaScript thread), from /proc. */
  cpuMsPerInstance: number | null;
  mainThreadCpuMsPerInstance: number | null;
  error?: string;
}

async function arrived(folder: string, expected: number): Promise<{ files: number; bytes: number }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const size = folderSize(folder);
    if (size.files >= expected || Date.now() > deadline) return size;
    await sleep(50);
  }
}

/**
 * One C-GET or C-MOVE of a study into `folder` (getscu's output folder, or the C-MOVE destination's folder),
 * which must be empty before and is emptied afterwards (its files retired into `workspace`, see retired-files.ts).
 */
export async function retrieveRun(
  receiver: Receiver,
  operation: 'C-GET' | 'C-MOVE',
  study: { studyInstanceUid: string; instances: number },
  folder: string,
  round: number,
  timeoutSeconds: number,
  workspace: string,
): Promise<RetrieveRun> {
  const run: RetrieveRun = {
    receiver: receiver.name,
    operation,
    round,
    seconds: null,
    instancesPerSecond: null,
    megabytesPerSecond: null,
    received: null,
    cpuMsPerInstance: null,
    mainThreadCpuMsPerInstance: null,
  };
  const keys = ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study.studyInstanceUid}`];
  const peer = ['-aet', SCU_AET, '-aec', receiver.aet, '127.0.0.1', String(receiver.port)];
  const [command, args] =
    operation === 'C-GET'
      ? ['getscu', ['-S', ...peer, '-od', folder, ...keys]]
      : ['movescu', ['-S', ...peer, '-aem', MOVE_DESTINATION_AET, ...keys]];
  const cpuBefore = receiver.process.cpuMs();
  const result = await runTimed(command, args, { env: DCMTK_ENV, timeoutSeconds });
  const cpuAfter = receiver.process.cpuMs();
  const { files, bytes } = await arrived(folder, study.instances);
  retireEntries(folder, workspace);
  run.received = files;
  const problems: string[] = [];
  if (result.exitCode !== 0 || result.error !== undefined) {
    problems.push(`${command}: ${result.error ?? `exit code ${String(result.exitCode)}`}`);
  }
  if (files !== study.instances) problems.push(`${files} of ${study.instances} instances arrived`);
  if (problems.length > 0) {
    run.error = `${problems.join('; ')}\n${tail(result.stderr + result.stdout, 10)}`;
    return run;
  }
  if (cpuBefore && cpuAfter) {
    run.cpuMsPerInstance = (cpuAfter.process - cpuBefore.process) / study.instances;
    run.mainThreadCpuMsPerInstance = (cpuAfter.mainThread - cpuBefore.mainThread) / study.instances;
  }
  run.seconds = result.seconds;
  run.instancesPerSecond = study.instances / result.seconds;
  run.megabytesPerSecond = bytes / 1e6 / result.seconds;
  return run;
}
