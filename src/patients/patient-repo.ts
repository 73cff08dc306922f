import type { Kysely } from '../platform/db/index.js';
import { nowIso, preparedQuery } from '../platform/db/index.js';
import type { PatientDraft } from './patient-input.js';
import type { PatientIdentity, PatientKey } from './patient-identity.js';
import { patientNameFromDicom } from './patient-name.js';
import type { OtherIdentifier, Patient } from './patient.js';
import type { PatientTables } from './tables.js';

// All SQL on the patient and patient_identifier tables.
type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tables = (executor: Executor) => executor as Kysely<PatientTables>;
type PatientRow = PatientTables['patient'];

export async function findPatientKey(executor: Executor, patientId: string, issuer: string) {
  const row = await tables(executor)
    .selectFrom('patient')
    .select('id')
    .where('patient_id', '=', patientId)
    .where('issuer_of_patient_id', '=', issuer)
    .executeTakeFirst();
  return row?.id as PatientKey | undefined;
}

/** What ingest needs of a patient, in one statement: key, merge link and the demographics it may fill. */
export interface IngestPatientRow {
  id: PatientKey;
  mergedInto: PatientKey | null;
  patientName: string | null;
  birthDate: string | null;
  sex: string | null;
}

const INGEST_COLUMNS = [
  'id',
  'merged_into as mergedInto',
  'patient_name as patientName',
  'birth_date as birthDate',
  'sex',
] as const;

export async function findIngestPatient(executor: Executor, patientId: string, issuer: string) {
  return (await tables(executor)
    .selectFrom('patient')
    .select(INGEST_COLUMNS)
    .where('patient_id', '=', patientId)
    .where('issuer_of_patient_id', '=', issuer)
    .executeTakeFirst()) as IngestPatientRow | undefined;
}

export async function findIngestPatientByKey(executor: Executor, key: PatientKey) {
  return (await tables(executor)
    .selectFrom('patient')
    .select(INGEST_COLUMNS)
    .where('id', '=', key)
    .executeTakeFirstOrThrow()) as IngestPatientRow;
}

/** Inserts the patient, or finds the row that a concurrent transaction inserted first. */
export async function insertPatient(executor: Executor, identity: PatientIdentity): Promise<PatientKey> {
  const now = nowIso();
  await tables(executor)
    .insertInto('patient')
    .values({
      patient_id: identity.patientId,
      issuer_of_patient_id: identity.issuerOfPatientId,
      patient_name: identity.patientName ?? null,
      birth_date: identity.birthDate ?? null,
      sex: identity.sex ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['patient_id', 'issuer_of_patient_id']).doNothing())
    .execute();
  const key = await findPatientKey(executor, identity.patientId, identity.issuerOfPatientId);
  if (key === undefined) throw new Error('patient row vanished after insert');
  return key;
}

/** Fills demographics the stored patient lacks; never overwrites what is already known. */
export async function fillMissingDemographics(
  executor: Executor,
  current: IngestPatientRow,
  identity: PatientIdentity,
) {
  const changes: Partial<PatientRow> = {};
  if (current.patientName === null && identity.patientName) changes.patient_name = identity.patientName;
  if (current.birthDate === null && identity.birthDate) changes.birth_date = identity.birthDate;
  if (current.sex === null && identity.sex) changes.sex = identity.sex;
  if (Object.keys(changes).length === 0) return;
  await tables(executor)
    .updateTable('patient')
    .set({ ...changes, updated_at: nowIso() })
    .where('id', '=', current.id)
    .execute();
}

// The statements an HL7 ADT message runs to find or register its patient, compiled once per dialect
// (platform/db's preparedQuery): one message each, hundreds a second.
const patientByIdentity = preparedQuery<'patientId' | 'issuer', PatientRow>((db, param) =>
  tables(db)
    .selectFrom('patient')
    .selectAll()
    .where('patient_id', '=', param('patientId'))
    .where('issuer_of_patient_id', '=', param('issuer')),
);

const otherIdsOf = preparedQuery<'key', PatientTables['patient_identifier']>((db, param) =>
  tables(db)
    .selectFrom('patient_identifier')
    .selectAll()
    .where('patient_ref', '=', param('key') as never)
    .orderBy('id'),
);

type NewPatientRow = Required<Omit<PatientRow, 'id' | 'merged_into'>>;
const NEW_PATIENT_COLUMNS = [
  'patient_id',
  'issuer_of_patient_id',
  'patient_name',
  'birth_date',
  'sex',
  'address',
  'phone',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof NewPatientRow)[];
const insertPatientRow = preparedQuery<keyof NewPatientRow, { id: number }>((db, param) =>
  tables(db)
    .insertInto('patient')
    .values(Object.fromEntries(NEW_PATIENT_COLUMNS.map((c) => [c, param(c)])) as NewPatientRow)
    .returning('id'),
);

