/** A patient as an image or message names them: Patient ID within its issuer, plus demographics. */
export interface PatientIdentity {
  /** Patient ID (0010,0020); empty when the sender gave none. */
  patientId: string;
  /** Issuer of Patient ID (0010,0021); empty when unknown. */
  issuerOfPatientId: string;
  patientName?: string;
  birthDate?: string;
  sex?: string;
}

/**
 * Database key of a patient row: not a Patient ID. The REST API uses it as the patient's resource id
 * (`/api/patients/{id}`), because Patient IDs change (update, merge) and are unique only within an issuer.
 */
export type PatientKey = number & { readonly __brand: 'PatientKey' };

/**
 * Person Name as stored for matching: trailing empty components and groups removed, so that
 * 'Doe^John^^^' and 'Doe^John' are the same name (PS3.5 6.2: trailing delimiters are insignificant).
 */
export function normalizePersonName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const groups = name.split('=').map((group) => group.replace(/[\^ ]+$/, ''));
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
  const joined = groups.join('=');
  return joined === '' ? undefined : joined;
}

/** The key a door names a patient by (`/api/patients/{id}`); anything else names no patient. */
export function parsePatientKey(id: string | number): PatientKey | undefined {
  const text = String(id).trim();
  if (!/^[1-9]\d{0,15}$/.test(text)) return undefined;
  return Number(text) as PatientKey;
}
