import type { Kysely } from '../platform/db/index.js';
import { normalizePersonName, type PatientIdentity, type PatientKey } from './patient-identity.js';
import {
  fillMissingDemographics,
  findIngestPatient,
  findIngestPatientByKey,
  insertPatient,
} from './patient-repo.js';

/**
 * The patient an arriving instance belongs to, created on first sight. Runs inside the caller's
 * transaction (the ingest transaction), so a patient exists exactly when one of their instances does.
 * A known patient keeps the demographics already recorded: the archive applies current demographics on
 * the way out instead of trusting each modality's copy. An identity merged into another patient resolves
 * to the survivor (a modality with a stale worklist keeps sending the old Patient ID), as IHE PAM expects.
 * One statement for a known, unmerged patient: this is on the ingest path of every new series.
 */
export async function reconcilePatient(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  identity: PatientIdentity,
): Promise<PatientKey> {
  const normalized = { ...identity, patientName: normalizePersonName(identity.patientName) };
  let existing = await findIngestPatient(executor, normalized.patientId, normalized.issuerOfPatientId);
  if (existing === undefined) return insertPatient(executor, normalized);
  // Merges never form cycles (a merged patient cannot be a survivor), so this ends.
  while (existing.mergedInto !== null) existing = await findIngestPatientByKey(executor, existing.mergedInto);
  await fillMissingDemographics(executor, existing, normalized);
  return existing.id;
}
