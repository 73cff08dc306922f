import type { Appointment, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import type { RequestContext } from '../../platform/context.js';
import type {
  BookingId,
  Booking,
  Order,
  OrderId,
  Resource as RisResource,
  ResourceId,
  Ris,
} from '../../ris/index.js';
import { DCM_SYSTEM } from './coding-systems.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler } from './resource-handler.js';
import { alternatives, dateRange, inRange, referenceId, sortByKeys, versionOf } from './search-values.js';

// Scheduling ← the RIS's modality resources, their slots and bookings:
//   Schedule/{resource id}       a room or device with its opening hours (planningHorizon not stated)
//   Slot/{resource}-{epoch minute}-{minutes}   a slot the resource's opening hours cut (derived, not stored)
//   Appointment/{booking id}     a booking of an order on a resource

const numeric = (id: string, type: string) => {
  if (!/^\d{1,15}$/.test(id)) throw fhirError(404, 'not-found', `${type} ${id} not found`);
  return Number(id);
};

export function toSchedule(resource: RisResource): Schedule {
  return {
    resourceType: 'Schedule',
    id: String(resource.id),
    active: true,
    serviceType: [{ coding: [{ system: DCM_SYSTEM, code: resource.modality }], text: resource.modality }],
    actor: [{ display: `${resource.name} (AE ${resource.aeTitle})` }],
    comment: `Opening hours (${resource.timeZone}): ${resource.openingHours
      .map((h) => `ISO weekday ${h.weekday} ${h.opens}-${h.closes}`)
      .join(', ')}`,
  };
}

const slotId = (resourceId: number, start: string, minutes: number) =>
  `${resourceId}-${Date.parse(start) / 60_000}-${minutes}`;

function toSlot(
  resourceId: number,
  slot: { start: string; end: string; available: boolean },
  minutes: number,
): Slot {
  return {
    resourceType: 'Slot',
    id: slotId(resourceId, slot.start, minutes),
    schedule: { reference: `Schedule/${resourceId}` },
    status: slot.available ? 'free' : 'busy',
    start: slot.start,
    end: slot.end,
  };
}

function toAppointment(booking: Booking, order: Order, resource: RisResource | undefined): Appointment {
  return {
    resourceType: 'Appointment',
    id: String(booking.id),
    meta: { versionId: versionOf(booking.updatedAt), lastUpdated: booking.updatedAt },
    status: booking.status === 'booked' ? 'booked' : 'cancelled',
    serviceType: [{ coding: [{ system: DCM_SYSTEM, code: order.procedure.modality }] }],
    description: order.procedure.meaning,
    start: booking.startsAt,
    end: booking.endsAt,
    minutesDuration: Math.round((Date.parse(booking.endsAt) - Date.parse(booking.startsAt)) / 60_000),
    created: booking.createdAt,
    basedOn: [{ reference: `ServiceRequest/${order.id}` }],
    participant: [
      { actor: { reference: `Patient/${order.patientRef}` }, status: 'accepted' },
      {
        actor: {
          display: resource ? `${resource.name} (AE ${resource.aeTitle})` : `resource ${booking.resourceId}`,
        },
        status: 'accepted',
      },
    ],
  };
}

export function scheduleHandler(ris: Ris): ResourceHandler {
  return {
    type: 'Schedule',
    read: async (ctx, id) => toSchedule(await ris.resources.get(ctx, numeric(id, 'Schedule') as ResourceId)),
    search: {
      params: { _id: { type: 'token', documentation: 'the resource id' } },
      sorts: [],
      run: async (ctx, query) => {
        const ids = query.params.has('_id') ? alternatives(query.params.get('_id')!) : undefined;
        const all = (await ris.resources.list(ctx)).filter((r) => !ids || ids.includes(String(r.id)));
        return {
          total: all.length,
          resources: all.slice(query.offset, query.offset + query.count).map(toSchedule),
        };
      },
    },
  };
}

const MAX_SLOT_DAYS = 31;

export function slotHandler(ris: Ris): ResourceHandler {
  return {
    type: 'Slot',
    read: async (ctx, id) => {
      const m = /^(\d{1,15})-(\d{1,12})-(\d{1,4})$/.exec(id);
      if (!m) throw fhirError(404, 'not-found', `Slot ${id} not found`);
      const [resourceId, minute, minutes] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const start = new Date(minute * 60_000).toISOString();
      const resource = await ris.resources.get(ctx, resourceId as ResourceId);
      // The slot's local day may differ from its UTC day: look on both sides.
      for (const offset of [0, -1, 1]) {
        const date = new Date(minute * 60_000 + offset * 86_400_000).toLocaleDateString('en-CA', {
          timeZone: resource.timeZone,
        });
        const day = await ris.resources.slots(ctx, resource.id, { date, durationMinutes: minutes });
        const slot = day.slots.find((s) => s.start === start);
        if (slot) return toSlot(resource.id, slot, minutes);
      }
      throw fhirError(404, 'not-found', `Slot ${id} not found: no such slot in the resource's opening hours`);
    },
    search: {
      params: {
        schedule: { type: 'reference', documentation: 'Schedule/{id} (required)' },
        start: { type: 'date', documentation: `days to list, at most ${MAX_SLOT_DAYS} (default: today)` },
        status: { type: 'token', documentation: 'free or busy' },
        'service-type': { type: 'token', documentation: 'ignored beyond the schedule' },
        duration: { type: 'number', documentation: 'slot length in minutes (Lantern parameter; default 30)' },
      },
      sorts: ['start'],
      run: async (ctx, query) => {
        const p = query.params;
        const schedule = p.get('schedule')?.[0];
        if (!schedule)
          throw fhirError(400, 'required', 'Slot searches need schedule=Schedule/{id}', 'schedule');
        const resource = await ris.resources.get(
          ctx,
          numeric(referenceId(schedule, 'Schedule', 'schedule'), 'Schedule') as ResourceId,
        );
        const range = p.has('start') ? dateRange(p.get('start')!, 'start') : {};
        const from = range.from ?? new Date(new Date().toISOString().slice(0, 10));
        const to = range.to ?? new Date(from.getTime() + 86_400_000);
        const days = Math.ceil((to.getTime() - from.getTime()) / 86_400_000);
        if (days > MAX_SLOT_DAYS)
          throw fhirError(400, 'too-costly', `at most ${MAX_SLOT_DAYS} days of slots at once`, 'start');
        const minutes = p.has('duration') ? Number(p.get('duration')![0]) : undefined;
        const statuses = p.has('status') ? alternatives(p.get('status')!) : undefined;
        const slots: Slot[] = [];
        for (let d = 0; d <= days; d++) {
          const date = new Date(from.getTime() + d * 86_400_000).toLocaleDateString('en-CA', {
            timeZone: resource.timeZone,
          });
          const day = await ris.resources.slots(ctx, resource.id, {
            date,
            ...(minutes ? { durationMinutes: minutes } : {}),
          });
          for (const slot of day.slots) {
            if (Date.parse(slot.start) < from.getTime() || Date.parse(slot.start) >= to.getTime()) continue;
            if (slots.some((s) => s.start === slot.start)) continue;
            const fhir = toSlot(resource.id, slot, day.durationMinutes);
            if (!statuses || statuses.includes(fhir.status)) slots.push(fhir);
          }
        }
        return { total: slots.length, resources: slots.slice(query.offset, query.offset + query.count) };
      },
    },
    references: { schedule: (r: Resource) => [(r as Slot).schedule.reference] },
  };
}

export function appointmentHandler(ris: Ris): ResourceHandler {
  async function build(ctx: RequestContext, booking: Booking) {
    const [order, resource] = await Promise.all([
      ris.orders.get(ctx, booking.orderId),
      ris.resources.get(ctx, booking.resourceId).catch(() => undefined),
    ]);
    return toAppointment(booking, order, resource);
  }
  return {
    type: 'Appointment',
    read: async (ctx, id) => build(ctx, await ris.bookings.get(ctx, numeric(id, 'Appointment') as BookingId)),
    search: {
      params: {
        _id: { type: 'token', documentation: 'the booking id' },
        patient: { type: 'reference', documentation: 'Patient/{id}' },
        _lastUpdated: { type: 'date', documentation: 'when the booking last changed (meta.lastUpdated)' },
        date: { type: 'date', documentation: 'when the booking starts' },
        'based-on': { type: 'reference', documentation: 'ServiceRequest/{id}' },
      },
      sorts: ['date', '-date', '_lastUpdated', '-_lastUpdated'],
      run: async (ctx, query) => {
        const p = query.params;
        let bookingIds: number[];
        if (p.has('_id'))
          bookingIds = alternatives(p.get('_id')!)
            .filter((id) => /^\d{1,15}$/.test(id))
            .map(Number);
        else {
          // Active bookings are found through their orders' worklist steps; cancelled ones only by id.
          let orders: Order[];
          if (p.has('based-on')) {
            const id = referenceId(p.get('based-on')![0]!, 'ServiceRequest', 'based-on');
            orders = /^\d{1,15}$/.test(id) ? [await ris.orders.get(ctx, Number(id) as OrderId)] : [];
          } else {
            const range = p.has('date') ? dateRange(p.get('date')!, 'date') : {};
            const patient = p.get('patient')?.[0];
            const result = await ris.orders.search(ctx, {
              status: ['scheduled'],
              ...(patient ? { patientRef: Number(referenceId(patient, 'Patient', 'patient')) } : {}),
              ...(range.from ? { scheduledFrom: range.from.toISOString() } : {}),
              ...(range.to ? { scheduledTo: range.to.toISOString() } : {}),
              limit: 1000,
            });
            orders = result.orders;
          }
          bookingIds = orders.flatMap((o) =>
            o.steps.map((s) => s.bookingId).filter((b): b is BookingId => b !== null),
          );
        }
        const fetch = (ids: number[]) =>
          Promise.all(ids.map((id) => ris.bookings.get(ctx, id as BookingId).catch(() => undefined))).then(
            (found) => found.filter((b): b is Booking => b !== undefined),
          );
        const updated = p.has('_lastUpdated') ? dateRange(p.get('_lastUpdated')!, '_lastUpdated') : undefined;
        if (updated || query.sort) {
          // Filtered or sorted on the bookings themselves: every booking is read before paging.
          const all = (await fetch(bookingIds)).filter((b) => !updated || inRange(b.updatedAt, updated));
          if (query.sort)
            sortByKeys(all, query.sort, (b, key) => (key === 'date' ? b.startsAt : b.updatedAt));
          const resources = await Promise.all(
            all.slice(query.offset, query.offset + query.count).map((b) => build(ctx, b)),
          );
          return { total: all.length, resources };
        }
        const bookings = await fetch(bookingIds.slice(query.offset, query.offset + query.count));
        const resources = await Promise.all(bookings.map((b) => build(ctx, b)));
        return { total: bookingIds.length, resources };
      },
    },
    create: async (ctx, resource) => {
      // A booking: basedOn the order, a Slot (or start) and the Schedule of the resource.
      const appointment = resource as Appointment;
      const order = appointment.basedOn?.[0]?.reference;
      if (!order)
        throw fhirError(
          422,
          'business-rule',
          'an appointment is booked for an order: basedOn ServiceRequest/{id}',
          'Appointment.basedOn',
        );
      const slot = appointment.slot?.[0]?.reference;
      const slotMatch = slot ? /Slot\/(\d+)-(\d+)-\d+$/.exec(slot) : null;
      if (!slotMatch)
        throw fhirError(
          422,
          'business-rule',
          'name the slot to book: slot Slot/{id} (from a Slot search)',
          'Appointment.slot',
        );
      const booking = await ris.bookings.book(ctx, {
        orderId: Number(referenceId(order, 'ServiceRequest', 'Appointment.basedOn')),
        resourceId: Number(slotMatch[1]),
        start: new Date(Number(slotMatch[2]) * 60_000).toISOString(),
      });
      return build(ctx, booking);
    },
    update: async (ctx, id, resource) => {
      const appointment = resource as Appointment;
      const current = await ris.bookings.get(ctx, numeric(id, 'Appointment') as BookingId);
      if (appointment.status === 'cancelled' && current.status === 'booked') {
        return build(ctx, await ris.bookings.cancel(ctx, current.id, appointment.cancelationReason?.text));
      }
      if (appointment.start && Date.parse(appointment.start) !== Date.parse(current.startsAt)) {
        return build(ctx, await ris.bookings.reschedule(ctx, current.id, { start: appointment.start }));
      }
      return build(ctx, current);
    },
    references: {
      patient: (r: Resource) =>
        (r as Appointment).participant
          .map((p) => p.actor?.reference)
          .filter((x) => x?.startsWith('Patient/')),
      'based-on': (r: Resource) => ((r as Appointment).basedOn ?? []).map((b) => b.reference),
    },
  };
}
