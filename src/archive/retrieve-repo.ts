import type { Database, Kysely } from '../platform/db/index.js';
import type { ArchiveTables } from './tables.js';
import type { PatientTables } from '../patients/index.js';

export interface InstanceLocation {
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  patientId: string;
  size: number;
  datasetOffset: number;
  blobKey: string;
  pixelDataOffset: number | null;
  /** The current identity of the patient the study belongs to (after updates and merges). */
  issuerOfPatientId: string;
  patientName: string | null;
  birthDate: string | null;
  sex: string | null;
  /** The stored header's identity (headerDemographicsKey), recorded at ingest; null for older files. */
  headerPatient: string | null;
}

export interface InstanceSelector {
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
}

/** Stored instances under a study, series or single SOP Instance UID, in series and instance order. */
export async function findInstanceLocations(
  database: Database,
  selector: InstanceSelector,
): Promise<InstanceLocation[]> {
  let query = (database.kysely as Kysely<ArchiveTables & PatientTables>)
    .selectFrom('instance')
    .innerJoin('series', 'series.id', 'instance.series_ref')
    .innerJoin('study', 'study.id', 'instance.study_ref')
    .innerJoin('patient', 'patient.id', 'study.patient_ref')
    .select([
      'instance.sop_instance_uid as sopInstanceUid',
      'instance.sop_class_uid as sopClassUid',
      'instance.transfer_syntax_uid as transferSyntaxUid',
      'series.series_instance_uid as seriesInstanceUid',
      'study.study_instance_uid as studyInstanceUid',
      'patient.patient_id as patientId',
      'instance.size as size',
      'instance.dataset_offset as datasetOffset',
      'instance.blob_key as blobKey',
      'instance.pixel_data_offset as pixelDataOffset',
      'patient.issuer_of_patient_id as issuerOfPatientId',
      'patient.patient_name as patientName',
      'patient.birth_date as birthDate',
      'patient.sex as sex',
      'instance.header_patient as headerPatient',
    ]);
  if (selector.studyInstanceUid)
    query = query.where('study.study_instance_uid', '=', selector.studyInstanceUid);
  if (selector.seriesInstanceUid)
    query = query.where('series.series_instance_uid', '=', selector.seriesInstanceUid);
  if (selector.sopInstanceUid) query = query.where('instance.sop_instance_uid', '=', selector.sopInstanceUid);
  return query
    .orderBy('series.series_number')
    .orderBy('series.id')
    .orderBy('instance.instance_number')
    .orderBy('instance.id')
    .execute();
}

/** One page of (id, SOP Instance UID, blob key), in id order, for walks over the whole index. */
export async function pageInstanceBlobs(database: Database, afterId: number, limit: number) {
  return (database.kysely as Kysely<ArchiveTables>)
    .selectFrom('instance')
    .select(['id', 'sop_instance_uid as sopInstanceUid', 'blob_key as blobKey', 'size'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Which of these blob keys the index refers to. */
export async function indexedBlobKeys(database: Database, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await (database.kysely as Kysely<ArchiveTables>)
    .selectFrom('instance')
    .select('blob_key')
    .distinct()
    .where('blob_key', 'in', keys)
    .execute();
  return new Set(rows.map((r) => r.blob_key));
}

/**
 * Records the header identity of files stored before ingest recorded it (migration 0014), learnt when a
 * retrieve read their headers, so later retrieves need not read them. Only rows still without one, and only
 * while they still refer to the same file.
 */
export async function recordHeaderPatients(
  database: Database,
  rows: { sopInstanceUid: string; blobKey: string; headerPatient: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await (database.kysely as Kysely<ArchiveTables>).transaction().execute(async (trx) => {
    for (const row of rows) {
      await trx
        .updateTable('instance')
        .set({ header_patient: row.headerPatient })
        .where('sop_instance_uid', '=', row.sopInstanceUid)
        .where('blob_key', '=', row.blobKey)
        .where('header_patient', 'is', null)
        .execute();
    }
  });
}
