import {
  dateTimeInstant,
  Hl7ParseError,
  parseDateTime,
  type Hl7Message,
  type Segment,
} from '../../lib/hl7v2/index.js';
import type { RequestContext } from '../../platform/context.js';
import type { Order, Resource } from '../../ris/index.js';
import type { Hl7Services } from './hl7-services.js';
import { Hl7Refusal } from './hl7-refusal.js';

// SIU^S12–S15 (HL7 v2.5.1 chapter 10, filler application notifications) → RIS bookings. The EMR's scheduler
// books an order Lantern already has (its ORM/OMI came first) on one of Lantern's resources:
//   order     SCH-27 filler order number (our accession number), else SCH-26 placer order number
//   resource  AIL-3 (location: point of care, room) or AIG-3 (resource ID, text) = a resource's AE title or name
//   start     AIS-4, else AIL-6, else AIG-8, else SCH-11.4 (DTM; without an offset: the resource's time zone)
// The end follows from the procedure's duration, as for every booking.
//   S12 new appointment → bookings.book        S13 reschedule, S14 modification → bookings.reschedule
//   S15 cancellation     → bookings.cancel (reason SCH-6)
// Unknown orders and resources, and bookings that conflict, are refused with AE and an ERR naming the field.

interface Appointment {
  order: Order;
  resource: Resource;
  start: string;
}

/** The order SCH-26/SCH-27 name; AE when Lantern has none (SIU books orders, it does not create them). */
async function scheduledOrder(ctx: RequestContext, services: Hl7Services, sch: Segment): Promise<Order> {
  const filler = sch.value(27, 1);
  const placer = sch.value(26, 1);
  if (!filler && !placer)
    throw new Hl7Refusal('SCH-26 or SCH-27 must name the order to book', 'requiredFieldMissing', 'SCH-27');
  if (filler) {
    const { orders } = await services.ris.orders.search(ctx, { accessionNumber: filler, limit: 1 });
    if (orders[0]) return orders[0];
  }
  if (placer) {
    const order = await orderByPlacerNumber(ctx, services, placer);
    if (order) return order;
  }
  throw new Hl7Refusal(
    `no order with filler order number '${filler}' (SCH-27) or placer order number '${placer}' (SCH-26)`,
    'unknownKeyIdentifier',
    filler ? 'SCH-27' : 'SCH-26',
  );
}

/** Orders carry the placer number but the search has no key for it: page through the newest. */
async function orderByPlacerNumber(ctx: RequestContext, services: Hl7Services, placer: string) {
  for (let offset = 0; ; offset += 1000) {
    const { orders } = await services.ris.orders.search(ctx, { limit: 1000, offset });
    const found = orders.find((o) => o.placerOrderNumber === placer);
    if (found || orders.length < 1000) return found;
  }
}

/** The names the message gives the resource, most specific first, each with where it came from. */
function resourceNames(message: Hl7Message): { name: string; field: string }[] {
  const names: { name: string; field: string }[] = [];
  for (const ail of message.segmentsNamed('AIL')) {
    names.push({ name: ail.value(3, 2), field: 'AIL-3' }, { name: ail.value(3, 1), field: 'AIL-3' });
  }
  for (const aig of message.segmentsNamed('AIG')) {
    names.push({ name: aig.value(3, 1), field: 'AIG-3' }, { name: aig.value(3, 2), field: 'AIG-3' });
  }
  return names.filter((n) => n.name.trim() !== '');
}

async function bookedResource(
  ctx: RequestContext,
  services: Hl7Services,
  message: Hl7Message,
): Promise<Resource> {
  const names = resourceNames(message);
  if (names.length === 0)
    throw new Hl7Refusal(
      'AIL-3 or AIG-3 must name the resource (AE title or name)',
      'requiredFieldMissing',
      'AIL-3',
    );
  const resources = await services.ris.resources.list(ctx);
  const same = (a: string | null, b: string) =>
    a !== null && a.trim().toUpperCase() === b.trim().toUpperCase();
  for (const { name } of names) {
    const resource = resources.find((r) => same(r.aeTitle, name) || same(r.name, name));
    if (resource) return resource;
  }
  throw new Hl7Refusal(
    `no resource with the AE title or name ${names.map((n) => `'${n.name}' (${n.field})`).join(', ')}`,
    'unknownKeyIdentifier',
    names[0]!.field,
  );
}

