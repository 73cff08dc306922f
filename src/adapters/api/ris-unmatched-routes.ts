import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OrderId, Ris } from '../../ris/index.js';
import { httpContext } from '../http/index.js';
import { ID_PARAMS } from './ris-schemas.js';

// Study linking over REST: the clerk's queue of stored studies no order matched, and an order's studies.
//   GET   /api/unmatched-studies?status=open|linked|dismissed&limit=&offset=   { total, studies }
//   POST  /api/unmatched-studies/:studyUid/link       { orderId }  → the queue entry, now linked
//   POST  /api/unmatched-studies/:studyUid/dismiss    { reason? }  → the queue entry, now dismissed
//   GET   /api/orders/:id/studies                     { studies: [{ studyInstanceUid, matchedBy, … }] }
const STUDY_PARAMS = {
  type: 'object',
  required: ['studyUid'],
  properties: { studyUid: { type: 'string' } },
} as const;
const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;
const LINK_BODY = {
  type: 'object',
  required: ['orderId'],
  additionalProperties: false,
  properties: { orderId: { type: 'integer', minimum: 1 } },
} as const;
const DISMISS_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 1024 } },
} as const;

export function registerRisUnmatchedRoutes(app: FastifyInstance, services: { ris: Ris }): void {
  const { unmatchedStudies, studies } = services.ris;
  const ctx = (request: FastifyRequest) => httpContext(request, 'api');
  type ByStudy<B = unknown> = { Params: { studyUid: string }; Body: B };

  app.get<{ Querystring: { status?: string; limit?: number; offset?: number } }>(
    '/api/unmatched-studies',
    { schema: { querystring: LIST_QUERY } },
    async (request) => unmatchedStudies.list(ctx(request), request.query),
  );
  app.post<ByStudy<{ orderId: number }>>(
    '/api/unmatched-studies/:studyUid/link',
    { schema: { params: STUDY_PARAMS, body: LINK_BODY } },
    async (request) => unmatchedStudies.link(ctx(request), request.params.studyUid, request.body.orderId),
  );
  app.post<ByStudy<{ reason?: string } | null>>(
    '/api/unmatched-studies/:studyUid/dismiss',
    { schema: { params: STUDY_PARAMS, body: DISMISS_BODY } },
    async (request) =>
      unmatchedStudies.dismiss(ctx(request), request.params.studyUid, request.body?.reason ?? undefined),
  );
  app.get<{ Params: { id: number } }>(
    '/api/orders/:id/studies',
    { schema: { params: ID_PARAMS } },
    async (request) => ({
      studies: await studies.ofOrder(ctx(request), request.params.id as OrderId),
    }),
  );
}
