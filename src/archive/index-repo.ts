import { preparedQuery, sql, type Kysely } from '../platform/db/index.js';
import type { PatientKey } from '../patients/index.js';
import type { InstanceAttributes } from './instance-attributes.js';
import type { ArchiveTables } from './tables.js';

// All writes to the archive's index tables. Every function runs inside the ingest transaction.
type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tables = (executor: Executor) => executor as Kysely<ArchiveTables>;

export interface StoredInstanceRow {
  id: number;
  blobKey: string;
  studyRef: number;
  seriesRef: number;
}

// The statements every instance runs are prepared once (preparedQuery); the rest are built when needed.
const selectInstanceBySopUid = preparedQuery<'sopInstanceUid'>((db, param) =>
  tables(db)
    .selectFrom('instance')
    .select(['id', 'blob_key', 'study_ref', 'series_ref'])
    .where('sop_instance_uid', '=', param('sopInstanceUid')),
);

export async function findInstanceBySopUid(
  executor: Executor,
  sopInstanceUid: string,
): Promise<StoredInstanceRow | undefined> {
  const { rows } = await selectInstanceBySopUid(executor, { sopInstanceUid });
  const row = rows[0] as ArchiveTables['instance'] | undefined;
  return row && { id: row.id!, blobKey: row.blob_key, studyRef: row.study_ref, seriesRef: row.series_ref };
}

/** The study row, created from this instance's attributes on first sight (first instance wins). */
export async function upsertStudy(
  executor: Executor,
  patientRef: PatientKey,
  study: InstanceAttributes['study'],
  now: string,
): Promise<number> {
  const db = tables(executor);
  await db
    .insertInto('study')
    .values({
      study_instance_uid: study.studyInstanceUid,
      patient_ref: patientRef,
      study_date: study.studyDate ?? null,
      study_time: study.studyTime ?? null,
      accession_number: study.accessionNumber ?? null,
      study_id: study.studyId ?? null,
      study_description: study.studyDescription ?? null,
      referring_physician_name: study.referringPhysicianName ?? null,
      institution_name: study.institutionName ?? null,
      modalities_in_study: '',
      num_series: 0,
      num_instances: 0,
      created_at: now,
      last_received_at: now,
    })
    .onConflict((oc) => oc.column('study_instance_uid').doNothing())
    .execute();
  const row = await db
    .selectFrom('study')
    .select('id')
    .where('study_instance_uid', '=', study.studyInstanceUid)
    .executeTakeFirstOrThrow();
  return row.id!;
}

/** The series row; `created` tells the caller to refresh the study's series count and modalities. */
export async function upsertSeries(
  executor: Executor,
  studyRef: number,
  series: InstanceAttributes['series'],
  now: string,
): Promise<{ id: number; created: boolean }> {
  const db = tables(executor);
  const inserted = await db
    .insertInto('series')
    .values({
      series_instance_uid: series.seriesInstanceUid,
      study_ref: studyRef,
      modality: series.modality ?? null,
      series_number: series.seriesNumber ?? null,
      series_description: series.seriesDescription ?? null,
      body_part_examined: series.bodyPartExamined ?? null,
      series_date: series.seriesDate ?? null,
      series_time: series.seriesTime ?? null,
      station_name: series.stationName ?? null,
      performed_procedure_step_start_date: series.performedProcedureStepStartDate ?? null,
      num_instances: 0,
      last_received_at: now,
    })
    .onConflict((oc) => oc.column('series_instance_uid').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id!, created: true };
  const row = await db
    .selectFrom('series')
    .select('id')
    .where('series_instance_uid', '=', series.seriesInstanceUid)
    .executeTakeFirstOrThrow();
  return { id: row.id!, created: false };
}

export interface NewInstance {
  seriesRef: number;
  studyRef: number;
  attributes: InstanceAttributes['instance'];
  blobKey: string;
  size: number;
  receivedFrom: string;
  now: string;
  /** The header's patient identity (headerDemographicsKey), so retrieve knows when it matches the patient. */
  headerPatient: string;
}

