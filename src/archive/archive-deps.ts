import type { Database } from '../platform/db/index.js';
import type { BlobStore } from '../platform/storage/index.js';

export type DuplicatePolicy = 'keep-first' | 'replace' | 'reject';

/** What the archive's services run on; built once by main.ts. */
export interface ArchiveDeps {
  database: Database;
  blobs: BlobStore;
  settings: {
    duplicatePolicy: DuplicatePolicy;
    /** fsync each file before indexing it. */
    fsync: boolean;
  };
}