/** The patient whose Patient ID and issuer these are, merged or not, with its other identifiers. */
export async function findPatientByIdentity(
  executor: Executor,
  patientId: string,
  issuer: string,
): Promise<Patient | undefined> {
  const [row] = (await patientByIdentity(executor, { patientId, issuer })).rows;
  if (row === undefined) return undefined;
  return toPatient(row, (await otherIdsOf(executor, { key: row.id })).rows);
}

/** Inserts a whole registration and answers the patient as stored, without reading it back. */
export async function insertPatientDraft(executor: Executor, draft: PatientDraft): Promise<Patient> {
  const now = nowIso();
  const row: NewPatientRow = { ...columnsOf(draft), created_at: now, updated_at: now };
  const [inserted] = (await insertPatientRow(executor, row)).rows;
  const key = inserted!.id as PatientKey;
  const otherIds = draft.otherIds.map((id) => ({ patient_ref: key, ...id }));
  if (otherIds.length > 0) await tables(executor).insertInto('patient_identifier').values(otherIds).execute();
  return toPatient({ ...row, id: key, merged_into: null }, otherIds);
}

export async function updatePatientRow(
  executor: Executor,
  key: PatientKey,
  draft: Partial<PatientDraft>,
  now = nowIso(),
) {
  await tables(executor)
    .updateTable('patient')
    .set({ ...draftColumns(draft), updated_at: now })
    .where('id', '=', key)
    .execute();
}

/** A draft's fields as patient columns. */
function columnsOf(draft: PatientDraft): Omit<NewPatientRow, 'created_at' | 'updated_at'>;
function columnsOf(draft: Partial<PatientDraft>): Partial<PatientRow>;
function columnsOf(draft: Partial<PatientDraft>): Partial<PatientRow> {
  return {
    patient_id: draft.patientId,
    issuer_of_patient_id: draft.issuerOfPatientId,
    patient_name: draft.patientName,
    birth_date: draft.birthDate,
    sex: draft.sex,
    address: draft.address,
    phone: draft.phone,
  };
}

/** The columns a draft sets: undefined fields are left out, so a patch changes only what it names. */
function draftColumns(draft: Partial<PatientDraft>): Partial<PatientRow> {
  return Object.fromEntries(Object.entries(columnsOf(draft)).filter(([, v]) => v !== undefined));
}

export async function replaceOtherIds(executor: Executor, key: PatientKey, ids: OtherIdentifier[]) {
  const db = tables(executor);
  await db.deleteFrom('patient_identifier').where('patient_ref', '=', key).execute();
  if (ids.length === 0) return;
  await db
    .insertInto('patient_identifier')
    .values(ids.map((id) => ({ patient_ref: key, value: id.value, issuer: id.issuer, type: id.type })))
    .execute();
}

/** The first of these identifiers that a patient other than `except` already holds. */
export async function findOtherIdHolder(executor: Executor, ids: OtherIdentifier[], except?: PatientKey) {
  for (const id of ids) {
    let query = tables(executor)
      .selectFrom('patient_identifier')
      .select('patient_ref')
      .where('issuer', '=', id.issuer)
      .where('type', '=', id.type)
      .where('value', '=', id.value);
    if (except !== undefined) query = query.where('patient_ref', '!=', except);
    const row = await query.executeTakeFirst();
    if (row) return { identifier: id, holder: row.patient_ref as PatientKey };
  }
  return undefined;
}

/** Patients by key, with their other identifiers, in the order asked. */
export async function loadPatients(executor: Executor, keys: PatientKey[]): Promise<Patient[]> {
  if (keys.length === 0) return [];
  const db = tables(executor);
  const rows = await db.selectFrom('patient').selectAll().where('id', 'in', keys).execute();
  const ids = await db
    .selectFrom('patient_identifier')
    .selectAll()
    .where('patient_ref', 'in', keys)
    .orderBy('id')
    .execute();
  const byKey = new Map(rows.map((row) => [row.id!, row]));
  return keys
    .filter((key) => byKey.has(key))
    .map((key) =>
      toPatient(
        byKey.get(key)!,
        ids.filter((id) => id.patient_ref === key),
      ),
    );
}

export async function loadPatient(executor: Executor, key: PatientKey): Promise<Patient | undefined> {
  return (await loadPatients(executor, [key]))[0];
}

function toPatient(row: PatientRow, ids: PatientTables['patient_identifier'][]): Patient {
  return {
    id: row.id as PatientKey,
    patientId: row.patient_id,
    issuerOfPatientId: row.issuer_of_patient_id,
    ...(row.patient_name ? { name: patientNameFromDicom(row.patient_name) } : {}),
    ...(row.birth_date ? { birthDate: row.birth_date } : {}),
    ...(row.sex ? { sex: row.sex } : {}),
    ...(row.address ? { address: row.address } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
    otherIds: ids.map((id) => ({ value: id.value, issuer: id.issuer, type: id.type })),
    ...(row.merged_into ? { mergedInto: row.merged_into as PatientKey } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
