import type { Database } from '../platform/db/index.js';
import type { PatientReachResolver } from '../platform/security/index.js';
import type { MergeParticipant } from './merge-participant.js';

export interface PatientsDeps {
  database: Database;
  /** Everything that follows a merge, studies first (see merge-participant.ts). */
  participants: readonly MergeParticipant[];
  /** Which patients a request may read (a referring physician: those of his orders; the RIS resolves it). */
  patientReach: PatientReachResolver;
}
