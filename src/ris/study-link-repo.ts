import type { PatientTables } from '../patients/index.js';
import type { Kysely, Transaction } from '../platform/db/index.js';
import { nowIso, sql } from '../platform/db/index.js';
import type { OrderId } from './ids.js';
import type { MppsTables } from './mpps-tables.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

type Executor =
  Kysely<RisTables & MppsTables & PatientTables> | Transaction<RisTables & MppsTables & PatientTables>;
const on = (db: RisExecutor) => db as unknown as Executor;

/** Notes that instances of these studies arrived (latest time per study); older news changes nothing. */
export async function recordArrivals(db: RisExecutor, latest: ReadonlyMap<string, string>): Promise<void> {
  for (const [studyInstanceUid, receivedAt] of latest) {
    await on(db)
      .insertInto('study_arrival')
      .values({ study_instance_uid: studyInstanceUid, last_received_at: receivedAt, stable_through: null })
      .onConflict((oc) =>
        oc.column('study_instance_uid').doUpdateSet({
          last_received_at: sql<string>`case when excluded.last_received_at > study_arrival.last_received_at
            then excluded.last_received_at else study_arrival.last_received_at end`,
        }),
      )
      .execute();
  }
}

/** Studies quiet since `cutoff` that have received instances since they were last declared stable. */
export async function dueStudies(db: RisExecutor, cutoff: string, limit: number) {
  return on(db)
    .selectFrom('study_arrival')
    .selectAll()
    .where('last_received_at', '<=', cutoff)
    .where((eb) =>
      eb.or([eb('stable_through', 'is', null), eb('stable_through', '<', eb.ref('last_received_at'))]),
    )
    .orderBy('last_received_at')
    .limit(limit)
    .execute();
}

/** Declares a study stable through `receivedAt`; false when a newer instance (or another node) came first. */
export async function markStable(
  db: RisExecutor,
  studyInstanceUid: string,
  receivedAt: string,
): Promise<boolean> {
  const result = await on(db)
    .updateTable('study_arrival')
    .set({ stable_through: receivedAt })
    .where('study_instance_uid', '=', studyInstanceUid)
    .where('last_received_at', '=', receivedAt)
    .where((eb) => eb.or([eb('stable_through', 'is', null), eb('stable_through', '<', receivedAt)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** An order as study linking needs it: its status and its patient's identity (patients' table, read-only). */
export async function orderForLinking(
  db: RisExecutor,
  by: { id?: number; accessionNumber?: string; studyInstanceUid?: string },
) {
  let query = on(db)
    .selectFrom('imaging_order as o')
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .select([
      'o.id',
      'o.status',
      'o.accession_number',
      'o.study_instance_uid',
      'pt.patient_id',
      'pt.issuer_of_patient_id',
    ]);
  if (by.id !== undefined) query = query.where('o.id', '=', by.id);
  else if (by.accessionNumber !== undefined)
    query = query.where('o.accession_number', '=', by.accessionNumber);
  else if (by.studyInstanceUid !== undefined)
    query = query.where('o.study_instance_uid', '=', by.studyInstanceUid);
  else return undefined;
  const row = await query.executeTakeFirst();
  return row && { ...row, id: Number(row.id) as OrderId };
}

export async function findStudyLink(db: RisExecutor, studyInstanceUid: string) {
  return on(db)
    .selectFrom('order_study')
    .selectAll()
    .where('study_instance_uid', '=', studyInstanceUid)
    .executeTakeFirst();
}

export async function insertStudyLink(
  db: RisExecutor,
  link: { orderRef: OrderId; studyInstanceUid: string; matchedBy: string; linkedBy: string },
): Promise<void> {
  await on(db)
    .insertInto('order_study')
    .values({
      order_ref: link.orderRef,
      study_instance_uid: link.studyInstanceUid,
      matched_by: link.matchedBy,
      linked_by: link.linkedBy,
      linked_at: nowIso(),
    })
    .execute();
}

/** The studies linked to an order, first linked first. */
export async function linkedStudiesOfOrder(db: RisExecutor, orderRef: number) {
  const rows = await on(db)
    .selectFrom('order_study')
    .selectAll()
    .where('order_ref', '=', orderRef)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    studyInstanceUid: r.study_instance_uid,
    matchedBy: r.matched_by,
    linkedBy: r.linked_by,
    linkedAt: r.linked_at,
  }));
}
