import type { Patient } from '../patients/index.js';
import type { RequestContext } from '../platform/context.js';
import type { Database } from '../platform/db/index.js';
import type { PatientReachResolver } from '../platform/security/index.js';

/** What the RIS services run on; built once by app.ts. */
export interface RisDeps {
  database: Database;
  /** The patients service: orders are placed only for a current (not merged-away) patient. */
  patients: { read(ctx: RequestContext, id: string): Promise<Patient> };
  /** The current time; tests pin it to make accession numbers and slots predictable. */
  now?: () => Date;
  /** The Modality Worklist lists arrived orders' steps too, not only scheduled ones (default true). */
  worklistIncludeArrived?: boolean;
  /** Which patients a request may read (patient-reach.ts); createRis makes one when not given. */
  patientReach?: PatientReachResolver;
}

export const currentTime = (deps: RisDeps): Date => deps.now?.() ?? new Date();
