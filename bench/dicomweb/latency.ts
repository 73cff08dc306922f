// Repeated requests over one keep-alive connection: a warm-up (whose body is kept and checked), then timed
// repetitions until the count or the time budget is used up. Used for every DICOMweb read of the bench.
import { median } from '../import/measure.js';
import { check, keepAliveAgent, send, type Response } from './http.js';

export interface Limits {
  repeat: number;
  budgetMs: number;
  timeoutMs: number;
  /** The server's CPU time so far (ms), read before and after each timed repetition. */
  serverCpuMs?: () => number | undefined;
}

export interface Latency {
  name: string;
  /** The path and query under the DICOMweb root. */
  path: string;
  accept: string;
  /** What the warm-up's check found (matches, parts, bytes). */
  found: string | null;
  repetitions: number;
  medianMs: number | null;
  p99Ms: number | null;
  minMs: number | null;
  maxMs: number | null;
  /** Time to the first body byte, median. */
  firstByteMedianMs: number | null;
  /** Body bytes of the last repetition. */
  bytes: number | null;
  /** Median of bytes ÷ total time, MB/s (1 MB = 10^6 bytes). */
  megabytesPerSecond: number | null;
  runsMs: number[];
  /**
   * The server process's CPU time (user + system, all threads) of one timed repetition, median, when measured
   * (/proc counts in 10 ms ticks: a median of several repetitions, not one reading).
   */
  serverCpuMsPerRequest?: number;
  error?: string;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

const MINIMUM_REPETITIONS = 5;

/**
 * GET `base + path` once to warm up (body kept, passed to `validate`, which throws when the answer is wrong and
 * returns a description), then up to `limits.repeat` more times on the same connection, each read in full.
 */
export async function measureGet(
  name: string,
  base: string,
  path: string,
  accept: string,
  limits: Limits,
  validate: (response: Response) => string,
): Promise<Latency> {
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
  const agent = keepAliveAgent();
  const headers = { accept };
  const firstBytes: number[] = [];
  const rates: number[] = [];
  try {
    const warmUp = await send(base + path, agent, { headers, keepBody: true, timeoutMs: limits.timeoutMs });
    result.found = validate(check(warmUp, `GET ${path}`));
    const cpuPerRequest: number[] = [];
    const started = performance.now();
    for (let i = 0; i < limits.repeat; i++) {
      if (i >= MINIMUM_REPETITIONS && performance.now() - started > limits.budgetMs) break;
      const cpuBefore = limits.serverCpuMs?.();
      const response = check(
        await send(base + path, agent, { headers, timeoutMs: limits.timeoutMs }),
        `GET ${path}`,
      );
      const cpuAfter = limits.serverCpuMs?.();
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpuPerRequest.push(cpuAfter - cpuBefore);
      if (response.bytes !== warmUp.bytes && Math.abs(response.bytes - warmUp.bytes) > 1024) {
        throw new Error(`GET ${path}: ${response.bytes} bytes, the warm-up had ${warmUp.bytes}`);
      }
      result.runsMs.push(response.totalMs);
      firstBytes.push(response.firstByteMs);
      rates.push(response.bytes / 1e6 / (response.totalMs / 1000));
      result.bytes = response.bytes;
    }
    const cpu = median(cpuPerRequest);
    if (cpu !== null) result.serverCpuMsPerRequest = cpu;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
  }
  result.repetitions = result.runsMs.length;
  result.medianMs = median(result.runsMs);
  result.p99Ms = percentile(result.runsMs, 99);
  result.minMs = result.runsMs.length > 0 ? Math.min(...result.runsMs) : null;
  result.maxMs = result.runsMs.length > 0 ? Math.max(...result.runsMs) : null;
  result.firstByteMedianMs = median(firstBytes);
  result.megabytesPerSecond = median(rates);
  return result;
}

/** A single timed GET with its body checked (the first metadata request after storing). */
export async function timeOnce(
  base: string,
  path: string,
  accept: string,
  timeoutMs: number,
  validate: (response: Response) => string,
): Promise<{ ms: number | null; found: string | null; error?: string }> {
  const agent = keepAliveAgent();
  try {
    const response = await send(base + path, agent, { headers: { accept }, keepBody: true, timeoutMs });
    return { ms: response.totalMs, found: validate(check(response, `GET ${path}`)) };
  } catch (error) {
    return { ms: null, found: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    agent.destroy();
  }
}
