import { randomBytes } from 'node:crypto';
import { closeSync, open, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface StagingFile {
  path: string;
  fd: number;
}

/**
 * Empty staging files opened ahead of need, for reading too (the hashing worker may read them back). Creating
 * a file costs 0.03 ms on this VM's ext4, but 0.3-1 ms right after many files were deleted (without a journal,
 * ext4 skips inodes freed in the last minutes, an inode table lookup each), and a sender waits for every
 * C-STORE answer: opening the next file on the thread pool while this one is received takes that off the
 * critical path.
 */
export class StagingFiles {
  private ready: StagingFile[] = [];
  // Names unique to this store (another process may stage in the same folder): a random part drawn once
  // and a counter, rather than random bytes drawn for every file.
  private readonly namePrefix = `${process.pid}-${randomBytes(6).toString('hex')}`;
  private named = 0;
  private opening = 0;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly depth = 4,
  ) {}

  /**
   * A new empty file, open for writing: a prepared one when there is one, else one opened now, on the
   * thread pool too. Several senders at once can outrun the preparation, and an open in line would stop the
   * JavaScript thread for as long (0.2-1 ms right after many files were deleted: ext4's inode allocator
   * then reads the inode table to skip recently freed inodes).
   */
  async take(): Promise<StagingFile> {
    const file = this.ready.pop();
    this.refill();
    return file ?? (await this.openNow());
  }

  /** Closes and removes the prepared files nobody took. */
  close(): void {
    this.closed = true;
    for (const file of this.ready.splice(0)) {
      closeSync(file.fd);
      rmSync(file.path, { force: true });
    }
  }

  private async openNow(): Promise<StagingFile> {
    const path = this.newPath();
    return {
      path,
      fd: await new Promise<number>((resolve, reject) =>
        open(path, 'w+', (error, fd) => (error ? reject(error) : resolve(fd))),
      ),
    };
  }

  private refill(): void {
    while (!this.closed && this.ready.length + this.opening < this.depth) {
      this.opening++;
      const path = this.newPath();
      open(path, 'w+', (error, fd) => {
        this.opening--;
        // A failure here (a full disk, say) shows itself again, with its reason, when take() opens in line.
        if (error) return;
        if (this.closed) {
          closeSync(fd);
          rmSync(path, { force: true });
          return;
        }
        this.ready.push({ path, fd });
      });
    }
  }

  private newPath(): string {
    return join(this.dir, `${Date.now()}-${this.namePrefix}-${(this.named++).toString(36)}.part`);
  }
}
