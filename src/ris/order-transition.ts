import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { cancelActiveBookings } from './booking-repo.js';
import { createChargesOnCompletion } from './charge-on-completion.js';
import type { OrderId } from './ids.js';
import { findOrderStatus, insertHistory, updateOrderStatus, updateStepStatus } from './order-repo.js';
import { assertTransition, stepStatusFor, type OrderStatus } from './order-status.js';
import type { RisExecutor } from './ris-transaction.js';

export interface TransitionResult {
  orderId: OrderId;
  accessionNumber: string;
  studyInstanceUid: string;
  from: OrderStatus;
  to: OrderStatus;
}

/**
 * Moves an order to `to` inside the caller's transaction: checks the state machine, records the history
 * row, keeps the worklist step status in step, frees the booking of a cancelled order and publishes
 * `order.status-changed`. The caller writes the audit record (MPPS, reports and bookings audit their own
 * action). A refused transition throws a conflict naming the current state and changes nothing.
 */
export async function applyOrderTransition(
  db: RisExecutor,
  ctx: RequestContext,
  orderId: OrderId,
  to: OrderStatus,
  reason: string | null,
): Promise<TransitionResult> {
  const current = await findOrderStatus(db, orderId);
  if (!current) throw notFound('order', String(orderId));
  assertTransition(current.status, to);
  if (!(await updateOrderStatus(db, orderId, current.status, to))) {
    // Another transaction changed the order between our read and write (PostgreSQL, read committed).
    const now = await findOrderStatus(db, orderId);
    throw conflict(`order is ${now?.status ?? 'gone'}; it changed while becoming ${to}, try again`, {
      current: now?.status,
      requested: to,
    });
  }
  await insertHistory(db, {
    orderRef: orderId,
    from: current.status,
    to,
    actor: describeActor(ctx.actor),
    reason,
  });
  await updateStepStatus(db, orderId, stepStatusFor(to));
  // The slot of a cancelled order is free again; the step keeps where it was planned, as a record.
  if (to === 'cancelled') await cancelActiveBookings(db, orderId);
  // Every path to completion (API, MPPS, study linking) bills the exam: catalogue charges copied here.
  if (to === 'completed') await createChargesOnCompletion(db, orderId);
  const result = {
    orderId,
    accessionNumber: current.accession_number,
    studyInstanceUid: current.study_instance_uid,
    from: current.status,
    to,
  };
  await publishEvent(db, {
    type: 'order.status-changed',
    subject: current.accession_number,
    payload: { ...result, patientRef: current.patient_ref, reason },
  });
  return result;
}
