import type { Kysely } from '../platform/db/index.js';
import type { MergeParticipant } from './merge-participant.js';
import type { PatientKey } from './patient-identity.js';

// The one write patients/ makes outside its own tables: a study row's link to its patient
// (study.patient_ref, migration 0003-archive). patients/ may not import archive/, so the link is named here
// by its two columns only; stored files are never touched (the archive applies demographics on the way out).
interface StudyLinkTables {
  study: { id: number; patient_ref: number };
}

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tables = (executor: Executor) => executor as Kysely<StudyLinkTables>;

// Lists of keys go into IN clauses in slices, under every dialect's parameter limit.
const SLICE = 500;

export const studyLinks: MergeParticipant = {
  kind: 'study',

  async move(trx, from, to) {
    const rows = await tables(trx).selectFrom('study').select('id').where('patient_ref', '=', from).execute();
    await tables(trx).updateTable('study').set({ patient_ref: to }).where('patient_ref', '=', from).execute();
    return rows.map((row) => row.id);
  },

  async restore(trx, keys, from: PatientKey, to: PatientKey) {
    for (let i = 0; i < keys.length; i += SLICE) {
      await tables(trx)
        .updateTable('study')
        .set({ patient_ref: to })
        .where('id', 'in', keys.slice(i, i + SLICE))
        .where('patient_ref', '=', from)
        .execute();
    }
  },
};
