import type { FastifyInstance } from 'fastify';
import { toMatchRecord, type Archive } from '../../archive/index.js';
import { httpContext } from '../http/index.js';

// REST for the web UI and administration, under /api. Read-only for now.
//   GET /health              liveness, unauthenticated
//   GET /api/studies         studies through the archive's query model, with a total for paging
export function registerApiRoutes(app: FastifyInstance, archive: Archive): void {
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
}
