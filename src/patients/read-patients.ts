import type { RequestContext } from '../platform/context.js';
import { notFound } from '../platform/errors.js';
import { auditPatients, reaches, recordAuditAlone, recordAuditFailure } from '../platform/security/index.js';
import { requirePatient } from './load-patient.js';
import { loadPatients } from './patient-repo.js';
import { planPatientSearch, type PatientSearch } from './patient-search.js';
import { searchPatientKeys } from './patient-search-repo.js';
import type { Patient } from './patient.js';
import type { PatientsDeps } from './patients-deps.js';

export async function readPatient(deps: PatientsDeps, ctx: RequestContext, id: string): Promise<Patient> {
  const audit = { action: 'patient.read', detail: { id } };
  try {
    const reach = await deps.patientReach(ctx);
    const patient = await requirePatient(deps.database.kysely, id);
    // Outside a referring physician's reach a patient is not there for him: the same answer as absent.
    if (!reaches(reach, patient.id)) throw notFound('patient', id);
    await recordAuditAlone(deps.database, ctx, { ...audit, patientId: patient.patientId });
    return patient;
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

export interface PatientSearchResult {
  /** Every match, for paging; `patients` is the page asked for. */
  total: number;
  patients: Patient[];
}

/**
 * Patients by name, identifier and birth date, within the caller's reach (counted in the total too); the
 * audit names every patient returned.
 */
export async function searchPatients(
  deps: PatientsDeps,
  ctx: RequestContext,
  search: PatientSearch,
): Promise<PatientSearchResult> {
  const audit = { action: 'patient.search', detail: { ...search } };
  try {
    const plan = { ...planPatientSearch(search), reach: await deps.patientReach(ctx) };
    const { total, keys } = await searchPatientKeys(deps.database, plan);
    const patients = await loadPatients(deps.database.kysely, keys);
    await recordAuditAlone(deps.database, ctx, {
      ...audit,
      ...auditPatients(patients.map((p) => p.patientId)),
      detail: { ...audit.detail, total, returned: patients.length },
    });
    return { total, patients };
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}
