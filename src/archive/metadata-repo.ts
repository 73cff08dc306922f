import { preparedQuery, type Database, type Kysely } from '../platform/db/index.js';
import type { PatientTables } from '../patients/index.js';
import { findInstanceLocations, type InstanceSelector } from './retrieve-repo.js';
import type { ArchiveTables } from './tables.js';

type Tables = ArchiveTables & PatientTables;

/** A stored instance with what reading its header and bulk data needs. */
export interface StoredInstance {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  transferSyntaxUid: string;
  patientId: string;
  blobKey: string;
  size: number;
  pixelDataOffset: number | null;
}

/** Stored instances under a study, series or SOP instance (every UID given must match), in series order. */
export async function findStoredInstances(
  database: Database,
  selector: InstanceSelector,
): Promise<StoredInstance[]> {
  const locations = await findInstanceLocations(database, selector);
  // PostgreSQL returns bigint columns as strings.
  return locations.map((l) => ({
    sopInstanceUid: l.sopInstanceUid,
    seriesInstanceUid: l.seriesInstanceUid,
    studyInstanceUid: l.studyInstanceUid,
    transferSyntaxUid: l.transferSyntaxUid,
    patientId: l.patientId,
    blobKey: l.blobKey,
    size: Number(l.size),
    pixelDataOffset: l.pixelDataOffset === null ? null : Number(l.pixelDataOffset),
  }));
}

/**
 * Version of the metadata JSON a file produces. A cached row is keyed by it and the file's content hash
 * ('2:<hash>'), so when the JSON of the same bytes changes (a decoding fix), raising this makes every row
 * of the old version unused: it is recomputed on the next request. Version 1 rows were keyed by the bare
 * hash. 2: group lengths left out, UN sequences decoded, elements after encapsulated pixel data.
 */
export const METADATA_VERSION = 2;

const cacheKey = (blobKey: string) => `${METADATA_VERSION}:${blobKey}`;

/** The cached metadata JSON of these files, by blob key (missing keys have none yet). */
export async function cachedMetadata(database: Database, blobKeys: string[]): Promise<Map<string, string>> {
  if (blobKeys.length === 0) return new Map();
  const byCacheKey = new Map(blobKeys.map((key) => [cacheKey(key), key]));
  const rows = await (database.kysely as Kysely<Tables>)
    .selectFrom('instance_metadata')
    .select(['blob_key', 'json'])
    .where('blob_key', 'in', [...byCacheKey.keys()])
    .execute();
  return new Map(rows.map((row) => [byCacheKey.get(row.blob_key)!, row.json]));
}

/** Caches metadata JSON; a concurrent request that cached the same file first wins (same bytes, same JSON). */
export async function saveMetadata(
  database: Database,
  entries: { blobKey: string; json: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  await (database.kysely as Kysely<Tables>)
    .insertInto('instance_metadata')
    .values(entries.map((e) => ({ blob_key: cacheKey(e.blobKey), json: e.json })))
    .onConflict((oc) => oc.column('blob_key').doNothing())
    .execute();
}

const insertMetadataRow = preparedQuery<'blobKey' | 'json'>((db, param) =>
  (db as Kysely<Tables>)
    .insertInto('instance_metadata')
    .values({ blob_key: param('blobKey'), json: param('json') })
    .onConflict((oc) => oc.column('blob_key').doNothing()),
);

/** Caches one file's metadata inside the ingest transaction that indexes it. */
export async function insertMetadata(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  blobKey: string,
  json: string,
): Promise<void> {
  await insertMetadataRow(executor, { blobKey: cacheKey(blobKey), json });
}
