import { reachCondition, type ReachablePatients } from '../platform/security/index.js';
import type { OrderStatus } from './order-status.js';
import type { RisExecutor } from './ris-transaction.js';

/** An order search as SQL sees it: instants are ISO UTC text, ranges half-open [from, to). */
export interface OrderSearchPlan {
  statuses?: OrderStatus[];
  patientRef?: number;
  accessionNumber?: string;
  ordered?: { from?: string; to?: string };
  scheduled?: { from?: string; to?: string };
  updated?: { from?: string; to?: string };
  /** The page's order (ties broken by id); newest placed first when not given. */
  order?: { column: 'o.created_at' | 'o.updated_at'; descending: boolean }[];
  limit: number;
  offset: number;
  /** The patients the caller may see (a referring physician's); all when left out. */
  reach?: ReachablePatients;
}

/** Matching order ids (newest first unless ordered otherwise, one page) and the total over every page. */
export async function searchOrderIds(db: RisExecutor, plan: OrderSearchPlan) {
  let query = db.selectFrom('imaging_order as o');
  const reachable = plan.reach && reachCondition('o.patient_ref', plan.reach);
  if (reachable) query = query.where(reachable);
  if (plan.statuses?.length) query = query.where('o.status', 'in', plan.statuses);
  if (plan.patientRef !== undefined) query = query.where('o.patient_ref', '=', plan.patientRef);
  if (plan.accessionNumber !== undefined)
    query = query.where('o.accession_number', '=', plan.accessionNumber);
  if (plan.ordered?.from) query = query.where('o.created_at', '>=', plan.ordered.from);
  if (plan.ordered?.to) query = query.where('o.created_at', '<', plan.ordered.to);
  if (plan.updated?.from) query = query.where('o.updated_at', '>=', plan.updated.from);
  if (plan.updated?.to) query = query.where('o.updated_at', '<', plan.updated.to);
  const scheduled = plan.scheduled;
  if (scheduled?.from || scheduled?.to) {
    query = query.where('o.id', 'in', (eb) => {
      let steps = eb.selectFrom('scheduled_procedure_step as s').select('s.order_ref');
      if (scheduled.from) steps = steps.where('s.scheduled_start', '>=', scheduled.from);
      if (scheduled.to) steps = steps.where('s.scheduled_start', '<', scheduled.to);
      return steps;
    });
  }
  const [{ total }] = (await query.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [
    { total: number },
  ];
  const order = plan.order ?? [{ column: 'o.created_at' as const, descending: true }];
  let page = query.select('o.id');
  for (const { column, descending } of order) page = page.orderBy(column, descending ? 'desc' : 'asc');
  const rows = await page
    .orderBy('o.id', order[order.length - 1]!.descending ? 'desc' : 'asc')
    .limit(plan.limit)
    .offset(plan.offset)
    .execute();
  return { total: Number(total), ids: rows.map((r) => r.id!) };
}
