import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChargeLine, OrderId, Ris } from '../../ris/index.js';
import { httpContext } from '../http/index.js';
import { CHARGE_LINE, ID_PARAMS } from './ris-schemas.js';

// Charges over REST: lines made when an exam completes, edited until released, exported per period.
//   GET   /api/orders/:id/charges           { orderId, accessionNumber, status: none|open|released, lines }
//   PUT   /api/orders/:id/charges           { lines: [{ code, codingScheme, modifiers?, quantity? }] } (all lines)
//   POST  /api/charges/release              { orderIds: [...] }  → { released: [...] } (all or none)
//   GET   /api/charges.csv?from=&to=&status=open|released   RFC 4180 CSV, by date of service in [from, to)
export function registerRisChargeRoutes(app: FastifyInstance, services: { ris: Ris }): void {
  const { charges } = services.ris;
  const ctx = (request: FastifyRequest) => httpContext(request, 'api');

  app.get<{ Params: { id: number } }>(
    '/api/orders/:id/charges',
    { schema: { params: ID_PARAMS } },
    async (request) => charges.get(ctx(request), request.params.id as OrderId),
  );
  app.put<{ Params: { id: number }; Body: { lines: Partial<ChargeLine>[] } }>(
    '/api/orders/:id/charges',
    { schema: { params: ID_PARAMS, body: LINES_BODY } },
    async (request) => charges.replace(ctx(request), request.params.id as OrderId, request.body),
  );
  app.post<{ Body: { orderIds: number[] } }>(
    '/api/charges/release',
    { schema: { body: RELEASE_BODY } },
    async (request) => ({ released: await charges.release(ctx(request), request.body.orderIds) }),
  );
  app.get<{ Querystring: { from: string; to: string; status?: string } }>(
    '/api/charges.csv',
    { schema: { querystring: CSV_QUERY } },
    async (request, reply) => {
      const csv = await charges.exportCsv(ctx(request), request.query);
      const filename = `charges-${request.query.from}-${request.query.to}.csv`.replace(/[^\w.-]/g, '_');
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(csv);
    },
  );
}

const text = { type: 'string' } as const;

const LINES_BODY = {
  type: 'object',
  required: ['lines'],
  additionalProperties: false,
  properties: {
    lines: {
      type: 'array',
      items: CHARGE_LINE,
    },
  },
} as const;

const RELEASE_BODY = {
  type: 'object',
  required: ['orderIds'],
  additionalProperties: false,
  properties: { orderIds: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 } },
} as const;

const CSV_QUERY = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: text, to: text, status: { type: 'string', enum: ['open', 'released'] } },
} as const;
