import type { Kysely } from '../platform/db/index.js';
import { normalizePersonName, type PatientIdentity, type PatientKey } from './patient-identity.js';
import { fillMissingDemographics, findPatientKey, insertPatient } from './patient-repo.js';

/**
 * The patient an arriving instance belongs to, created on first sight. Runs inside the caller's
 * transaction (the ingest transaction), so a patient exists exactly when one of their instances does.
 * A known patient keeps the demographics already recorded: the archive applies current demographics on
 * the way out instead of trusting each modality's copy.
 */
export async function reconcilePatient(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  identity: PatientIdentity,
): Promise<PatientKey> {
  const normalized = { ...identity, patientName: normalizePersonName(identity.patientName) };
  const existing = await findPatientKey(executor, normalized.patientId, normalized.issuerOfPatientId);
  if (existing !== undefined) {
    await fillMissingDemographics(executor, existing, normalized);
    return existing;
  }
  return insertPatient(executor, normalized);
}
