import type { Kysely } from '../platform/db/index.js';
import type { MergeParticipant } from '../patients/index.js';
import type { RisTables } from './tables.js';

/**
 * Orders follow a patient merge (and go back on unmerge): the patients module calls these inside the
 * merge's transaction, as for the archive's studies. app.ts hands it to createPatients, since patients/
 * may not import ris/.
 */
export const orderMergeParticipant: MergeParticipant = {
  kind: 'order',
  async move(trx, from, to) {
    const db = trx as Kysely<RisTables>;
    const rows = await db.selectFrom('imaging_order').select('id').where('patient_ref', '=', from).execute();
    const ids = rows.map((r) => r.id!);
    if (ids.length > 0)
      await db.updateTable('imaging_order').set({ patient_ref: to }).where('id', 'in', ids).execute();
    return ids;
  },
  async restore(trx, keys, from, to) {
    if (keys.length === 0) return;
    await (trx as Kysely<RisTables>)
      .updateTable('imaging_order')
      .set({ patient_ref: to })
      .where('id', 'in', keys)
      .where('patient_ref', '=', from)
      .execute();
  },
};
