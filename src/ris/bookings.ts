import type { RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import {
  cancelBookingRow,
  findActiveBookingOfOrder,
  findBooking,
  insertBooking,
  moveBooking,
  overlappingBookings,
  type Booking,
} from './booking-repo.js';
import type { BookingId, OrderId, ResourceId } from './ids.js';
import { localTime, withinOpeningHours } from './opening-hours.js';
import type { Order } from './order.js';
import { auditOfOrders } from './order-audit.js';
import { loadOrders, updateStepSchedule } from './order-repo.js';
import { parseInstant } from './order-search.js';
import { applyOrderTransition } from './order-transition.js';
import type { Resource } from './resource.js';
import { findResource, lockResource } from './resource-repo.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, type RisExecutor } from './ris-transaction.js';

export interface BookingRequest {
  orderId: number;
  resourceId: number;
  /** ISO 8601 date-time with offset; the end follows from the procedure's duration. */
  start: string;
}

export interface RescheduleRequest {
  start: string;
  /** Another resource of the same modality; default: the booking's own. */
  resourceId?: number;
}

async function orderOf(db: RisExecutor, id: number): Promise<Order> {
  const [order] = await loadOrders(db, [id]);
  if (!order) throw notFound('order', String(id));
  return order;
}

/** Locks and loads the resources in id order (two reschedules crossing resources cannot deadlock). */
async function lockResources(db: RisExecutor, ids: number[]): Promise<Map<number, Resource>> {
  const found = new Map<number, Resource>();
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const resource = (await lockResource(db, id)) ? await findResource(db, id) : undefined;
    if (!resource) throw notFound('resource', String(id));
    found.set(id, resource);
  }
  return found;
}

/**
 * The interval an order takes on a resource from `start`, checked against the resource's modality, its
 * opening hours and the other bookings on it (all but `exceptBooking`).
 */
async function checkedInterval(
  db: RisExecutor,
  order: Order,
  resource: Resource,
  start: string,
  exceptBooking?: BookingId,
) {
  if (resource.modality !== order.procedure.modality) {
    throw invalid(
      `${order.procedure.meaning} is a ${order.procedure.modality} procedure; ${resource.name} is ${resource.modality}`,
    );
  }
  const startsAt = parseInstant('start', start);
  const minutes = order.procedure.durationMinutes;
  if (!withinOpeningHours(resource.openingHours, resource.timeZone, startsAt, minutes)) {
    const local = localTime(startsAt, resource.timeZone);
    const hh = String(Math.floor(local.minutes / 60)).padStart(2, '0');
    const mm = String(Math.floor(local.minutes % 60)).padStart(2, '0');
    throw invalid(
      `${minutes} minutes from ${local.date} ${hh}:${mm} (${resource.timeZone}) is outside the opening hours of ${resource.name}`,
    );
  }
  const interval = {
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + minutes * 60_000).toISOString(),
  };
  const overlaps = await overlappingBookings(
    db,
    resource.id,
    interval.startsAt,
    interval.endsAt,
    exceptBooking,
  );
  if (overlaps.length > 0) {
    const taken = overlaps.map((b) => `booking ${b.id} ${b.startsAt}–${b.endsAt}`).join(', ');
    throw conflict(
      `${resource.name} is already booked from ${interval.startsAt} to ${interval.endsAt}: ${taken}`,
      {
        overlapping: overlaps.map((b) => b.id),
      },
    );
  }
  return interval;
}

/** Puts the booking's place and time on the order's worklist steps. */
function scheduleSteps(
  db: RisExecutor,
  orderId: OrderId,
  resource: Resource,
  booking: Omit<Booking, 'status' | 'orderId' | 'createdAt' | 'updatedAt'>,
) {
  return updateStepSchedule(db, orderId, {
    resourceRef: resource.id,
    bookingRef: booking.id,
    stationAeTitle: resource.aeTitle,
    stationName: resource.stationName,
    start: booking.startsAt,
    end: booking.endsAt,
  });
}

async function activeBooking(db: RisExecutor, id: BookingId) {
  const booking = await findBooking(db, id);
  if (!booking) throw notFound('booking', String(id));
  if (booking.status !== 'booked')
    throw conflict(`booking ${id} is ${booking.status}`, { current: booking.status });
  const order = await orderOf(db, booking.orderId);
  if (order.status !== 'scheduled') {
    throw conflict(`order is ${order.status}; its booking can no longer be changed`, {
      current: order.status,
    });
  }
  return { booking, order };
}

