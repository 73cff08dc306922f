import type { Kysely, Transaction } from '../platform/db/index.js';
import { nowIso } from '../platform/db/index.js';
import type { OrderId } from './ids.js';
import type { MppsTables } from './mpps-tables.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

type Executor = Kysely<RisTables & MppsTables> | Transaction<RisTables & MppsTables>;
const on = (db: RisExecutor) => db as unknown as Executor;

export type PerformedStepRow = MppsTables['performed_procedure_step'];

export async function findPerformedStep(db: RisExecutor, sopInstanceUid: string) {
  return on(db)
    .selectFrom('performed_procedure_step')
    .selectAll()
    .where('sop_instance_uid', '=', sopInstanceUid)
    .executeTakeFirst();
}

export async function insertPerformedStep(
  db: RisExecutor,
  row: Omit<PerformedStepRow, 'id' | 'created_at' | 'updated_at'>,
): Promise<number> {
  const now = nowIso();
  const inserted = await on(db)
    .insertInto('performed_procedure_step')
    .values({ ...row, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(inserted.id);
}

export async function updatePerformedStep(
  db: RisExecutor,
  id: number,
  change: Pick<PerformedStepRow, 'status' | 'end_date' | 'end_time' | 'attributes'>,
): Promise<void> {
  await on(db)
    .updateTable('performed_procedure_step')
    .set({ ...change, updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
}

export async function linkPerformedStep(db: RisExecutor, ppsRef: number, orderRef: number): Promise<void> {
  await on(db)
    .insertInto('performed_step_order')
    .values({ pps_ref: ppsRef, order_ref: orderRef })
    .onConflict((oc) => oc.columns(['pps_ref', 'order_ref']).doNothing())
    .execute();
}

export async function ordersOfPerformedStep(db: RisExecutor, ppsRef: number): Promise<OrderId[]> {
  const rows = await on(db)
    .selectFrom('performed_step_order')
    .select('order_ref')
    .where('pps_ref', '=', ppsRef)
    .orderBy('order_ref')
    .execute();
  return rows.map((r) => Number(r.order_ref) as OrderId);
}

/** The statuses of every MPPS of an order but one. */
export async function otherStepStatuses(
  db: RisExecutor,
  orderRef: number,
  exceptPps: number,
): Promise<string[]> {
  const rows = await on(db)
    .selectFrom('performed_step_order as l')
    .innerJoin('performed_procedure_step as p', 'p.id', 'l.pps_ref')
    .select('p.status')
    .where('l.order_ref', '=', orderRef)
    .where('l.pps_ref', '!=', exceptPps)
    .execute();
  return rows.map((r) => r.status);
}

/** MPPS of an order, oldest first. */
export async function performedStepsOfOrder(db: RisExecutor, orderRef: number): Promise<PerformedStepRow[]> {
  return on(db)
    .selectFrom('performed_procedure_step as p')
    .innerJoin('performed_step_order as l', 'l.pps_ref', 'p.id')
    .selectAll('p')
    .where('l.order_ref', '=', orderRef)
    .orderBy('p.id')
    .execute();
}

/** MPPS of a study that no order was found for (unscheduled, or scheduled elsewhere): to reconcile. */
export async function unlinkedStepsOfStudy(db: RisExecutor, studyInstanceUid: string): Promise<number[]> {
  const rows = await on(db)
    .selectFrom('performed_procedure_step as p')
    .select('p.id')
    .where('p.study_instance_uid', '=', studyInstanceUid)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('performed_step_order as l').select('l.id').whereRef('l.pps_ref', '=', 'p.id'),
        ),
      ),
    )
    .execute();
  return rows.map((r) => Number(r.id));
}

export async function orderIdByAccession(db: RisExecutor, accessionNumber: string) {
  const row = await on(db)
    .selectFrom('imaging_order')
    .select('id')
    .where('accession_number', '=', accessionNumber)
    .executeTakeFirst();
  return row ? (Number(row.id) as OrderId) : undefined;
}

export async function orderIdByStudyUid(db: RisExecutor, studyInstanceUid: string) {
  const row = await on(db)
    .selectFrom('imaging_order')
    .select('id')
    .where('study_instance_uid', '=', studyInstanceUid)
    .executeTakeFirst();
  return row ? (Number(row.id) as OrderId) : undefined;
}
