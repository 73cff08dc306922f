// Measuring helpers for the import bench: timed child processes, folder sizes, and a description of the machine
// so that a result file says where it was measured.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Timed {
  seconds: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutSeconds?: number;
}

/** Runs a command to completion and returns its wall-clock time (process start and exit included). */
export function timed(command: string, args: string[], options: RunOptions = {}): Timed {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: (options.timeoutSeconds ?? 3600) * 1000,
  });
  const seconds = (performance.now() - start) / 1000;
  const out: Timed = {
    seconds,
    exitCode: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
  if (result.error !== undefined) out.error = result.error.message;
  else if (result.signal !== null) out.error = `killed by ${result.signal}`;
  return out;
}

/** Runs a command whose time does not matter; throws if it fails. */
export function run(command: string, args: string[], options: RunOptions = {}): void {
  const result = timed(command, args, options);
  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.error ?? result.stderr.trim()}`);
  }
}

/** Flushes dirty pages, so one measurement does not pay for the writes of the one before. */
export function flush(): void {
  run('sync', []);
}

/** Files and bytes under a folder (a bounded walk: the folder is one we created). */
export function folderSize(folder: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const pending = [folder];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        files++;
        bytes += statSync(path).size;
      }
    }
  }
  return { files, bytes };
}

/** The newest modification time of a .ts file under a folder, or 0 if there is none. */
export function newestSource(folder: string): number {
  if (!existsSync(folder)) return 0;
  let newest = 0;
  const pending = [folder];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

export interface Machine {
  node: string;
  platform: string;
  kernel: string;
  cpu: string;
  cpuCount: number;
  memoryGiB: number;
  tempFileSystem: string;
  gitCommit: string | null;
}

export function describeMachine(tempFolder: string, repoRoot: string): Machine {
  const fsType = timed('stat', ['-f', '-c', '%T', tempFolder]);
  const git = timed('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot });
  const dirty = timed('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot });
  return {
    node: process.version,
    platform: process.platform,
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    tempFileSystem: fsType.exitCode === 0 ? fsType.stdout.trim() : 'unknown',
    gitCommit:
      git.exitCode === 0
        ? `${git.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' (src modified)'}`
        : null,
  };
}
