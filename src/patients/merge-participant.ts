import type { Kysely } from '../platform/db/index.js';
import type { PatientKey } from './patient-identity.js';

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A module whose rows belong to a patient and must follow a merge: the archive's studies (built in, see
 * study-links-repo.ts), later the RIS's orders and reports. Modules above patients/ hand theirs to
 * createPatients from the composition root, as the dependency rules require. Both functions run inside
 * the merge's transaction, so the move, the merge record, the event and the audit record commit together.
 */
export interface MergeParticipant {
  /** The kind of row in the merge record (`patient_merge_item.kind`): 'study', 'order', 'report' … */
  kind: string;
  /** Re-points every row of `from` to `to`; returns the keys of the rows it moved. */
  move(trx: Executor, from: PatientKey, to: PatientKey): Promise<number[]>;
  /** Puts exactly these rows (moved by this merge) back from `from` on `to`. */
  restore(trx: Executor, keys: number[], from: PatientKey, to: PatientKey): Promise<void>;
}
