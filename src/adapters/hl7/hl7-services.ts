import type { Hl7Message } from '../../lib/hl7v2/index.js';
import type { Patient, Patients } from '../../patients/index.js';
import type { RequestContext } from '../../platform/context.js';
import type { Ris } from '../../ris/index.js';
import type { CxIdentifier } from './pid-demographics.js';

/** The domain services the HL7 handlers call. */
export interface Hl7Services {
  patients: Patients;
  ris: Ris;
}

/** Handles one stored message; resolves with a line for the message log ('patient 12 updated'). */
export type Hl7Handler = (ctx: RequestContext, message: Hl7Message, services: Hl7Services) => Promise<string>;

/** The patient whose Patient ID and issuer are exactly this identifier (merged ones only when asked). */
export async function findPatient(
  ctx: RequestContext,
  patients: Patients,
  id: CxIdentifier,
  includeMerged = false,
): Promise<Patient | undefined> {
  const { patients: found } = await patients.search(ctx, {
    identifier: `${id.issuer}|${id.value}`,
    includeMerged: String(includeMerged),
    limit: '10',
  });
  return found.find((p) => p.patientId === id.value && p.issuerOfPatientId === id.issuer);
}
