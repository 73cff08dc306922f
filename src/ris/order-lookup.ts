import type { RequestContext } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import { reachCondition } from '../platform/security/index.js';
import type { OrderId } from './ids.js';
import type { Order } from './order.js';
import { ordersLinkedTo } from './exam-study-repo.js';
import { auditOfLoadedOrders } from './order-audit.js';
import { loadOrders } from './order-repo.js';
import type { RisDeps } from './ris-deps.js';
import { auditedRead } from './ris-transaction.js';
import { reachOfCaller } from './patient-reach.js';

/** At most this many orders are looked up at once (one page of a door's search). */
export const MAX_ORDER_LOOKUP = 1000;

/**
 * Orders named by id, by accession number or by a study linked to them, e.g. those of a page of studies;
 * unknown ones are left out.
 */
export interface OrderLookup {
  ids?: readonly OrderId[];
  accessionNumbers?: readonly string[];
  /** Stored studies: the orders they are linked to (ImagingStudy.basedOn). */
  studyInstanceUids?: readonly string[];
}

/**
 * The orders of a whole page in one query and one audit record (not one each): a door that shows studies
 * with their orders, or resolves the orders a page points at. Both lists may be given; matches of either.
 * Orders of patients outside the caller's reach are left out like unknown ones.
 */
export function lookUpOrders(deps: RisDeps, ctx: RequestContext, lookup: OrderLookup): Promise<Order[]> {
  const ids = [...new Set(lookup.ids ?? [])];
  const accessionNumbers = [...new Set(lookup.accessionNumbers ?? [])];
  const studyInstanceUids = [...new Set(lookup.studyInstanceUids ?? [])];
  return auditedRead(
    deps,
    ctx,
    {
      action: 'order.lookup',
      detail: { ids, accessionNumbers, ...(studyInstanceUids.length ? { studyInstanceUids } : {}) },
    },
    async (db) => {
      if (ids.length + accessionNumbers.length + studyInstanceUids.length > MAX_ORDER_LOOKUP) {
        throw invalid(`at most ${MAX_ORDER_LOOKUP} orders are looked up at once`);
      }
      if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw invalid('order ids are positive');
      const byId = [...ids, ...(await ordersLinkedTo(db, studyInstanceUids))];
      if (byId.length + accessionNumbers.length === 0) return [];
      const reachable = reachCondition('patient_ref', await reachOfCaller(deps, ctx));
      let query = db.selectFrom('imaging_order').select('id');
      if (reachable) query = query.where(reachable);
      const rows = await query
        .where((eb) =>
          eb.or([
            ...(byId.length ? [eb('id', 'in', byId)] : []),
            ...(accessionNumbers.length ? [eb('accession_number', 'in', accessionNumbers)] : []),
          ]),
        )
        .execute();
      return loadOrders(
        db,
        rows.map((r) => r.id!),
      );
    },
    async (orders, db) => {
      const naming = await auditOfLoadedOrders(db, orders);
      return { ...naming, detail: { ...naming.detail, returned: orders.map((o) => o.id) } };
    },
  );
}
