import { nowIso } from '../platform/db/index.js';
import type { BookingId, OrderId, ResourceId } from './ids.js';
import type { RisExecutor } from './ris-transaction.js';

/** `booked` holds its slot; `cancelled` keeps the record and frees the slot. */
export type BookingStatus = 'booked' | 'cancelled';

export interface Booking {
  id: BookingId;
  orderId: OrderId;
  resourceId: ResourceId;
  startsAt: string;
  endsAt: string;
  status: BookingStatus;
  createdAt: string;
  updatedAt: string;
}

type Row = {
  id?: number;
  order_ref: number;
  resource_ref: number;
  starts_at: string;
  ends_at: string;
  status: string;
  created_at: string;
  updated_at: string;
};

const toBooking = (r: Row): Booking => ({
  id: r.id! as BookingId,
  orderId: r.order_ref as OrderId,
  resourceId: r.resource_ref as ResourceId,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  status: r.status as BookingStatus,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function findBooking(db: RisExecutor, id: number): Promise<Booking | undefined> {
  const row = await db.selectFrom('booking').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toBooking(row);
}

export async function findActiveBookingOfOrder(
  db: RisExecutor,
  orderRef: number,
): Promise<Booking | undefined> {
  const row = await db
    .selectFrom('booking')
    .selectAll()
    .where('order_ref', '=', orderRef)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return row && toBooking(row);
}

/** Active bookings of a resource that overlap [from, to) (ISO UTC text compares in time order). */
export async function overlappingBookings(
  db: RisExecutor,
  resourceRef: number,
  from: string,
  to: string,
  exceptId?: number,
): Promise<Booking[]> {
  let query = db
    .selectFrom('booking')
    .selectAll()
    .where('resource_ref', '=', resourceRef)
    .where('status', '=', 'booked')
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.orderBy('starts_at').execute()).map(toBooking);
}

export async function insertBooking(
  db: RisExecutor,
  booking: { orderRef: OrderId; resourceRef: ResourceId; startsAt: string; endsAt: string },
): Promise<BookingId> {
  const now = nowIso();
  const row = await db
    .insertInto('booking')
    .values({
      order_ref: booking.orderRef,
      resource_ref: booking.resourceRef,
      starts_at: booking.startsAt,
      ends_at: booking.endsAt,
      status: 'booked',
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id! as BookingId;
}

export async function moveBooking(
  db: RisExecutor,
  id: BookingId,
  to: { resourceRef: ResourceId; startsAt: string; endsAt: string },
) {
  await db
    .updateTable('booking')
    .set({ resource_ref: to.resourceRef, starts_at: to.startsAt, ends_at: to.endsAt, updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
}

export async function cancelBookingRow(db: RisExecutor, id: BookingId) {
  await db
    .updateTable('booking')
    .set({ status: 'cancelled', updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
}

export async function cancelActiveBookings(db: RisExecutor, orderRef: number) {
  await db
    .updateTable('booking')
    .set({ status: 'cancelled', updated_at: nowIso() })
    .where('order_ref', '=', orderRef)
    .where('status', '=', 'booked')
    .execute();
}
