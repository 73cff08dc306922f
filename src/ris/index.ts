import type { RequestContext } from '../platform/context.js';
import type { Kysely } from '../platform/db/index.js';
import { createBookings } from './bookings.js';
import type { OrderId } from './ids.js';
import { applyOrderTransition } from './order-transition.js';
import type { OrderStatus } from './order-status.js';
import { createOrders } from './orders.js';
import { createProcedureCatalogue } from './procedure-catalogue.js';
import { createResources } from './resources.js';
import type { RisDeps } from './ris-deps.js';

export type { RisDeps } from './ris-deps.js';
export type { BookingId, OrderId, ProcedureId, ResourceId } from './ids.js';
export type { Booking, BookingStatus } from './booking-repo.js';
export type { BookingRequest, RescheduleRequest } from './bookings.js';
export {
  PRIORITIES,
  type Order,
  type OrderHistoryEntry,
  type OrderInput,
  type Priority,
  type ScheduledStep,
} from './order.js';
export {
  ORDER_STATUSES,
  allowedTransitions,
  canTransition,
  parseOrderStatus,
  type OrderStatus,
} from './order-status.js';
export type { OrderSearch } from './order-search.js';
export type { TransitionResult } from './order-transition.js';
export type { OpeningHours } from './opening-hours.js';
export type { ChargeCode, Procedure, ProcedureInput } from './procedure.js';
export type { Resource, ResourceInput } from './resource.js';
export type { SlotRequest } from './resources.js';
export type { Slot } from './slots.js';
export type { RisTables } from './tables.js';
export { orderMergeParticipant } from './order-merge.js';
export { DEFAULT_PROCEDURES } from './default-procedures.js';

/** The RIS's services, bound to their dependencies. Every door calls these and nothing below them. */
export function createRis(deps: RisDeps) {
  return {
    procedures: createProcedureCatalogue(deps),
    orders: createOrders(deps),
    resources: createResources(deps),
    bookings: createBookings(deps),
    /**
     * For RIS services that change an order's status as part of their own change (MPPS, reports): applies
     * the transition inside the caller's transaction `trx` with history, worklist step status and event;
     * the caller writes the audit record. Doors use `orders.transition` instead.
     */
    applyOrderTransition: (
      trx: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
      ctx: RequestContext,
      orderId: OrderId,
      to: OrderStatus,
      reason: string | null,
    ) => applyOrderTransition(trx, ctx, orderId, to, reason),
  };
}

export type Ris = ReturnType<typeof createRis>;
