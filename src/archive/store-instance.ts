import { DicomParseError, scanHeaderFile, tags, type DicomHeader } from '../lib/dicom/index.js';
import type { RequestContext } from '../platform/context.js';
import { nowIso, type Kysely } from '../platform/db/index.js';
import { LanternError, invalid } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { recordAudit, recordAuditFailure } from '../platform/security/index.js';
import type { StagedBlob } from '../platform/storage/index.js';
import { reconcilePatient } from '../patients/index.js';
import type { ArchiveRuntime } from './archive-deps.js';
import { headerDemographicsKey } from './current-demographics.js';
import { readInstanceAttributes, type InstanceAttributes } from './instance-attributes.js';
import { metadataAtIngest } from './instance-metadata.js';
import { insertMetadata } from './metadata-repo.js';
import {
  countNewInstance,
  findInstanceBySopUid,
  insertInstance,
  isBlobReferenced,
  replaceInstance,
  upsertSeries,
  upsertStudy,
} from './index-repo.js';
import { HeaderWhileStaging } from './header-while-staging.js';

export type StoreOutcome = 'stored' | 'duplicate' | 'replaced';

export interface StoreResult {
  outcome: StoreOutcome;
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  size: number;
}

/** The UIDs of an instance, as far as its header names them. */
export interface InstanceIdentity {
  sopClassUid?: string | undefined;
  sopInstanceUid?: string | undefined;
  studyInstanceUid?: string | undefined;
  seriesInstanceUid?: string | undefined;
}

export interface StoreOptions {
  /** For a bare dataset without file meta: the transfer syntax it was sent in. */
  transferSyntaxUid?: string;
  /** Largest accepted instance in bytes. */
  maxBytes?: number;
  /** What the sender said it sends (a C-STORE request's affected SOP class and instance): must match. */
  expected?: { sopClassUid: string; sopInstanceUid: string };
  /** The study the instance must belong to (STOW-RS to /studies/{uid}, PS3.18 10.5.1). */
  expectedStudy?: string | undefined;
  /** Refuse a file whose meta names another instance than its data set is (PS3.10 7.1). */
  fileMetaMustMatch?: boolean;
  /** Told the instance's UIDs once its header is read, before any check or commit: for a failure report. */
  onIdentified?: (identity: InstanceIdentity) => void;
}

/**
 * The ingest path every door uses (C-STORE, STOW-RS, import): stage the bytes → read the header up to
 * pixel data → reconcile the patient → make the file durable under its content hash → index rows, event
 * and audit in one transaction. Only when this resolves may a door report success to the sender.
 */
export async function storeInstance(
  deps: ArchiveRuntime,
  ctx: RequestContext,
  source: AsyncIterable<Uint8Array>,
  options: StoreOptions = {},
): Promise<StoreResult> {
  let staged: StagedBlob | undefined;
  let attributes: InstanceAttributes | undefined;
  const early = new HeaderWhileStaging(options.transferSyntaxUid, deps.headerReader);
  try {
    staged = await deps.blobs.stage(early.tap(source), { maxBytes: options.maxBytes });
    const read =
      (await early.result(staged.size)) ??
      (await readAttributes(staged, options.transferSyntaxUid, options.onIdentified));
    attributes = read.attributes;
    options.onIdentified?.(identityOf(attributes));
    checkExpected(attributes, options);
    const result = await indexStaged(deps, ctx, staged, attributes, read.metadata);
    staged = undefined;
    return result;
  } catch (error) {
    if (!attributes && options.onIdentified) {
      // Failed while the bytes arrived (too large, cut off): named if its header was read meanwhile.
      const facts = await early.factsSoFar();
      if (facts) options.onIdentified(identityOf(facts.attributes));
    }
    await recordAuditFailure(deps.database, ctx, auditEntry(attributes), error);
    throw error;
  } finally {
    if (staged) await deps.blobs.discard(staged);
  }
}

