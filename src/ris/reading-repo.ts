import { nowIso, sql } from '../platform/db/index.js';
import { reachCondition } from '../platform/security/index.js';
import type { OrderId } from './ids.js';
import type { ReadingClaim } from './reading-claim.js';
import type { ReadingWorklistPlan } from './reading-worklist.js';
import type { ReportDb } from './report-tables.js';

/** Order statuses whose exams wait for a (final) report. */
export const AWAITING_REPORT = ['completed', 'preliminary'] as const;

// STAT first, then URGENT, then ROUTINE; unknown values last.
const priorityRank = sql<number>`case o.priority when 'STAT' then 0 when 'URGENT' then 1 when 'ROUTINE' then 2 else 3 end`;

function worklistQuery(db: ReportDb, plan: ReadingWorklistPlan) {
  const completed = db
    .selectFrom('order_status_history')
    .select((eb) => ['order_ref', eb.fn.max('occurred_at').as('completed_at')])
    .where('to_status', '=', 'completed')
    .groupBy('order_ref')
    .as('c');
  let query = db
    .selectFrom('imaging_order as o')
    .innerJoin(completed, 'c.order_ref', 'o.id')
    .innerJoin('procedure_code as p', 'p.id', 'o.procedure_ref')
    // Read-only join of the patients module's table, as the Modality Worklist does: names for the reader.
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .leftJoin('reading_state as r', 'r.order_ref', 'o.id')
    .where('o.status', 'in', plan.statuses);
  const reachable = plan.reach && reachCondition('o.patient_ref', plan.reach);
  if (reachable) query = query.where(reachable);
  if (plan.modalities) query = query.where('p.modality', 'in', plan.modalities);
  if (plan.priorities) query = query.where('o.priority', 'in', plan.priorities);
  if (plan.patientRef !== undefined) query = query.where('o.patient_ref', '=', plan.patientRef);
  if (plan.completedBefore) query = query.where('c.completed_at', '<=', plan.completedBefore);
  if (plan.completedAfter) query = query.where('c.completed_at', '>=', plan.completedAfter);
  return query;
}

export async function countWorklist(db: ReportDb, plan: ReadingWorklistPlan): Promise<number> {
  const row = await worklistQuery(db, plan)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page, most urgent first, then longest waiting. */
export async function listWorklist(db: ReportDb, plan: ReadingWorklistPlan) {
  return worklistQuery(db, plan)
    .select([
      'o.id',
      'o.accession_number',
      'o.study_instance_uid',
      'o.status',
      'o.priority',
      'o.patient_ref',
      'pt.patient_id',
      'pt.issuer_of_patient_id',
      'pt.patient_name',
      'p.code',
      'p.coding_scheme',
      'p.meaning',
      'p.modality',
      'p.body_part',
      'c.completed_at',
      'r.claimed_by',
      'r.claimed_at',
      'r.claim_expires_at',
      'r.ai_flag',
    ])
    .orderBy(priorityRank)
    .orderBy('c.completed_at')
    .orderBy('o.id')
    .limit(plan.limit)
    .offset(plan.offset)
    .execute();
}

export async function findReadingState(db: ReportDb, orderRef: OrderId) {
  return db.selectFrom('reading_state').selectAll().where('order_ref', '=', orderRef).executeTakeFirst();
}

/**
 * Takes the claim unless another actor holds an unexpired one: one statement, so two readers claiming at
 * once on PostgreSQL cannot both win. Returns false when the other claim stands.
 */
export async function tryClaim(db: ReportDb, orderRef: OrderId, claim: ReadingClaim, now: string) {
  const row = await db
    .insertInto('reading_state')
    .values({
      order_ref: orderRef,
      claimed_by: claim.by,
      claimed_at: claim.at,
      claim_expires_at: claim.expiresAt,
      ai_flag: null,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column('order_ref')
        .doUpdateSet({
          claimed_by: claim.by,
          claimed_at: claim.at,
          claim_expires_at: claim.expiresAt,
          updated_at: now,
        })
        .where((eb) =>
          eb.or([
            eb('reading_state.claimed_by', 'is', null),
            eb('reading_state.claimed_by', '=', claim.by),
            eb('reading_state.claim_expires_at', '<=', now),
          ]),
        ),
    )
    .returning('order_ref')
    .executeTakeFirst();
  return row !== undefined;
}

export async function clearClaim(db: ReportDb, orderRef: OrderId) {
  await db
    .updateTable('reading_state')
    .set({ claimed_by: null, claimed_at: null, claim_expires_at: null, updated_at: nowIso() })
    .where('order_ref', '=', orderRef)
    .execute();
}
