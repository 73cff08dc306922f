import { createHash } from 'node:crypto';
import { closeSync, createReadStream, renameSync, rmSync, type Dirent } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LanternError } from '../errors.js';
import type { BlobKey, BlobStore, ByteRange, StagedBlob } from './blob-store.js';
import { CommitJournal } from './commit-journal.js';
import { PositionedWrites } from './positioned-writes.js';
import { readLent, ReadBufferPool, type LentBytes } from './lent-reads.js';
import { StagingFiles } from './staging-files.js';
import { FileHasher } from './file-hasher.js';

const KEY_PATTERN = /^[0-9a-f]{64}$/;
// Staging files older than this are left over from a crashed process and may be removed.
const STALE_TEMP_MS = 60 * 60 * 1000;
// Small enough that the last batch, written after the last byte arrived, is quick; large enough that a CT
// image goes to the thread pool in four or five writes.
const WRITE_BATCH_BYTES = 128 * 1024;
// Unflushed files are flushed in a group once this many are waiting, so the list stays bounded.
const MAX_UNFLUSHED = 4096;
const PARALLEL_SYNCS = 8;
const FOLDERS = 256;
const READ_CHUNK_BYTES = 1024 * 1024;
// Read buffers kept for reuse: a response holds two or three at a time (one being sent, the next being read).
const KEPT_READ_BUFFERS = 16;
const folderName = (i: number) => i.toString(16).padStart(2, '0');

/**
 * BlobStore on a local folder: `<root>/blobs/ab/<sha256>` (256 folders named by the first two hex digits;
 * ext4 and XFS index large folders, so millions of files a folder stay fast), staging in `<root>/tmp`.
 * Durability follows the usual recipe: fsync the file, rename it into place, fsync the folder.
 */
