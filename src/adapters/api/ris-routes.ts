import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type BookingId,
  type OrderId,
  type OrderSearch,
  type ProcedureId,
  type ProcedureInput,
  type ResourceId,
  type ResourceInput,
  type Ris,
  type OrderInput,
  type RescheduleRequest,
  type BookingRequest,
} from '../../ris/index.js';
import { httpContext } from '../http/index.js';
import {
  BOOKING_BODY,
  CANCEL_BODY,
  ID_PARAMS,
  ORDER_BODY,
  ORDER_QUERY,
  PROCEDURE_BODY,
  RESCHEDULE_BODY,
  RESOURCE_BODY,
  SLOT_QUERY,
  TRANSITION_BODY,
} from './ris-schemas.js';
import { CREATED, NO_BODY, NO_CONTENT } from './route-schemas.js';

// The RIS over REST: catalogue, orders, scheduling. Each route is one call on the RIS service, which
// checks the rules and writes the audit record; refusals are problem+json (409 names the current state).
//   GET|POST        /api/procedures                    catalogue; POST body: ProcedureInput
//   POST            /api/procedures/defaults           add the default entries the catalogue lacks
//   GET|PUT|DELETE  /api/procedures/:id
//   POST            /api/orders                        place: { patientRef, procedureId, accessionNumber?, … }
//   GET             /api/orders?status=&patientRef=&accessionNumber=&orderedFrom=&orderedTo=
//                              &scheduledFrom=&scheduledTo=&limit=&offset=        { total, orders }
//   GET             /api/orders/:id
//   POST            /api/orders/:id/transitions        { to, reason? }
//   GET             /api/orders/:id/history            { history: [{ from, to, actor, at, reason }] }
//   GET|POST        /api/resources                     modality resources with opening hours
//   GET|PUT|DELETE  /api/resources/:id
//   GET             /api/resources/:id/slots?date=YYYY-MM-DD&durationMinutes=&procedureId=
//   POST            /api/bookings                      { orderId, resourceId, start }
//   GET             /api/bookings/:id
//   POST            /api/bookings/:id/reschedule       { start, resourceId? }
//   POST            /api/bookings/:id/cancel           { reason? }
export function registerRisRoutes(app: FastifyInstance, services: { ris: Ris }): void {
  const { procedures, orders, resources, bookings } = services.ris;
  const ctx = (request: FastifyRequest) => httpContext(request, 'api');
  type ById<T = unknown> = { Params: { id: number }; Body: T };
  const byId = { params: ID_PARAMS };

  app.get('/api/procedures', async (request) => ({ procedures: await procedures.list(ctx(request)) }));
  app.post<{ Body: ProcedureInput }>(
    '/api/procedures',
    { schema: { body: PROCEDURE_BODY, response: CREATED } },
    async (request, reply) => {
      const procedure = await procedures.create(ctx(request), request.body);
      return reply.status(201).header('location', `/api/procedures/${procedure.id}`).send(procedure);
    },
  );
  app.post('/api/procedures/defaults', { schema: { body: NO_BODY } }, async (request) => ({
    added: await procedures.seedDefaults(ctx(request)),
  }));
  app.get<ById>('/api/procedures/:id', { schema: byId }, async (request) =>
    procedures.get(ctx(request), request.params.id as ProcedureId),
  );
  app.put<ById<ProcedureInput>>(
    '/api/procedures/:id',
    { schema: { ...byId, body: PROCEDURE_BODY } },
    async (request) => procedures.update(ctx(request), request.params.id as ProcedureId, request.body),
  );
  app.delete<ById>(
    '/api/procedures/:id',
    { schema: { ...byId, response: NO_CONTENT } },
    async (request, reply) => {
      await procedures.remove(ctx(request), request.params.id as ProcedureId);
      return reply.status(204).send();
    },
  );

  app.post<{ Body: OrderInput }>(
    '/api/orders',
    { schema: { body: ORDER_BODY, response: CREATED } },
    async (request, reply) => {
      const order = await orders.place(ctx(request), request.body);
      return reply.status(201).header('location', `/api/orders/${order.id}`).send(order);
    },
  );
  app.get<{ Querystring: OrderSearch }>(
    '/api/orders',
    { schema: { querystring: ORDER_QUERY } },
    async (request) => orders.search(ctx(request), request.query),
  );
  app.get<ById>('/api/orders/:id', { schema: byId }, async (request) =>
    orders.get(ctx(request), request.params.id as OrderId),
  );
  app.post<ById<{ to: string; reason?: string }>>(
    '/api/orders/:id/transitions',
    { schema: { ...byId, body: TRANSITION_BODY } },
    async (request) =>
      orders.transition(ctx(request), request.params.id as OrderId, request.body.to, request.body.reason),
  );
  app.get<ById>('/api/orders/:id/history', { schema: byId }, async (request) => ({
    history: await orders.history(ctx(request), request.params.id as OrderId),
  }));

  app.get('/api/resources', async (request) => ({ resources: await resources.list(ctx(request)) }));
  app.post<{ Body: ResourceInput }>(
    '/api/resources',
    { schema: { body: RESOURCE_BODY, response: CREATED } },
    async (request, reply) => {
      const resource = await resources.create(ctx(request), request.body);
      return reply.status(201).header('location', `/api/resources/${resource.id}`).send(resource);
    },
  );
  app.get<ById>('/api/resources/:id', { schema: byId }, async (request) =>
    resources.get(ctx(request), request.params.id as ResourceId),
  );
  app.put<ById<ResourceInput>>(
    '/api/resources/:id',
    { schema: { ...byId, body: RESOURCE_BODY } },
    async (request) => resources.update(ctx(request), request.params.id as ResourceId, request.body),
  );
  app.delete<ById>(
    '/api/resources/:id',
    { schema: { ...byId, response: NO_CONTENT } },
    async (request, reply) => {
      await resources.remove(ctx(request), request.params.id as ResourceId);
      return reply.status(204).send();
    },
  );
  app.get<{
    Params: { id: number };
    Querystring: { date: string; durationMinutes?: number; procedureId?: number };
  }>('/api/resources/:id/slots', { schema: { ...byId, querystring: SLOT_QUERY } }, async (request) =>
    resources.slots(ctx(request), request.params.id as ResourceId, request.query),
  );

  app.post<{ Body: BookingRequest }>(
    '/api/bookings',
    { schema: { body: BOOKING_BODY, response: CREATED } },
    async (request, reply) => {
      const booking = await bookings.book(ctx(request), request.body);
      return reply.status(201).header('location', `/api/bookings/${booking.id}`).send(booking);
    },
  );
  app.get<ById>('/api/bookings/:id', { schema: byId }, async (request) =>
    bookings.get(ctx(request), request.params.id as BookingId),
  );
  app.post<ById<RescheduleRequest>>(
    '/api/bookings/:id/reschedule',
    { schema: { ...byId, body: RESCHEDULE_BODY } },
    async (request) => bookings.reschedule(ctx(request), request.params.id as BookingId, request.body),
  );
  app.post<ById<{ reason?: string } | null>>(
    '/api/bookings/:id/cancel',
    { schema: { ...byId, body: CANCEL_BODY } },
    async (request) => bookings.cancel(ctx(request), request.params.id as BookingId, request.body?.reason),
  );
}