const bookingEvent = (type: string, booking: Booking, order: Order) => ({
  type,
  subject: order.accessionNumber,
  payload: {
    bookingId: booking.id,
    orderId: order.id,
    accessionNumber: order.accessionNumber,
    resourceId: booking.resourceId,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
  },
});

/** The booking and its order's patient and exam. */
async function bookingAudit(booking: Booking, db: RisExecutor) {
  const naming = await auditOfOrders(db, [booking.orderId]);
  return {
    ...naming,
    detail: {
      ...naming.detail,
      bookingId: booking.id,
      orderId: booking.orderId,
      resourceId: booking.resourceId,
      startsAt: booking.startsAt,
    },
  };
}

/** Bookings: an order on a resource at a time. Booking schedules the order; cancelling unschedules it. */
export function createBookings(deps: RisDeps) {
  return {
    get: (ctx: RequestContext, id: BookingId) =>
      auditedRead(
        deps,
        ctx,
        { action: 'booking.read', detail: { bookingId: id } },
        async (db) => {
          const booking = await findBooking(db, id);
          if (!booking) throw notFound('booking', String(id));
          return booking;
        },
        bookingAudit,
      ),

    /** Books an ordered order: the order becomes scheduled and its worklist step gets station and time. */
    book: (ctx: RequestContext, request: BookingRequest): Promise<Booking> =>
      auditedChange(
        deps,
        ctx,
        { action: 'booking.create', detail: { ...request } },
        async (trx) => {
          const resource = (await lockResources(trx, [request.resourceId])).get(request.resourceId)!;
          const order = await orderOf(trx, request.orderId);
          const existing = await findActiveBookingOfOrder(trx, order.id);
          if (existing) {
            throw conflict(
              `order ${order.id} is already booked (booking ${existing.id}); reschedule that booking`,
              {
                current: order.status,
              },
            );
          }
          if (order.status !== 'ordered') {
            throw conflict(`order is ${order.status}; only an ordered order can be booked`, {
              current: order.status,
            });
          }
          const interval = await checkedInterval(trx, order, resource, request.start);
          const id = await insertBooking(trx, { orderRef: order.id, resourceRef: resource.id, ...interval });
          const booking = (await findBooking(trx, id))!;
          await applyOrderTransition(
            trx,
            ctx,
            order.id,
            'scheduled',
            `booked on ${resource.name} at ${interval.startsAt}`,
          );
          await scheduleSteps(trx, order.id, resource, booking);
          await publishEvent(trx, bookingEvent('booking.created', booking, order));
          return booking;
        },
        bookingAudit,
      ),

    /** Moves a booking to another time (and, optionally, another resource of the modality). */
    reschedule: (ctx: RequestContext, id: BookingId, request: RescheduleRequest): Promise<Booking> =>
      auditedChange(
        deps,
        ctx,
        { action: 'booking.reschedule', detail: { bookingId: id, ...request } },
        async (trx) => {
          const before = await findBooking(trx, id);
          if (!before) throw notFound('booking', String(id));
          const resourceId = (request.resourceId ?? before.resourceId) as ResourceId;
          const resource = (await lockResources(trx, [before.resourceId, resourceId])).get(resourceId)!;
          const { order } = await activeBooking(trx, id);
          const interval = await checkedInterval(trx, order, resource, request.start, id);
          await moveBooking(trx, id, { resourceRef: resource.id, ...interval });
          const booking = (await findBooking(trx, id))!;
          await scheduleSteps(trx, order.id, resource, booking);
          await publishEvent(trx, bookingEvent('booking.rescheduled', booking, order));
          return booking;
        },
        bookingAudit,
      ),

    /** Frees the slot; the order goes back to ordered, its worklist step loses station and time. */
    cancel: (ctx: RequestContext, id: BookingId, reason?: string): Promise<Booking> =>
      auditedChange(
        deps,
        ctx,
        { action: 'booking.cancel', detail: { bookingId: id, reason } },
        async (trx) => {
          const { booking, order } = await activeBooking(trx, id);
          await cancelBookingRow(trx, id);
          await applyOrderTransition(trx, ctx, order.id, 'ordered', reason?.trim() || 'booking cancelled');
          await updateStepSchedule(trx, order.id, {
            resourceRef: null,
            bookingRef: null,
            stationAeTitle: null,
            stationName: null,
            start: null,
            end: null,
          });
          const cancelled = { ...booking, status: 'cancelled' as const };
          await publishEvent(trx, bookingEvent('booking.cancelled', cancelled, order));
          return (await findBooking(trx, id))!;
        },
        bookingAudit,
      ),
  };
}

export type Bookings = ReturnType<typeof createBookings>;
