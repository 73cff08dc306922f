import type { Readable } from 'node:stream';
import type { LentBytes } from './lent-reads.js';

/** Content address of a stored blob: the lowercase hex SHA-256 of its bytes. */
export type BlobKey = string & { readonly __brand: 'BlobKey' };

/** Bytes received and hashed into a temporary file, not yet durable or visible under their key. */
export interface StagedBlob {
  readonly tempPath: string;
  readonly key: BlobKey;
  readonly size: number;
}

export interface ByteRange {
  start: number;
  /** Inclusive, like HTTP ranges and fs.createReadStream. */
  end: number;
}

/**
 * Where stored DICOM files live. Writes stream to a temporary file first; `commit` makes the bytes
 * durable under their content hash, so a key always names complete, verified bytes.
 */
export interface BlobStore {
  stage(source: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StagedBlob>;
  /**
   * Makes the bytes visible under their key. With `fsync` they are on disk when this resolves; without,
   * they survive a crash of the process and reach the disk at the next `flush` (or the OS's writeback).
   */
  commit(staged: StagedBlob, options?: { fsync?: boolean }): Promise<BlobKey>;
  /** Puts every blob committed without fsync on disk, as one group. */
  flush(): Promise<void>;
  /** The caller has indexed, or given up, a committed blob: a crash from now on cannot orphan it. */
  settle(): Promise<void>;
  /**
   * After a crash: removes blobs that a dead process committed but that nothing references (they were never
   * indexed). `isReferenced` answers which of the given keys are referenced. Resolves with the count removed.
   */
  recoverInterrupted(isReferenced: (keys: string[]) => Promise<Set<string>>): Promise<number>;
  close(): Promise<void>;
  discard(staged: StagedBlob): Promise<void>;
  open(key: BlobKey, range?: ByteRange): Readable;
  /**
   * The range's bytes in chunks lent from the store's read buffers (see lent-reads.ts): for streaming whole
   * files to a socket without a new buffer a file. Release each chunk once its bytes are no longer needed.
   */
  readLent(key: BlobKey, range: ByteRange): AsyncIterableIterator<LentBytes>;
  size(key: BlobKey): Promise<number | undefined>;
  /** Reads the blob back and hashes it: the key it should have. */
  rehash(key: BlobKey): Promise<BlobKey>;
  keys(): AsyncIterable<BlobKey>;
  remove(key: BlobKey): Promise<void>;
}
