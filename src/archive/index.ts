import type { RequestContext } from '../platform/context.js';
import type { ArchiveDeps } from './archive-deps.js';
import { retrieveBulkData, type BulkDataRequest } from './bulk-data.js';
import { commitStorage, type InstanceReference } from './commit-storage.js';
import { retrieveMetadata } from './instance-metadata.js';
import { queryAllMatches, queryArchive, type ArchiveQuery } from './query-archive.js';
import { retrieveInstances } from './retrieve-instances.js';
import { indexedBlobKeys, type InstanceSelector } from './retrieve-repo.js';
import { storeInstance, type StoreOptions } from './store-instance.js';
import { HierarchyCache } from './hierarchy-cache.js';
import { MetadataWarmer } from './metadata-warmer.js';
import { TransactionBatcher } from './transaction-batcher.js';
import { verifyStorage, type VerifyProgress } from './verify-storage.js';

export type { ArchiveDeps, DuplicatePolicy } from './archive-deps.js';
export type { BulkData, BulkDataRequest } from './bulk-data.js';
export type { CommitmentResult, InstanceReference } from './commit-storage.js';
export { BULK_DATA_THRESHOLD, type InstanceMetadata, type MetadataRetrieval } from './instance-metadata.js';
export type { ArchiveQuery, QueryResult, StudyOrder } from './query-archive.js';
export { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT } from './query-archive.js';
export { LEVELS, QUERY_KEYS, findQueryKey, type QueryKey, type QueryLevel } from './query-keys.js';
export type { RetrievableInstance } from './retrieve-instances.js';
export type { InstanceSelector } from './retrieve-repo.js';
export type { StoreOptions, StoreOutcome, StoreResult } from './store-instance.js';
export type { VerifyProgress, VerifyReport } from './verify-storage.js';
export type { ArchiveTables } from './tables.js';
export { toMatchRecord, type MatchRecord } from './match-record.js';

/** The archive's services, bound to their dependencies. Every door calls these and nothing below them. */
export function createArchive(deps: ArchiveDeps) {
  const runtime = {
    ...deps,
    indexWriter: new TransactionBatcher(deps.database),
    hierarchy: new HierarchyCache(),
    metadataWarmer: new MetadataWarmer(deps),
  };
  return {
    storeInstance: (ctx: RequestContext, source: AsyncIterable<Uint8Array>, options?: StoreOptions) =>
      storeInstance(runtime, ctx, source, options),
    query: (ctx: RequestContext, query: ArchiveQuery) => queryArchive(deps, ctx, query),
    /** Every match, page by page as iterated, unordered: for doors that walk all of them (C-FIND). */
    queryAll: (ctx: RequestContext, query: ArchiveQuery) => queryAllMatches(deps, ctx, query),
    retrieve: (ctx: RequestContext, selector: InstanceSelector) => retrieveInstances(deps, ctx, selector),
    /** DICOM JSON of each instance (WADO-RS metadata), cached by content hash on first request. */
    retrieveMetadata: (ctx: RequestContext, selector: InstanceSelector) =>
      retrieveMetadata(deps, ctx, selector),
    /** One binary value of an instance, by top-level tag (the BulkDataURI of retrieveMetadata). */
    retrieveBulkData: (ctx: RequestContext, request: BulkDataRequest) => retrieveBulkData(deps, ctx, request),
    verifyStorage: (ctx: RequestContext, onProgress?: (progress: VerifyProgress) => void) =>
      verifyStorage(deps, ctx, onProgress),
    commitStorage: (ctx: RequestContext, references: InstanceReference[]) =>
      commitStorage(runtime, ctx, references),
    /** After a crash: removes files an interrupted store left unindexed (see commit-journal.ts). */
    recoverInterruptedStores: () =>
      deps.blobs.recoverInterrupted((keys) => indexedBlobKeys(deps.database, keys)),
    /** Puts every stored file and index row on disk, as one group (storage commitment, end of an import). */
    flush: async () => {
      await deps.blobs.flush();
      await deps.database.flush();
    },
    /** Stops background work (metadata caching) before the database and storage close. */
    close: () => runtime.metadataWarmer.close(),
  };
}

export type Archive = ReturnType<typeof createArchive>;
