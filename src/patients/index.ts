export { reconcilePatient } from './reconcile-patient.js';
export { normalizePersonName, type PatientIdentity, type PatientKey } from './patient-identity.js';
export type { PatientTables } from './tables.js';
