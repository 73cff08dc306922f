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

/** The last `lines` lines of a process's output. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The median of a list of numbers, or null for an empty list. */
export function median(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return null;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Builds dist/ with `npm run build` when dist/main.js is missing or older than a file under src/. Returns the tail
 * of the build's output if it failed, undefined otherwise.
 */
export function ensureBuilt(repoRoot: string): string | undefined {
  let builtAt = 0;
  try {
    builtAt = statSync(join(repoRoot, 'dist', 'main.js')).mtimeMs;
  } catch {
    // not built yet
  }
  if (builtAt > 0 && builtAt >= newestSource(join(repoRoot, 'src'))) return undefined;
  console.log('building dist/ (npm run build) …');
  const build = timed('npm', ['run', 'build'], { cwd: repoRoot });
  if (build.exitCode === 0) return undefined;
  const output = tail(build.error ?? build.stdout + build.stderr, 20);
  console.log(output);
  return output;
}

/** Prints rows as aligned columns: the first left-aligned, the rest right-aligned, a rule under the header. */
export function printRows(rows: string[][]): void {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const [index, row] of rows.entries()) {
    const cells = row.map((cell, column) => {
      const width = widths[column] ?? 0;
      return column === 0 ? cell.padEnd(width) : cell.padStart(width);
    });
    console.log(cells.join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** An integer command-line option within bounds, or an error that shows the usage. */
export function integerOption(text: string, name: string, bounds: [number, number], usage: string): number {
  const value = Number(text);
  const [min, max] = bounds;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}\n${usage}`);
  }
  return value;
}