export class LocalFolderStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tempDir: string;
  private unflushedFiles = new Set<string>();
  private unflushedDirs = new Set<string>();
  private readonly staging: StagingFiles;
  private readonly hasher = new FileHasher();
  private stagesInProgress = 0;
  private readonly readBuffers = new ReadBufferPool(READ_CHUNK_BYTES, KEPT_READ_BUFFERS);

  private constructor(
    private readonly root: string,
    private readonly journal: CommitJournal,
  ) {
    this.blobDir = join(root, 'blobs');
    this.tempDir = join(root, 'tmp');
    this.staging = new StagingFiles(this.tempDir);
  }

  static async open(root: string): Promise<LocalFolderStore> {
    await mkdir(join(root, 'tmp'), { recursive: true });
    await createFolders(join(root, 'blobs'));
    const store = new LocalFolderStore(root, await CommitJournal.open(root));
    await store.removeStaleTemps();
    return store;
  }

  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.staging.close();
    this.closing ??= Promise.all([this.journal.close(), this.hasher.close()]).then(() => undefined);
    return this.closing;
  }

  settle(): Promise<void> {
    return this.journal.settle();
  }

  recoverInterrupted(isReferenced: (keys: string[]) => Promise<Set<string>>): Promise<number> {
    return CommitJournal.recover(this.root, isReferenced, async (key) => {
      const existed = (await this.size(key as BlobKey)) !== undefined;
      await this.remove(key as BlobKey);
      return existed;
    });
  }

  async stage(source: AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<StagedBlob> {
    let size = 0;
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    // The file was opened ahead of need (see StagingFiles); the pieces are written in batches on the thread
    // pool (see PositionedWrites), as network peers deliver many small pieces. fsync stays for commit and
    // flush. Alone, a file is hashed here as its pieces arrive (SHA-256 of a 16 KiB PDU is some 10 µs): the
    // hash is done with the last byte, and a single sender waits for each answer. While other files are
    // staging, this thread is what all their senders wait on, and a worker reads the file back and hashes it
    // (see FileHasher).
    const { path: tempPath, fd } = await this.staging.take();
    let key: string;
    const shared = this.stagesInProgress++ > 0 ? this.hasher.begin(fd) : undefined;
    const inline = shared ? undefined : createHash('sha256');
    const writes = new PositionedWrites(fd, shared && ((upTo) => shared.written(upTo)));
    try {
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes)
          throw new LanternError('invalid', `upload exceeds the limit of ${maxBytes} bytes`);
        inline?.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          await writes.write(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
      // A file that fits in one batch (most non-image objects, small images) is written here at once.
      if (writes.size === 0) writes.writeNow(pending, pendingBytes);
      else await writes.write(pending, pendingBytes);
      await writes.finish();
      key = shared ? await shared.digest(size) : inline!.digest('hex');
      closeSync(fd);
    } catch (error) {
      await writes.finish().catch(() => undefined);
      await shared?.drop().catch(() => undefined);
      closeSync(fd);
      rmSync(tempPath, { force: true });
      throw error;
    } finally {
      this.stagesInProgress--;
    }
    return { tempPath, key: key as BlobKey, size };
  }

  async commit(staged: StagedBlob, options: { fsync?: boolean } = {}): Promise<BlobKey> {
    const fsync = options.fsync ?? true;
    if (fsync) await syncPath(staged.tempPath);
    const dir = join(this.blobDir, staged.key.slice(0, 2));
    const path = join(dir, staged.key);
    this.journal.record(staged.key);
    renameSync(staged.tempPath, path);
    if (fsync) {
      await syncPath(dir);
    } else {
      this.unflushedFiles.add(path);
      this.unflushedDirs.add(dir);
      if (this.unflushedFiles.size >= MAX_UNFLUSHED) await this.flush();
    }
    return staged.key;
  }

  async flush(): Promise<void> {
    const files = [...this.unflushedFiles];
    const dirs = [...this.unflushedDirs];
    this.unflushedFiles = new Set();
    this.unflushedDirs = new Set();
    // Files first, then the folders whose entries (the renames) name them.
    for (const group of [files, dirs]) {
      for (let i = 0; i < group.length; i += PARALLEL_SYNCS) {
        await Promise.all(
          group.slice(i, i + PARALLEL_SYNCS).map((path) => syncPath(path).catch(ignoreMissing)),
        );
      }
    }
  }

  async discard(staged: StagedBlob): Promise<void> {
    await rm(staged.tempPath, { force: true });
  }

  open(key: BlobKey, range?: ByteRange): Readable {
    // Large reads: a retrieve streams whole files, and fewer, larger chunks mean fewer PDUs and calls. No
    // larger than the range, though: a read that fills only part of its buffer is copied into a new one.
    const highWaterMark = range
      ? Math.max(1, Math.min(READ_CHUNK_BYTES, range.end - range.start + 1))
      : READ_CHUNK_BYTES;
    return createReadStream(
      this.pathOf(key),
      range ? { start: range.start, end: range.end, highWaterMark } : { highWaterMark },
    );
  }

  readLent(key: BlobKey, range: ByteRange): AsyncIterableIterator<LentBytes> {
    return readLent(this.pathOf(key), range.start, range.end, this.readBuffers);
  }

  async size(key: BlobKey): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async rehash(key: BlobKey): Promise<BlobKey> {
    const hash = createHash('sha256');
    await pipeline(this.open(key), hash);
    return hash.digest('hex') as BlobKey;
  }

  async *keys(): AsyncIterable<BlobKey> {
    for (const folder of await listDirs(this.blobDir)) {
      for (const entry of await readdir(join(this.blobDir, folder), { withFileTypes: true })) {
        if (entry.isFile() && KEY_PATTERN.test(entry.name)) yield entry.name as BlobKey;
      }
    }
  }

  async remove(key: BlobKey): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: BlobKey): string {
    if (!KEY_PATTERN.test(key)) throw new LanternError('invalid', `not a blob key: ${key}`);
    return join(this.blobDir, key.slice(0, 2), key);
  }

  private async removeStaleTemps(): Promise<void> {
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const name of await readdir(this.tempDir)) {
      const path = join(this.tempDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(path, { force: true });
    }
  }
}

/**
 * The 256 blob folders, made once when the store is first opened (so that no store pays for a mkdir)
 * and made durable with their parent before any blob goes in. The last folder marks a complete set.
 */
async function createFolders(blobDir: string): Promise<void> {
  const last = join(blobDir, folderName(FOLDERS - 1));
  if (
    await stat(last).then(
      () => true,
      () => false,
    )
  )
    return;
  await mkdir(blobDir, { recursive: true });
  for (let i = 0; i < FOLDERS - 1; i++) {
    await mkdir(join(blobDir, folderName(i)), { recursive: true });
  }
  await syncPath(blobDir);
  await mkdir(last, { recursive: true });
  await syncPath(blobDir);
}

/** A blob removed (replaced or deleted) before the flush has nothing left to flush. */
function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

async function listDirs(dir: string): Promise<string[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** fsync a file or a folder (a folder's fsync makes a rename inside it durable). */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
