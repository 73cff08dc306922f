import type { DicomJson } from '../lib/dicom/index.js';
import type { RequestContext } from '../platform/context.js';
import { notFound } from '../platform/errors.js';
import {
  authorize,
  authorizedService,
  reaches,
  reachWithoutReferrals,
  recordAuditFailure,
  type PatientReachResolver,
} from '../platform/security/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import { retrieveBulkData, type BulkDataRequest } from './bulk-data.js';
import { commitStorage, type InstanceReference } from './commit-storage.js';
import { retrieveMetadata } from './instance-metadata.js';
import { queryAllMatches, queryArchive, type ArchiveQuery } from './query-archive.js';
import { patientKeysOfSelection } from './patient-reach-repo.js';
import { retrieveInstances } from './retrieve-instances.js';
import { indexedBlobKeys, type InstanceSelector } from './retrieve-repo.js';
import { storeInstance, type StoreOptions } from './store-instance.js';
import { HeaderFactsWorker } from './header-facts-worker-pool.js';
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
export type { LentBytes, RetrievableInstance } from './retrieve-instances.js';
export type { InstanceSelector } from './retrieve-repo.js';
export type { InstanceIdentity, StoreOptions, StoreOutcome, StoreResult } from './store-instance.js';
export type { VerifyProgress, VerifyReport } from './verify-storage.js';
export type { ArchiveTables } from './tables.js';
export { toMatchRecord, type MatchRecord } from './match-record.js';

/**
 * The archive's services, bound to their dependencies. Every door calls these and nothing below them. Every
 * operation is authorized here (PERMISSIONS below); queries and retrieves are limited to the patients within
 * the caller's reach (`patientReach`, the RIS's resolver handed in by app.ts; without it a limited caller, a
 * referring physician, reaches nobody).
 */
export function createArchive(deps: ArchiveDeps, options: { patientReach?: PatientReachResolver } = {}) {
  const patientReach = options.patientReach ?? reachWithoutReferrals;
  const headerWorker = new HeaderFactsWorker();
  const runtime = {
    ...deps,
    headerReader: (prefix: Uint8Array, transferSyntaxUid: string | undefined) =>
      headerWorker.read(prefix, transferSyntaxUid),
    indexWriter: new TransactionBatcher(deps.database),
    hierarchy: new HierarchyCache(),
    metadataWarmer: new MetadataWarmer(deps),
  };
  /** A retrieve of instances outside the caller's reach is not found, as if they were not there. */
  const withinReach = async (ctx: RequestContext, selector: InstanceSelector, action: string) => {
    const reach = await patientReach(ctx);
    if (reach.kind === 'all') return;
    const patients = await patientKeysOfSelection(deps.database, selector);
    if (patients.every((key) => reaches(reach, key))) return;
    const uid = selector.sopInstanceUid ?? selector.seriesInstanceUid ?? selector.studyInstanceUid ?? '';
    const error = notFound(
      selector.sopInstanceUid ? 'instance' : selector.seriesInstanceUid ? 'series' : 'study',
      uid,
    );
    await recordAuditFailure(
      deps.database,
      ctx,
      { action, detail: { ...selector, reach: 'referred' } },
      error,
    );
    throw error;
  };
  const operations = {
    storeInstance: (ctx: RequestContext, source: AsyncIterable<Uint8Array>, options?: StoreOptions) =>
      storeInstance(runtime, ctx, source, options),
    query: async (ctx: RequestContext, query: ArchiveQuery) =>
      queryArchive(deps, ctx, query, await patientReach(ctx)),
    retrieve: async (ctx: RequestContext, selector: InstanceSelector) => {
      await withinReach(ctx, selector, 'instances.retrieve');
      return retrieveInstances(deps, ctx, selector);
    },
    /** DICOM JSON of each instance (WADO-RS metadata), cached by content hash on first request. */
    retrieveMetadata: async (ctx: RequestContext, selector: InstanceSelector) => {
      await withinReach(ctx, selector, 'metadata.retrieve');
      return retrieveMetadata(deps, ctx, selector);
    },
    /** One binary value of an instance, by top-level tag (the BulkDataURI of retrieveMetadata). */
    retrieveBulkData: async (ctx: RequestContext, request: BulkDataRequest) => {
      await withinReach(ctx, request, 'bulk-data.retrieve');
      return retrieveBulkData(deps, ctx, request);
    },
    verifyStorage: (ctx: RequestContext, onProgress?: (progress: VerifyProgress) => void) =>
      verifyStorage(deps, ctx, onProgress),
    commitStorage: (ctx: RequestContext, references: InstanceReference[]) =>
      commitStorage(runtime, ctx, references),
  };
  return {
    ...authorizedService(deps.database, 'archive', operations, PERMISSIONS),
    /**
     * Every match, page by page as iterated, unordered: for doors that walk all of them (C-FIND).
     * Authorized when iteration starts (it returns at once, before any work).
     */
    queryAll: (ctx: RequestContext, query: ArchiveQuery): AsyncIterable<DicomJson> => ({
      async *[Symbol.asyncIterator]() {
        await authorize(deps.database, ctx, 'study.read', { resource: 'archive.queryAll' });
        yield* queryAllMatches(deps, ctx, query, undefined, await patientReach(ctx));
      },
    }),
    /** After a crash: removes files an interrupted store left unindexed (see commit-journal.ts). */
    recoverInterruptedStores: () =>
      deps.blobs.recoverInterrupted((keys) => indexedBlobKeys(deps.database, keys)),
    /** Puts every stored file and index row on disk, as one group (storage commitment, end of an import). */
    flush: async () => {
      await deps.blobs.flush();
      await deps.database.flush();
    },
    /** Stops background work (metadata caching, the header worker) before the database and storage close. */
    close: async () => {
      await runtime.metadataWarmer.close();
      await headerWorker.close();
    },
  };
}

/** What each operation needs (platform/security/permissions.ts); queryAll asks for study.read. */
const PERMISSIONS = {
  storeInstance: 'study.store',
  commitStorage: 'study.store',
  query: 'study.read',
  retrieve: 'study.read',
  retrieveMetadata: 'study.read',
  retrieveBulkData: 'study.read',
  verifyStorage: 'admin.config',
} as const;

export type Archive = ReturnType<typeof createArchive>;
