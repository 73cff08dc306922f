// The peers' programs: Orthanc installed from Debian when missing, and each tool's version for the report.
import { existsSync } from 'node:fs';
import { timed } from '../import/measure.js';
import { ORTHANC_BINARY } from './receivers.js';

/** Installs Debian's orthanc package when the binary is missing; returns why it could not. */
export function ensureOrthanc(): string | undefined {
  if (existsSync(ORTHANC_BINARY)) return undefined;
  console.log('installing orthanc (apt-get) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = timed('apt-get', ['update', '-qq'], { env, timeoutSeconds: 600 });
  const install = timed('apt-get', ['install', '-y', '-qq', 'orthanc'], { env, timeoutSeconds: 900 });
  if (existsSync(ORTHANC_BINARY)) return undefined;
  return `apt-get install orthanc failed: ${install.error ?? install.stderr.trim()} ${update.stderr.trim()}`;
}

export function version(command: string, args: string[]): string {
  const result = timed(command, args, { timeoutSeconds: 20 });
  return result.exitCode === 0
    ? (result.stdout.split('\n').find((l) => l.trim() !== '') ?? '').trim()
    : 'unknown';
}
