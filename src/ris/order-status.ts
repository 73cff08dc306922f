import { conflict, invalid } from '../platform/errors.js';

/** The life of an imaging order, from request to signed (and possibly amended) report. */
export const ORDER_STATUSES = [
  'ordered',
  'scheduled',
  'arrived',
  'in-progress',
  'completed',
  'preliminary',
  'final',
  'amended',
  'cancelled',
  'discontinued',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Every allowed transition. Cancelled is for orders that never started (up to arrival); once the modality
 * has begun (in-progress) the exam can only be discontinued, as MPPS does (PS3.4 F.7.2.2 DISCONTINUED).
 * - scheduled → ordered: the booking was cancelled; the order waits for a new one.
 * - ordered → arrived: a walk-in, examined without a booking.
 * - completed → final: a report signed without a preliminary one.
 * - amended → amended: a further addendum to an amended report.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  ordered: ['scheduled', 'arrived', 'cancelled'],
  scheduled: ['ordered', 'arrived', 'cancelled'],
  arrived: ['in-progress', 'cancelled'],
  'in-progress': ['completed', 'discontinued'],
  completed: ['preliminary', 'final'],
  preliminary: ['final'],
  final: ['amended'],
  amended: ['amended'],
  cancelled: [],
  discontinued: [],
};

/**
 * The statuses a report sets (reports.ts: signing preliminary or final, signing an amendment). They say a
 * report exists and who signed it, so no other path may set them: `orders.transition` refuses them.
 */
export const REPORT_STATUSES: readonly OrderStatus[] = ['preliminary', 'final', 'amended'];

export function isReportStatus(status: OrderStatus): boolean {
  return REPORT_STATUSES.includes(status);
}

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

export function parseOrderStatus(value: string): OrderStatus {
  if (!isOrderStatus(value)) {
    throw invalid(`unknown order status '${value}' (known: ${ORDER_STATUSES.join(', ')})`);
  }
  return value;
}

export function allowedTransitions(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a conflict that names the current state and what it could become instead. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  throw conflict(
    `order is ${from}; it cannot become ${to} (allowed from ${from}: ${allowed.length ? allowed.join(', ') : 'none'})`,
    { current: from, requested: to, allowed: [...allowed] },
  );
}

/** Scheduled Procedure Step Status (0040,0020) for the worklist, PS3.3 C.4.10 defined terms. */
export function stepStatusFor(status: OrderStatus): string {
  switch (status) {
    case 'ordered':
    case 'scheduled':
      return 'SCHEDULED';
    case 'arrived':
      return 'ARRIVED';
    case 'in-progress':
      return 'STARTED';
    case 'cancelled':
      return 'CANCELED';
    case 'discontinued':
      return 'DISCONTINUED';
    default:
      return 'COMPLETED';
  }
}
