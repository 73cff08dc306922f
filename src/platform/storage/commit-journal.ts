import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = 'commits-';
// Truncated once nothing is in flight and it has grown past this.
const TRUNCATE_AFTER_BYTES = 256 * 1024;

/**
 * The blobs this process made visible whose index rows may not exist yet. A blob is named here before it
 * is renamed into place and settled once the caller has indexed (or dropped) it; after a crash, the
 * journal of the dead process names exactly the blobs that may be orphans. One file per process, so a
 * running `serve` and an `import` never recover each other's work in flight.
 */
export class CommitJournal {
  private unsettled = 0;
  private bytes = 0;

  private constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {}

  static async open(dir: string): Promise<CommitJournal> {
    const path = join(dir, `${PREFIX}${process.pid}.log`);
    return new CommitJournal(openSync(path, 'a'), path);
  }

  /** Synchronous, like the rename it precedes: one short append, cheaper than a thread-pool round trip. */
  record(key: string): void {
    this.unsettled++;
    writeSync(this.fd, `${key}\n`);
    this.bytes += key.length + 1;
  }

  async settle(): Promise<void> {
    this.unsettled = Math.max(0, this.unsettled - 1);
    if (this.unsettled === 0 && this.bytes > TRUNCATE_AFTER_BYTES) {
      this.bytes = 0;
      ftruncateSync(this.fd, 0);
    }
  }

  /** A clean close with nothing in flight leaves no journal behind. */
  async close(): Promise<void> {
    closeSync(this.fd);
    if (this.unsettled === 0) await rm(this.path, { force: true });
  }

  /** Removes the blobs named in the journals of processes that are gone, unless something references them. */
  static async recover(
    dir: string,
    isReferenced: (keys: string[]) => Promise<Set<string>>,
    remove: (key: string) => Promise<boolean>,
  ): Promise<number> {
    let removed = 0;
    for (const name of await readdir(dir)) {
      const pid = Number(name.slice(PREFIX.length, -'.log'.length));
      if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || isAlive(pid)) continue;
      const path = join(dir, name);
      const keys = [
        ...new Set((await readFile(path, 'utf8')).split('\n').filter((k) => /^[0-9a-f]{64}$/.test(k))),
      ];
      for (let i = 0; i < keys.length; i += 500) {
        const batch = keys.slice(i, i + 500);
        const referenced = await isReferenced(batch);
        for (const key of batch.filter((k) => !referenced.has(k))) {
          if (await remove(key)) removed++;
        }
      }
      await rm(path, { force: true });
    }
    return removed;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
