import { nowIso } from '../platform/db/index.js';
import type { OrderId } from './ids.js';
import { copyCatalogueCharges, findCompletedAt } from './charge-repo.js';
import { reportDb } from './report-tables.js';
import type { RisExecutor } from './ris-transaction.js';

/**
 * Called by applyOrderTransition whenever an order becomes `completed`, inside that transaction: whoever
 * completes the exam (a user through the API, MPPS COMPLETED, a study linked to the order) gets the
 * order's charge lines, copied from the catalogue at that moment, without knowing about charges.
 */
export async function createChargesOnCompletion(db: RisExecutor, orderId: OrderId): Promise<void> {
  // The history row of this completion is written first: its time is the date of service.
  const serviceAt = (await findCompletedAt(reportDb(db), orderId)) ?? nowIso();
  await copyCatalogueCharges(db, orderId, serviceAt);
}
