// What the phases of the DICOMweb bench share: the options, the folders, the servers still in the race, and the
// list of failures (each with how to reproduce it), which the run goes on after.
import type { Limits } from './latency.js';
import type { DicomwebBenchOptions, ServerName } from './options.js';
import { LABELS, LANTERN_API_KEY } from './servers.js';

export interface Context {
  options: DicomwebBenchOptions;
  main: string;
  work: string;
  servers: ServerName[];
  limits: Limits;
  /** What failed, in words, with how to reproduce it. */
  failures: string[];
}

export const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const REPRO: Record<ServerName, string> = {
  lantern:
    `LANTERN_DATA_DIR=$(mktemp -d) LANTERN_HTTP_PORT=8080 LANTERN_SECURITY_AUTHENTICATION=on ` +
    `LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY=${LANTERN_API_KEY} node dist/main.js serve ` +
    `(requests with Authorization: Bearer ${LANTERN_API_KEY})`,
  orthanc: 'Orthanc <config> with the configuration recorded in the JSON (peers.orthancConfig)',
};

export function fail(ctx: Context, server: ServerName, what: string, error: string, request?: string): void {
  const lines = [
    `${LABELS[server]}: ${what} failed: ${error}`,
    `  reproduce: start it with: ${REPRO[server]}`,
  ];
  if (request !== undefined) lines.push(`  then: ${request}`);
  ctx.failures.push(lines.join('\n'));
  console.log(`  ✗ ${what} (${LABELS[server]}): ${error.split('\n')[0] ?? ''}`);
}

/** Rotates the servers each round, so that a slow spell of the machine does not always hit the same one. */
export function order<T>(items: T[], round: number): T[] {
  const shift = items.length === 0 ? 0 : (round - 1) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
