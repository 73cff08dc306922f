import type { FastifyInstance } from 'fastify';
import { toMatchRecord, type Archive } from '../../archive/index.js';
import type { AeTable } from '../../platform/security/index.js';
import { httpContext } from '../http/index.js';

// REST for the web UI and administration, under /api.
//   GET    /health              liveness, unauthenticated
//   GET    /api/studies         studies through the archive's query model, with a total for paging
//   GET    /api/aes             the AE table
//   PUT    /api/aes/:aeTitle    add or change a remote AE: { host, port, permissions, description? }
//   DELETE /api/aes/:aeTitle    remove a remote AE
export function registerApiRoutes(
  app: FastifyInstance,
  services: { archive: Archive; aeTable: AeTable },
): void {
  const { archive, aeTable } = services;
  app.get('/health', async () => ({ status: 'ok' }));

  app.get<{ Querystring: Record<string, string> }>('/api/studies', async (request) => {
    const { limit, offset, ...keys } = request.query;
    const result = await archive.query(httpContext(request, 'api'), {
      level: 'STUDY',
      keys,
      limit: limit === undefined ? undefined : Number(limit),
      offset: offset === undefined ? undefined : Number(offset),
    });
    return { total: result.total, studies: result.matches.map(toMatchRecord) };
  });

  app.get('/api/aes', async (request) => ({ aes: await aeTable.list(httpContext(request, 'api')) }));

  app.put<{ Params: { aeTitle: string }; Body: AeBody }>(
    '/api/aes/:aeTitle',
    { schema: { body: AE_BODY } },
    async (request) =>
      aeTable.save(httpContext(request, 'api'), { aeTitle: request.params.aeTitle, ...request.body }),
  );

  app.delete<{ Params: { aeTitle: string } }>('/api/aes/:aeTitle', async (request, reply) => {
    await aeTable.remove(httpContext(request, 'api'), request.params.aeTitle);
    return reply.status(204).send();
  });
}

interface AeBody {
  host: string;
  port: number;
  permissions: string[];
  description?: string;
}

const AE_BODY = {
  type: 'object',
  required: ['host', 'port', 'permissions'],
  additionalProperties: false,
  properties: {
    host: { type: 'string' },
    port: { type: 'integer' },
    permissions: { type: 'array', items: { type: 'string' } },
    description: { type: 'string' },
  },
} as const;
