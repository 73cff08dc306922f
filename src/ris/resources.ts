import type { RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { overlappingBookings } from './booking-repo.js';
import type { ResourceId } from './ids.js';
import { instantOf } from './opening-hours.js';
import { findProcedure } from './procedure-repo.js';
import { validateResource, type Resource, type ResourceInput } from './resource.js';
import {
  deleteResource,
  findResource,
  insertResource,
  listResources,
  updateResource,
} from './resource-repo.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, withConstraints } from './ris-transaction.js';
import { deriveSlots } from './slots.js';

const DEFAULT_SLOT_MINUTES = 30;

export interface SlotRequest {
  /** The resource's local calendar day, YYYY-MM-DD. */
  date: string;
  /** Slot length; or the default duration of `procedureId`; or 30 minutes. */
  durationMinutes?: number;
  procedureId?: number;
}

const duplicateName = (name: string) => () => conflict(`a resource named '${name}' already exists`);

/** Modality resources (rooms, devices) with their opening hours, and the slots they offer. */
export function createResources(deps: RisDeps) {
  return {
    list: (ctx: RequestContext) =>
      auditedRead(deps, ctx, { action: 'resource.list' }, (db) => listResources(db)),

    get: (ctx: RequestContext, id: ResourceId) =>
      auditedRead(deps, ctx, { action: 'resource.read', detail: { id } }, async (db) => {
        const resource = await findResource(db, id);
        if (!resource) throw notFound('resource', String(id));
        return resource;
      }),

    create: (ctx: RequestContext, input: ResourceInput): Promise<Resource> =>
      auditedChange(
        deps,
        ctx,
        { action: 'resource.create', detail: { name: input.name } },
        async (trx) => {
          const valid = validateResource(input);
          const id = await withConstraints(() => insertResource(trx, valid), {
            unique: duplicateName(valid.name),
          });
          return { id, ...valid };
        },
        (r) => ({ detail: { id: r.id } }),
      ),

    /** Replaces the resource; existing bookings stay where they are even if the new hours exclude them. */
    update: (ctx: RequestContext, id: ResourceId, input: ResourceInput): Promise<Resource> =>
      auditedChange(deps, ctx, { action: 'resource.update', detail: { id } }, async (trx) => {
        const valid = validateResource(input);
        const found = await withConstraints(() => updateResource(trx, id, valid), {
          unique: duplicateName(valid.name),
        });
        if (!found) throw notFound('resource', String(id));
        return { id, ...valid };
      }),

    /** A resource with bookings (even cancelled ones, which are records) is kept. */
    remove: (ctx: RequestContext, id: ResourceId): Promise<void> =>
      auditedChange(deps, ctx, { action: 'resource.delete', detail: { id } }, async (trx) => {
        const found = await withConstraints(() => deleteResource(trx, id), {
          foreignKey: () => conflict(`resource ${id} has bookings; it cannot be removed`),
        });
        if (!found) throw notFound('resource', String(id));
      }),

    /** The day's slots on the resource, each marked available or taken by a booking. */
    slots: (ctx: RequestContext, id: ResourceId, request: SlotRequest) =>
      auditedRead(deps, ctx, { action: 'resource.slots', detail: { id, ...request } }, async (db) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(request.date) || Number.isNaN(Date.parse(request.date))) {
          throw invalid(`date '${request.date}' is not a calendar date (YYYY-MM-DD)`);
        }
        const resource = await findResource(db, id);
        if (!resource) throw notFound('resource', String(id));
        let duration = request.durationMinutes;
        if (duration === undefined && request.procedureId !== undefined) {
          const procedure = await findProcedure(db, request.procedureId);
          if (!procedure) throw invalid(`procedure ${request.procedureId} is not in the catalogue`);
          duration = procedure.durationMinutes;
        }
        duration ??= DEFAULT_SLOT_MINUTES;
        if (!Number.isInteger(duration) || duration < 1 || duration > 24 * 60) {
          throw invalid('durationMinutes must be a whole number from 1 to 1440');
        }
        const dayStart = instantOf(request.date, 0, resource.timeZone).toISOString();
        const dayEnd = instantOf(request.date, 24 * 60, resource.timeZone).toISOString();
        const booked = await overlappingBookings(db, id, dayStart, dayEnd);
        return {
          resourceId: id,
          date: request.date,
          timeZone: resource.timeZone,
          durationMinutes: duration,
          slots: deriveSlots(resource.openingHours, resource.timeZone, request.date, duration, booked),
        };
      }),
  };
}

export type Resources = ReturnType<typeof createResources>;