const INSTANCE_COLUMNS = [
  'sop_instance_uid',
  'sop_class_uid',
  'series_ref',
  'study_ref',
  'instance_number',
  'transfer_syntax_uid',
  'rows',
  'columns',
  'number_of_frames',
  'content_date',
  'content_time',
  'blob_key',
  'size',
  'pixel_data_offset',
  'dataset_offset',
  'received_at',
  'received_from',
  'header_patient',
] as const;
type InstanceColumn = (typeof INSTANCE_COLUMNS)[number];

const insertInstanceRow = preparedQuery<InstanceColumn>((db, param) =>
  tables(db)
    .insertInto('instance')
    .values(Object.fromEntries(INSTANCE_COLUMNS.map((column) => [column, param(column)])) as never),
);

export async function insertInstance(executor: Executor, instance: NewInstance): Promise<void> {
  await insertInstanceRow(executor, {
    sop_instance_uid: instance.attributes.sopInstanceUid,
    series_ref: instance.seriesRef,
    study_ref: instance.studyRef,
    ...storedColumns(instance),
  });
}

/** What an instance's stored bytes and header say: set on insert, and again when the instance is replaced. */
function storedColumns(instance: NewInstance) {
  const a = instance.attributes;
  return {
    sop_class_uid: a.sopClassUid,
    instance_number: a.instanceNumber ?? null,
    transfer_syntax_uid: a.transferSyntaxUid,
    rows: a.rows ?? null,
    columns: a.columns ?? null,
    number_of_frames: a.numberOfFrames ?? null,
    content_date: a.contentDate ?? null,
    content_time: a.contentTime ?? null,
    blob_key: instance.blobKey,
    size: instance.size,
    pixel_data_offset: a.pixelDataOffset ?? null,
    dataset_offset: a.datasetOffset,
    received_at: instance.now,
    received_from: instance.receivedFrom,
    header_patient: instance.headerPatient,
  };
}

/** A replaced instance keeps its place in the hierarchy; only its stored bytes and header facts change. */
export async function replaceInstance(executor: Executor, id: number, instance: NewInstance): Promise<void> {
  await tables(executor).updateTable('instance').set(storedColumns(instance)).where('id', '=', id).execute();
}

const countSeriesInstance = preparedQuery<'now' | 'id'>((db, param) =>
  tables(db)
    .updateTable('series')
    .set({ num_instances: sql`num_instances + 1`, last_received_at: param('now') })
    .where('id', '=', param('id') as never),
);

const countStudyInstance = preparedQuery<'now' | 'id'>((db, param) =>
  tables(db)
    .updateTable('study')
    .set({ num_instances: sql`num_instances + 1`, last_received_at: param('now') })
    .where('id', '=', param('id') as never),
);

/** Keeps the derived counts (PS3.4 C.3.4 "Number of … Related …") and Modalities in Study current. */
export async function countNewInstance(
  executor: Executor,
  refs: { studyRef: number; seriesRef: number; seriesCreated: boolean },
  now: string,
): Promise<void> {
  const db = tables(executor);
  await countSeriesInstance(executor, { now, id: refs.seriesRef });
  if (refs.seriesCreated) {
    const modalities = await db
      .selectFrom('series')
      .select('modality')
      .distinct()
      .where('study_ref', '=', refs.studyRef)
      .where('modality', 'is not', null)
      .orderBy('modality')
      .execute();
    await db
      .updateTable('study')
      .set((eb) => ({
        num_series: eb('num_series', '+', 1),
        modalities_in_study: modalities.map((m) => m.modality).join('\\'),
      }))
      .where('id', '=', refs.studyRef)
      .execute();
  }
  await countStudyInstance(executor, { now, id: refs.studyRef });
}

/** Whether any instance still points at these bytes (identical files share one blob). */
export async function isBlobReferenced(executor: Executor, blobKey: string): Promise<boolean> {
  const row = await tables(executor)
    .selectFrom('instance')
    .select('id')
    .where('blob_key', '=', blobKey)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
