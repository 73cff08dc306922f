// Child processes of the DIMSE bench: timed client runs that do not block the event loop (so RSS can be sampled
// meanwhile), long-running servers in their own process groups, free ports, and a registry that stops every
// server we started, also on Ctrl-C or an error.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

import type { Timed } from '../import/measure.js';

/** DCMTK tools wait for Nagle's delayed ACK (40 ms a message) unless this is set. */
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };

const OUTPUT_LIMIT = 64 * 1024;

function keepTail(buffer: string, chunk: string): string {
  const joined = buffer + chunk;
  return joined.length > OUTPUT_LIMIT ? joined.slice(-OUTPUT_LIMIT) : joined;
}

/** Runs a command to completion without blocking; wall-clock seconds include process start and exit. */
export function runTimed(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutSeconds: number },
): Promise<Timed> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = keepTail(stdout, chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = keepTail(stderr, chunk)));
    const timer = setTimeout(() => {
      error = `timed out after ${options.timeoutSeconds} s`;
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);
    child.on('error', (e) => (error = e.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out: Timed = { seconds: (performance.now() - start) / 1000, exitCode: code, stdout, stderr };
      if (error !== undefined) out.error = error;
      else if (signal !== null) out.error = `killed by ${signal}`;
      resolve(out);
    });
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A server process in its own process group (storescp --fork's children are stopped with it). */
export class ServerProcess {
  private output = '';
  private readonly exited: Promise<void>;
  exitCode: number | null | undefined;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    child.stdout
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => (this.output = keepTail(this.output, chunk)));
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => (this.output = keepTail(this.output, chunk)));
    this.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        this.output += `\n${e.message}`;
        this.exitCode = null;
        resolve();
      });
      child.on('exit', (code) => {
        this.exitCode = code;
        resolve();
      });
    });
  }

  static start(label: string, command: string, args: string[], env: NodeJS.ProcessEnv): ServerProcess {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const server = new ServerProcess(label, child);
    running.add(server);
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines the process printed. */
  lastOutput(lines = 20): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Waits until `test(output)` holds, or fails when the process exits or the time is up. */
  async waitForOutput(test: (output: string) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.output)) {
      if (!this.running)
        throw new Error(`${this.label} exited (${String(this.exitCode)}):\n${this.lastOutput()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.label} not ready after ${timeoutMs} ms:\n${this.lastOutput()}`);
      await sleep(50);
    }
  }

  /** Resident set size in bytes, from /proc (Linux), or undefined once the process is gone. */
  rssBytes(): number | undefined {
    if (this.pid === undefined || !this.running) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kib === undefined ? undefined : Number(kib) * 1024;
    } catch {
      return undefined;
    }
  }

  /**
   * CPU time used so far, in ms (/proc, Linux): `process` is user + system of every thread plus the children
   * it has waited for (storescp --fork's), `mainThread` the first thread's alone (Lantern's JavaScript).
   * Unlike rates, these hardly depend on what else the machine runs. Undefined once the process is gone.
   */
  cpuMs(): { process: number; mainThread: number } | undefined {
    if (this.pid === undefined || !this.running) return undefined;
    try {
      const ticks = (path: string, fields: number[]) => {
        const stat = readFileSync(path, 'utf8');
        // The fields after the command name (which may hold spaces); utime is the 14th field of the line.
        const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return fields.reduce((sum, field) => sum + Number(after[field - 3]), 0);
      };
      const process = ticks(`/proc/${this.pid}/stat`, [14, 15, 16, 17]);
      const mainThread = ticks(`/proc/${this.pid}/task/${this.pid}/stat`, [14, 15]);
      return { process: (process * 1000) / USER_HZ, mainThread: (mainThread * 1000) / USER_HZ };
    } catch {
      return undefined;
    }
  }

  /** SIGTERM to the process group, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    running.delete(this);
    if (this.running) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Children of the group (storescp --fork) may outlive the leader for a moment.
    this.signalGroup('SIGKILL');
  }

  /** Synchronous last resort for process exit handlers. */
  kill(): void {
    running.delete(this);
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }
}

const running = new Set<ServerProcess>();

/** Stops every server still running (the bench's finally block). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop(5_000)));
}

/** Kills every server still running, synchronously (signal and exit handlers). */
export function killAll(): void {
  for (const server of [...running]) server.kill();
}

/**
 * A new temporary folder for one bench run. `release()` (at the end of the run) and Ctrl-C or SIGTERM remove
 * it and kill every process the bench started.
 */
export function benchWorkspace(tmp: string, name: string): { dir: string; release(): void } {
  const dir = mkdtempSync(join(tmp, `lantern-bench-${name}-`));
  const cleanUp = (): void => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanUp);
  return {
    dir,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      cleanUp();
    },
  };
}