/** A data set that is not what the request names is refused (PS3.4 B.2.3, PS3.18 10.5.1, PS3.10 7.1). */
function checkExpected(attributes: InstanceAttributes, options: StoreOptions): void {
  const { sopInstanceUid, sopClassUid, fileMetaSopInstanceUid } = attributes.instance;
  const { expected, expectedStudy } = options;
  if (expected && (sopInstanceUid !== expected.sopInstanceUid || sopClassUid !== expected.sopClassUid)) {
    throw new LanternError(
      'conflict',
      `data set is ${sopClassUid} ${sopInstanceUid}, the request said ${expected.sopClassUid} ${expected.sopInstanceUid}`,
    );
  }
  const study = attributes.study.studyInstanceUid;
  if (expectedStudy !== undefined && study !== expectedStudy) {
    throw new LanternError('conflict', `the instance belongs to study ${study}, not ${expectedStudy}`);
  }
  if (options.fileMetaMustMatch && fileMetaSopInstanceUid && fileMetaSopInstanceUid !== sopInstanceUid) {
    throw new LanternError(
      'conflict',
      `the file meta names instance ${fileMetaSopInstanceUid}, the data set is ${sopInstanceUid}`,
    );
  }
}

/** The UIDs of a header that readInstanceAttributes may yet refuse. */
function identityOfHeader(header: DicomHeader): InstanceIdentity {
  return {
    sopClassUid: header.sopClassUid,
    sopInstanceUid: header.sopInstanceUid,
    studyInstanceUid: header.string(tags.StudyInstanceUID),
    seriesInstanceUid: header.string(tags.SeriesInstanceUID),
  };
}

function identityOf(attributes: InstanceAttributes): InstanceIdentity {
  return {
    sopClassUid: attributes.instance.sopClassUid,
    sopInstanceUid: attributes.instance.sopInstanceUid,
    studyInstanceUid: attributes.study.studyInstanceUid,
    seriesInstanceUid: attributes.series.seriesInstanceUid,
  };
}

/** The WADO-RS metadata, cached with the index rows when the header holds it all; never fails a store. */
function ingestMetadata(header: DicomHeader, size: number): string | undefined {
  try {
    return metadataAtIngest(header, size);
  } catch {
    return undefined;
  }
}

async function readAttributes(
  staged: StagedBlob,
  transferSyntaxUid: string | undefined,
  onIdentified: StoreOptions['onIdentified'],
) {
  try {
    // Only when the reading while staging found nothing usable: then the staged file is read (page cache).
    const header = await scanHeaderFile(staged.tempPath, { transferSyntaxUid });
    // Before the checks below, which may refuse the file (a truncated one still has its UIDs).
    onIdentified?.(identityOfHeader(header));
    return {
      attributes: readInstanceAttributes(header, staged.size),
      metadata: ingestMetadata(header, staged.size),
    };
  } catch (error) {
    if (error instanceof DicomParseError) throw invalid(error.message, undefined, error);
    throw error;
  }
}

async function indexStaged(
  deps: ArchiveRuntime,
  ctx: RequestContext,
  staged: StagedBlob,
  attributes: InstanceAttributes,
  metadata: string | undefined,
): Promise<StoreResult> {
  const { blobs, settings } = deps;
  // The duplicate check happens inside the index transaction, where it cannot race; a duplicate's bytes
  // are then dropped again (or kept, when they are the stored copy's).
  await blobs.commit(staged, { fsync: settings.fsync });
  try {
    return await indexCommitted(deps, ctx, staged, attributes, metadata);
  } finally {
    await blobs.settle();
  }
}

