import type { Kysely } from '../platform/db/index.js';
import { notFound } from '../platform/errors.js';
import { parsePatientKey } from './patient-identity.js';
import { loadPatient } from './patient-repo.js';
import type { Patient } from './patient.js';

/** The patient a door names, or not-found (also for ids that cannot be a key). */
export async function requirePatient(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  id: string | number,
): Promise<Patient> {
  const key = parsePatientKey(id);
  const patient = key === undefined ? undefined : await loadPatient(executor, key);
  if (!patient) throw notFound('patient', String(id));
  return patient;
}
