// The whole-study retrieve measured with curl as the client as well: one curl process a request (a warm-up,
// then `repeat`), timings from curl's own write-out (time_starttransfer, time_total), so the process start is
// not timed. curl spends a fraction of node:http's CPU on 52 MB, so on the 2-core VM the client takes less of
// the time it measures, the same for both servers.
import { spawn } from 'node:child_process';

import { median } from '../import/measure.js';
import { credentialsFor } from './http.js';
import { percentile, type Latency } from './latency.js';

const WRITE_OUT = '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\\n';

interface Transfer {
  status: number;
  bytes: number;
  firstByteMs: number;
  totalMs: number;
}

function runCurl(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`curl exited with ${String(code)}: ${err.trim()}`));
    });
  });
}

/**
 * GET `base + path` with curl `repeat + 1` times; the first is the warm-up. Each answer must have status 200
 * and at least `minBytes` bytes. `serverCpuMs` (when given) is read around each timed repetition: the server's
 * CPU time of one, median.
 */
export async function measureWithCurl(
  name: string,
  base: string,
  path: string,
  accept: string,
  options: { repeat: number; timeoutMs: number; minBytes: number; serverCpuMs?: () => number | undefined },
): Promise<Latency> {
  const url = base + path;
  const result: Latency = {
    name,
    path,
    accept,
    found: null,
    repetitions: 0,
    medianMs: null,
    p99Ms: null,
    minMs: null,
    maxMs: null,
    firstByteMedianMs: null,
    bytes: null,
    megabytesPerSecond: null,
    runsMs: [],
  };
  const headers = { ...credentialsFor(url), accept };
  const args = ['--silent', '--show-error', '--write-out', WRITE_OUT];
  for (const [key, value] of Object.entries(headers)) args.push('--header', `${key}: ${value}`);
  try {
    const once = async () =>
      parse(await runCurl([...args, '--output', '/dev/null', url], options.timeoutMs))[0];
    const warmUp = await once();
    checkTransfer(warmUp, options.minBytes);
    result.found = `${warmUp!.bytes} bytes`;
    const transfers: Transfer[] = [];
    const cpuPerRequest: number[] = [];
    for (let i = 0; i < options.repeat; i++) {
      const cpuBefore = options.serverCpuMs?.();
      const transfer = await once();
      const cpuAfter = options.serverCpuMs?.();
      checkTransfer(transfer, options.minBytes);
      transfers.push(transfer!);
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpuPerRequest.push(cpuAfter - cpuBefore);
    }
    result.runsMs = transfers.map((t) => t.totalMs);
    result.bytes = transfers.at(-1)?.bytes ?? null;
    result.firstByteMedianMs = median(transfers.map((t) => t.firstByteMs));
    result.megabytesPerSecond = median(transfers.map((t) => t.bytes / 1e6 / (t.totalMs / 1000)));
    const cpu = median(cpuPerRequest);
    if (cpu !== null) result.serverCpuMsPerRequest = cpu;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  result.repetitions = result.runsMs.length;
  result.medianMs = median(result.runsMs);
  result.p99Ms = percentile(result.runsMs, 99);
  result.minMs = result.runsMs.length > 0 ? Math.min(...result.runsMs) : null;
  result.maxMs = result.runsMs.length > 0 ? Math.max(...result.runsMs) : null;
  return result;
}

function parse(output: string): Transfer[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [status, bytes, firstByte, total] = line.trim().split(' ').map(Number);
      return {
        status: status ?? 0,
        bytes: bytes ?? 0,
        firstByteMs: (firstByte ?? 0) * 1000,
        totalMs: (total ?? 0) * 1000,
      };
    });
}

function checkTransfer(transfer: Transfer | undefined, minBytes: number): void {
  if (transfer === undefined) throw new Error('curl wrote no timings');
  if (transfer.status !== 200) throw new Error(`HTTP ${transfer.status}`);
  if (transfer.bytes < minBytes) throw new Error(`only ${transfer.bytes} bytes`);
}
