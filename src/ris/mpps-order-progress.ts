import type { RequestContext } from '../platform/context.js';
import { conflict, notFound } from '../platform/errors.js';
import type { OrderId } from './ids.js';
import { findOrderStatus } from './order-repo.js';
import type { OrderStatus } from './order-status.js';
import { applyOrderTransition, type TransitionResult } from './order-transition.js';
import type { RisExecutor } from './ris-transaction.js';

/** Where the exam goes when the modality (MPPS) or the images (study stable) say it happened. */
export type ExamProgress = 'in-progress' | 'completed' | 'discontinued';

// The steps the state machine (order-status.ts) requires to reach each target from before the exam.
const PATHS: Record<ExamProgress, Partial<Record<OrderStatus, OrderStatus[]>>> = {
  'in-progress': {
    ordered: ['arrived', 'in-progress'],
    scheduled: ['arrived', 'in-progress'],
    arrived: ['in-progress'],
  },
  completed: {
    ordered: ['arrived', 'in-progress', 'completed'],
    scheduled: ['arrived', 'in-progress', 'completed'],
    arrived: ['in-progress', 'completed'],
    'in-progress': ['completed'],
  },
  discontinued: { 'in-progress': ['discontinued'] },
};

/**
 * Moves an order forward to `target` through every state the machine requires (scheduled → arrived →
 * in-progress …), each with its history row and event. An order already there or beyond stays as it is;
 * a cancelled order cannot be performed (conflict). Runs in the caller's transaction.
 */
export async function progressOrder(
  db: RisExecutor,
  ctx: RequestContext,
  orderId: OrderId,
  target: ExamProgress,
  reason: string,
): Promise<TransitionResult[]> {
  const current = await findOrderStatus(db, orderId);
  if (!current) throw notFound('order', String(orderId));
  if (current.status === 'cancelled' && target !== 'discontinued') {
    throw conflict(`order ${current.accession_number} is cancelled; it cannot be performed`, {
      current: current.status,
      requested: target,
    });
  }
  const steps = PATHS[target][current.status] ?? [];
  const results: TransitionResult[] = [];
  for (const to of steps) results.push(await applyOrderTransition(db, ctx, orderId, to, reason));
  return results;
}