async function indexCommitted(
  deps: ArchiveRuntime,
  ctx: RequestContext,
  staged: StagedBlob,
  attributes: InstanceAttributes,
  metadata: string | undefined,
): Promise<StoreResult> {
  const { settings } = deps;
  const now = nowIso();
  const receivedFrom = ctx.origin.callingAeTitle ?? ctx.origin.door;
  try {
    const outcome = await deps.indexWriter.run(async (trx) => {
      const current = await findInstanceBySopUid(trx, attributes.instance.sopInstanceUid);
      if (current && settings.duplicatePolicy !== 'replace') return 'duplicate' as const;
      const place = await placeInHierarchy(trx, deps, attributes, now);
      const row = {
        ...place,
        attributes: attributes.instance,
        now,
        receivedFrom,
        blobKey: staged.key,
        size: staged.size,
        headerPatient: headerDemographicsKey(attributes.patient),
      };
      if (current) {
        await replaceInstance(trx, current.id, row);
      } else {
        await insertInstance(trx, row);
        await countNewInstance(trx, place, now);
      }
      if (metadata !== undefined) await insertMetadata(trx, staged.key, metadata);
      await publishEvent(trx, {
        type: 'instance.stored',
        subject: attributes.study.studyInstanceUid,
        payload: {
          sopInstanceUid: attributes.instance.sopInstanceUid,
          seriesInstanceUid: attributes.series.seriesInstanceUid,
          replaced: current !== undefined,
        },
      });
      await recordAudit(trx, ctx, {
        ...auditEntry(attributes),
        detail: { size: staged.size, replaced: !!current },
      });
      return { place, replaced: current };
    });
    if (outcome === 'duplicate') return refuseDuplicate(deps, ctx, staged, attributes);
    const { place, replaced } = outcome;
    if (metadata === undefined)
      deps.metadataWarmer?.stored({
        blobKey: staged.key,
        size: staged.size,
        pixelDataOffset: attributes.instance.pixelDataOffset ?? null,
      });
    deps.hierarchy.remember(attributes.series.seriesInstanceUid, {
      studyInstanceUid: attributes.study.studyInstanceUid,
      studyRef: place.studyRef,
      seriesRef: place.seriesRef,
    });
    if (replaced && replaced.blobKey !== staged.key) await removeIfUnreferenced(deps, replaced.blobKey);
    return result(replaced ? 'replaced' : 'stored', attributes, staged.size);
  } catch (error) {
    // The bytes are durable but unindexed: remove them unless an identical file is indexed already.
    await removeIfUnreferenced(deps, staged.key);
    throw error;
  }
}

/** Patient, study and series rows for an instance: from the cache for a known series, else looked up or made. */
async function placeInHierarchy(
  trx: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  deps: ArchiveRuntime,
  attributes: InstanceAttributes,
  now: string,
): Promise<{ studyRef: number; seriesRef: number; seriesCreated: boolean }> {
  const known = deps.hierarchy.get(attributes.series.seriesInstanceUid, attributes.study.studyInstanceUid);
  if (known) return { studyRef: known.studyRef, seriesRef: known.seriesRef, seriesCreated: false };
  const patientRef = await reconcilePatient(trx, attributes.patient);
  const studyRef = await upsertStudy(trx, patientRef, attributes.study, now);
  const series = await upsertSeries(trx, studyRef, attributes.series, now);
  return { studyRef, seriesRef: series.id, seriesCreated: series.created };
}

/** A second copy of a stored SOP Instance UID: reported, or refused under the `reject` policy. */
async function refuseDuplicate(
  deps: ArchiveRuntime,
  ctx: RequestContext,
  staged: StagedBlob,
  attributes: InstanceAttributes,
): Promise<StoreResult> {
  await removeIfUnreferenced(deps, staged.key);
  const uid = attributes.instance.sopInstanceUid;
  if (deps.settings.duplicatePolicy === 'reject') {
    throw new LanternError('duplicate', `SOP Instance ${uid} is already stored`, { sopInstanceUid: uid });
  }
  await deps.indexWriter.run((trx) =>
    recordAudit(trx, ctx, { ...auditEntry(attributes), detail: { duplicate: true, kept: 'first' } }),
  );
  return result('duplicate', attributes, staged.size);
}

async function removeIfUnreferenced(deps: ArchiveRuntime, blobKey: string): Promise<void> {
  if (!(await isBlobReferenced(deps.database.kysely, blobKey))) {
    await deps.blobs.remove(blobKey as Parameters<typeof deps.blobs.remove>[0]);
  }
}

function auditEntry(attributes: InstanceAttributes | undefined) {
  return {
    action: 'instance.store',
    patientId: attributes?.patient.patientId,
    studyInstanceUid: attributes?.study.studyInstanceUid,
  };
}

function result(outcome: StoreOutcome, attributes: InstanceAttributes, size: number): StoreResult {
  return {
    outcome,
    sopInstanceUid: attributes.instance.sopInstanceUid,
    sopClassUid: attributes.instance.sopClassUid,
    studyInstanceUid: attributes.study.studyInstanceUid,
    seriesInstanceUid: attributes.series.seriesInstanceUid,
    size,
  };
}
