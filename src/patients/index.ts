import type { RequestContext } from '../platform/context.js';
import type { Database } from '../platform/db/index.js';
import {
  authorizedService,
  reachWithoutReferrals,
  type PatientReachResolver,
} from '../platform/security/index.js';
import type { MergeParticipant } from './merge-participant.js';
import { mergePatients, unmergePatient } from './merge-patients.js';
import type { PatientSearch } from './patient-search.js';
import { readPatient, searchPatients } from './read-patients.js';
import { registerPatient } from './register-patient.js';
import { registerOrUpdatePatient } from './register-or-update-patient.js';
import { studyLinks } from './study-links-repo.js';
import { updatePatient, type PatientUpdateOptions } from './update-patient.js';

export { reconcilePatient } from './reconcile-patient.js';
export {
  normalizePersonName,
  parsePatientKey,
  type PatientIdentity,
  type PatientKey,
} from './patient-identity.js';
export type { MergeParticipant } from './merge-participant.js';
export type { MergeOutcome, MergeRequest } from './merge-patients.js';
export type { PatientName } from './patient-name.js';
export type { OtherIdentifier, Patient } from './patient.js';
export type { PatientSearch } from './patient-search.js';
export { DEFAULT_PATIENT_LIMIT, MAX_PATIENT_LIMIT } from './patient-search.js';
export type { PatientSearchResult } from './read-patients.js';
export type { PatientUpdateOptions } from './update-patient.js';
export type { RegisterOrUpdateOutcome } from './register-or-update-patient.js';
export type { PatientTables } from './tables.js';

/**
 * The patient services, bound to their dependencies. `participants` are the modules above patients/ whose
 * rows follow a merge (the RIS's orders and reports); the archive's studies always do. `patientReach` tells
 * reads which patients a request may see (app.ts hands in the RIS's; without it a limited caller sees none).
 * Every operation is authorized here (PERMISSIONS below), whatever door calls it.
 */
export function createPatients(
  database: Database,
  options: { participants?: readonly MergeParticipant[]; patientReach?: PatientReachResolver } = {},
) {
  const deps = {
    database,
    participants: [studyLinks, ...(options.participants ?? [])],
    patientReach: options.patientReach ?? reachWithoutReferrals,
  };
  const operations = {
    register: (ctx: RequestContext, input: unknown) => registerPatient(deps, ctx, input),
    /** Registers the patient of the input's Patient ID and issuer, or patches it: a feed's upsert (HL7 ADT). */
    registerOrUpdate: (ctx: RequestContext, input: unknown) => registerOrUpdatePatient(deps, ctx, input),
    read: (ctx: RequestContext, id: string) => readPatient(deps, ctx, id),
    search: (ctx: RequestContext, search: PatientSearch) => searchPatients(deps, ctx, search),
    /** `replace`: a whole registration (PUT); `patch`: only the fields given, null clears (PATCH). */
    update: (
      ctx: RequestContext,
      id: string,
      input: unknown,
      mode: 'replace' | 'patch',
      options?: PatientUpdateOptions,
    ) => updatePatient(deps, ctx, id, input, mode, options),
    /** `{ into }`: patient `id` is merged into another; `{ from }`: another is merged into `id`. */
    merge: (ctx: RequestContext, id: string, request: unknown) => mergePatients(deps, ctx, id, request),
    /** Undoes the active merge of patient `id` (the patient merged away). */
    unmerge: (ctx: RequestContext, id: string) => unmergePatient(deps, ctx, id),
  };
  return authorizedService(database, 'patients', operations, PERMISSIONS);
}

/** What each operation needs (platform/security/permissions.ts). */
const PERMISSIONS = {
  register: 'patient.write',
  registerOrUpdate: 'patient.write',
  read: 'patient.read',
  search: 'patient.read',
  update: 'patient.write',
  merge: 'patient.write',
  // Administrators only: the desk and the HL7 feed merge, but an unmerge splits records again.
  unmerge: 'patient.unmerge',
} as const;

export type Patients = ReturnType<typeof createPatients>;
