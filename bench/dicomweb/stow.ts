// STOW-RS: the corpus as multipart/related; type="application/dicom" requests of `batch` instances each, over
// one or several connections at once (each stream sends its next request when the previous one is answered).
// The bodies are built once, before the timing, so the client only writes bytes while the clock runs.
import { readFile } from 'node:fs/promises';

import { check, keepAliveAgent, send } from './http.js';
import { serverCpuMs, type WebServer } from './servers.js';

export interface StowBody {
  instances: number;
  body: Buffer;
}

export interface StowRun {
  server: WebServer['name'];
  streams: number;
  round: number;
  requests: number;
  seconds: number | null;
  instancesPerSecond: number | null;
  megabytesPerSecond: number | null;
  /** Instances the server holds afterwards (the sum of NumberOfStudyRelatedInstances over /studies). */
  stored: number | null;
  rssPeakBytes: number | null;
  /** The server's CPU time (user + system, all threads) per instance stored, from the first request to the last answer. */
  serverCpuMsPerInstance: number | null;
  /** … and the server's main thread's alone (Lantern's JavaScript thread), /proc/<pid>/task/<pid>/stat. */
  serverMainThreadCpuMsPerInstance: number | null;
  error?: string;
}

export const STOW_BOUNDARY = 'lantern-bench-dicomweb-5f2c1e9a';
export const STOW_CONTENT_TYPE = `multipart/related; type="application/dicom"; boundary=${STOW_BOUNDARY}`;

/** Request bodies of `batch` files each, in the order of `files`. */
export async function stowBodies(files: string[], batch: number): Promise<StowBody[]> {
  const bodies: StowBody[] = [];
  for (let first = 0; first < files.length; first += batch) {
    const parts: Buffer[] = [];
    const slice = files.slice(first, first + batch);
    for (const file of slice) {
      parts.push(Buffer.from(`--${STOW_BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`));
      parts.push(await readFile(file));
      parts.push(Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${STOW_BOUNDARY}--\r\n`));
    bodies.push({ instances: slice.length, body: Buffer.concat(parts) });
  }
  return bodies;
}

interface DicomJsonElement {
  Value?: unknown[];
}

/** Checks one Store Instances Response: every instance referenced, none failed. */
function checkStored(body: Buffer | undefined, expected: number): void {
  const response = JSON.parse(body?.toString('utf8') ?? '{}') as Record<string, DicomJsonElement>;
  const failed = response['00081198']?.Value?.length ?? 0;
  const stored = response['00081199']?.Value?.length ?? 0;
  if (failed > 0 || stored !== expected) {
    throw new Error(`STOW-RS response: ${stored} of ${expected} stored, ${failed} failed`);
  }
}

/** The sum of NumberOfStudyRelatedInstances over every study. */
export async function countStored(base: string, timeoutMs: number): Promise<number> {
  const agent = keepAliveAgent();
  try {
    const response = check(
      await send(`${base}/studies?includefield=NumberOfStudyRelatedInstances`, agent, {
        headers: { accept: 'application/dicom+json' },
        keepBody: true,
        timeoutMs,
      }),
      'counting the stored instances',
    );
    const studies = JSON.parse(response.body?.toString('utf8') ?? '[]') as Record<string, DicomJsonElement>[];
    return studies.reduce((sum, study) => sum + Number(study['00201208']?.Value?.[0] ?? 0), 0);
  } finally {
    agent.destroy();
  }
}

const RSS_SAMPLE_MS = 100;

/** Sends the bodies over `streams` connections, each its next request once the previous one is answered. */
async function sendAll(
  server: WebServer,
  bodies: StowBody[],
  streams: number,
  timeoutMs: number,
  label: string,
): Promise<void> {
  const agent = keepAliveAgent(streams);
  let next = 0;
  const stream = async (): Promise<void> => {
    for (let index = next++; index < bodies.length; index = next++) {
      const { body, instances: expected } = bodies[index] as StowBody;
      const response = await send(`${server.base}/studies`, agent, {
        method: 'POST',
        headers: { 'content-type': STOW_CONTENT_TYPE, accept: 'application/dicom+json' },
        body,
        keepBody: true,
        timeoutMs,
      });
      checkStored(check(response, `${label} ${index + 1}`, undefined, [200]).body, expected);
    }
  };
  try {
    await Promise.all(Array.from({ length: streams }, stream));
  } catch (error) {
    next = bodies.length; // the other streams stop after their current request
    throw error;
  } finally {
    agent.destroy();
  }
}

/**
 * Times the bodies over `streams` connections. `warmUp` bodies go first, untimed, over as many; the server
 * must then hold both.
 */
export async function stowRun(
  server: WebServer,
  bodies: StowBody[],
  streams: number,
  round: number,
  timeoutMs: number,
  warmUp: StowBody[] = [],
): Promise<StowRun> {
  const instances = bodies.reduce((sum, b) => sum + b.instances, 0);
  const warmUpInstances = warmUp.reduce((sum, b) => sum + b.instances, 0);
  const bytes = bodies.reduce((sum, b) => sum + b.body.length, 0);
  const run: StowRun = {
    server: server.name,
    streams,
    round,
    requests: bodies.length,
    seconds: null,
    instancesPerSecond: null,
    megabytesPerSecond: null,
    stored: null,
    rssPeakBytes: null,
    serverCpuMsPerInstance: null,
    serverMainThreadCpuMsPerInstance: null,
  };
  try {
    await sendAll(server, warmUp, streams, timeoutMs, 'warm-up STOW-RS request');
  } catch (error) {
    run.error = `the warm-up failed: ${error instanceof Error ? error.message : String(error)}`;
    return run;
  }
  const cpu = serverCpuMs(server);
  const mainCpu = serverCpuMs(server, 'main thread');
  const proc = server.receiver.process;
  let peak = proc.rssBytes() ?? 0;
  const sampler = setInterval(() => (peak = Math.max(peak, proc.rssBytes() ?? 0)), RSS_SAMPLE_MS);
  const cpuBefore = cpu();
  const mainCpuBefore = mainCpu();
  const start = performance.now();
  try {
    await sendAll(server, bodies, streams, timeoutMs, 'STOW-RS request');
    const seconds = (performance.now() - start) / 1000;
    const cpuAfter = cpu();
    const mainCpuAfter = mainCpu();
    if (cpuBefore !== undefined && cpuAfter !== undefined) {
      run.serverCpuMsPerInstance = (cpuAfter - cpuBefore) / instances;
    }
    if (mainCpuBefore !== undefined && mainCpuAfter !== undefined) {
      run.serverMainThreadCpuMsPerInstance = (mainCpuAfter - mainCpuBefore) / instances;
    }
    run.stored = await countStored(server.base, timeoutMs);
    if (run.stored !== instances + warmUpInstances)
      throw new Error(`${server.label} holds ${run.stored} of ${instances + warmUpInstances} instances`);
    run.seconds = seconds;
    run.instancesPerSecond = instances / seconds;
    run.megabytesPerSecond = bytes / 1e6 / seconds;
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    clearInterval(sampler);
  }
  run.rssPeakBytes = peak > 0 ? peak : null;
  return run;
}
