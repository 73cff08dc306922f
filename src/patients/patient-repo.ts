import type { Kysely } from '../platform/db/index.js';
import { nowIso } from '../platform/db/index.js';
import type { PatientIdentity, PatientKey } from './patient-identity.js';
import type { PatientTables } from './tables.js';

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tables = (executor: Executor) => executor as Kysely<PatientTables>;

export async function findPatientKey(executor: Executor, patientId: string, issuer: string) {
  const row = await tables(executor)
    .selectFrom('patient')
    .select('id')
    .where('patient_id', '=', patientId)
    .where('issuer_of_patient_id', '=', issuer)
    .executeTakeFirst();
  return row?.id as PatientKey | undefined;
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
  key: PatientKey,
  identity: PatientIdentity,
) {
  const db = tables(executor);
  const current = await db
    .selectFrom('patient')
    .select(['patient_name', 'birth_date', 'sex'])
    .where('id', '=', key)
    .executeTakeFirstOrThrow();
  const changes: Partial<PatientTables['patient']> = {};
  if (current.patient_name === null && identity.patientName) changes.patient_name = identity.patientName;
  if (current.birth_date === null && identity.birthDate) changes.birth_date = identity.birthDate;
  if (current.sex === null && identity.sex) changes.sex = identity.sex;
  if (Object.keys(changes).length === 0) return;
  await db
    .updateTable('patient')
    .set({ ...changes, updated_at: nowIso() })
    .where('id', '=', key)
    .execute();
}