/** The zone's offset from UTC in minutes at an instant (daylight saving time included). */
function zoneOffset(timeZone: string): (at: Date) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (at) => {
    const part = (type: string) => Number(format.formatToParts(at).find((p) => p.type === type)?.value);
    const wall = Date.UTC(
      part('year'),
      part('month') - 1,
      part('day'),
      part('hour'),
      part('minute'),
      part('second'),
    );
    return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  };
}

/** The appointment's start: the first DTM of AIS-4, AIL-6, AIG-8, SCH-11.4, as an instant. */
function startOf(message: Hl7Message, sch: Segment, resource: Resource): string {
  const candidates: [string, string][] = [
    ...message.segmentsNamed('AIS').map((s): [string, string] => [s.value(4), 'AIS-4']),
    ...message.segmentsNamed('AIL').map((s): [string, string] => [s.value(6), 'AIL-6']),
    ...message.segmentsNamed('AIG').map((s): [string, string] => [s.value(8), 'AIG-8']),
    [sch.value(11, 4), 'SCH-11'],
  ];
  const found = candidates.find(([text]) => text.trim() !== '');
  if (!found)
    throw new Hl7Refusal(
      'the appointment has no start (AIS-4, AIL-6, AIG-8 or SCH-11.4)',
      'requiredFieldMissing',
      'AIS-4',
    );
  const [text, field] = found;
  try {
    return dateTimeInstant(parseDateTime(text, field), zoneOffset(resource.timeZone)).toISOString();
  } catch (error) {
    if (error instanceof Hl7ParseError) throw new Hl7Refusal(error.message, 'dataType', field);
    throw error;
  }
}

async function appointmentOf(
  ctx: RequestContext,
  services: Hl7Services,
  message: Hl7Message,
): Promise<Appointment> {
  const sch = message.segment('SCH');
  if (!sch) throw new Hl7Refusal('the message has no SCH segment', 'segmentSequence', 'SCH-1');
  const order = await scheduledOrder(ctx, services, sch);
  const resource = await bookedResource(ctx, services, message);
  return { order, resource, start: startOf(message, sch, resource) };
}

/** The order's current booking, from its worklist step (undefined: not booked). */
const bookingOf = (order: Order) => order.steps.find((s) => s.bookingId !== null);

const sameSlot = (order: Order, { resource, start }: Appointment) => {
  const step = bookingOf(order);
  return (
    step !== undefined &&
    step.resourceId === resource.id &&
    step.scheduledStart !== null &&
    Date.parse(step.scheduledStart) === Date.parse(start)
  );
};

/** S12: books the order. A resend of the same appointment is success; another booking of it is a conflict. */
export async function newAppointment(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const appointment = await appointmentOf(ctx, services, message);
  const { order, resource, start } = appointment;
  if (sameSlot(order, appointment))
    return `order ${order.id} is booked on ${resource.name} at ${start} already`;
  const booking = await services.ris.bookings.book(ctx, {
    orderId: order.id,
    resourceId: resource.id,
    start,
  });
  return `order ${order.id} booked on ${resource.name} at ${booking.startsAt} (booking ${booking.id})`;
}

/** S13/S14: moves the order's booking (time and/or resource); an order not booked yet is booked. */
export async function movedAppointment(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const appointment = await appointmentOf(ctx, services, message);
  const { order, resource, start } = appointment;
  if (sameSlot(order, appointment))
    return `order ${order.id} is booked on ${resource.name} at ${start} already`;
  const step = bookingOf(order);
  if (!step) return newAppointment(ctx, message, services);
  const booking = await services.ris.bookings.reschedule(ctx, step.bookingId!, {
    start,
    resourceId: resource.id,
  });
  return `booking ${booking.id} of order ${order.id} moved to ${resource.name} at ${booking.startsAt}`;
}

/** S15: cancels the order's booking (the order goes back to ordered); none left is success. */
export async function cancelledAppointment(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const sch = message.segment('SCH');
  if (!sch) throw new Hl7Refusal('the message has no SCH segment', 'segmentSequence', 'SCH-1');
  const order = await scheduledOrder(ctx, services, sch);
  const step = bookingOf(order);
  if (!step) return `order ${order.id} has no booking to cancel`;
  const reason = sch.value(6, 2) || sch.value(6, 1) || 'HL7 SIU^S15';
  await services.ris.bookings.cancel(ctx, step.bookingId!, reason);
  return `booking ${step.bookingId} of order ${order.id} cancelled`;
}
