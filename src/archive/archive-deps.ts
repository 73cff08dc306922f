import type { Database } from '../platform/db/index.js';
import type { BlobStore } from '../platform/storage/index.js';
import type { HeaderReader } from './header-while-staging.js';
import type { HierarchyCache } from './hierarchy-cache.js';
import type { MetadataWarmer } from './metadata-warmer.js';
import type { TransactionBatcher } from './transaction-batcher.js';

export type DuplicatePolicy = 'keep-first' | 'replace' | 'reject';

/** What the archive's services run on; built once by main.ts. */
export interface ArchiveDeps {
  database: Database;
  blobs: BlobStore;
  settings: {
    duplicatePolicy: DuplicatePolicy;
    /** fsync each file before indexing it, instead of flushing files in groups. */
    fsync: boolean;
  };
}

/** What the services run on: the deps, plus what `createArchive` builds once for them. */
export interface ArchiveRuntime extends ArchiveDeps {
  /** Every ingest index write goes through here, so concurrent ingests share commits. */
  indexWriter: TransactionBatcher;
  /** Index rows of recently written series, so later instances skip their look-ups. */
  hierarchy: HierarchyCache;
  /** Reads arriving headers (on the header worker; see HeaderFactsWorker). */
  headerReader: HeaderReader;
  /** Told of every instance indexed, to cache its WADO-RS metadata once ingest pauses. */
  metadataWarmer?: MetadataWarmer;
}
