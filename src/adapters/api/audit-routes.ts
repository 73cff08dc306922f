import type { FastifyInstance } from 'fastify';
import { createAuditReader, MAX_AUDIT_LIMIT, type AuditSearch } from '../../platform/security/index.js';
import { httpContext } from '../http/index.js';

// The audit trail over REST, for auditors (the web UI's audit screen). Reading it is itself audited.
//   GET /api/audit?from=&to=&action=&outcome=&actor=&patientId=&studyInstanceUid=&limit=&offset=
//       { total, records } newest first; action takes exact names or prefixes ending in '.' (patient.),
//       comma-separated; actor is an actor id (a user's number, an API key's name, an AE title)
//   GET /api/audit/:seq      one record
const SEARCH_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', description: 'ISO 8601 instant: recorded at or after' },
    to: { type: 'string', description: 'ISO 8601 instant: recorded before' },
    action: { type: 'string', description: "comma-separated actions or prefixes ending in '.'" },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    actor: { type: 'string', description: 'actor id' },
    patientId: { type: 'string' },
    studyInstanceUid: { type: 'string' },
    limit: { type: 'integer', minimum: 0, maximum: MAX_AUDIT_LIMIT, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;
const SEQ_PARAMS = {
  type: 'object',
  required: ['seq'],
  properties: { seq: { type: 'integer', minimum: 1 } },
} as const;

interface SearchQuery {
  from?: string;
  to?: string;
  action?: string;
  outcome?: 'success' | 'failure';
  actor?: string;
  patientId?: string;
  studyInstanceUid?: string;
  limit: number;
  offset: number;
}

export function registerAuditRoutes(
  app: FastifyInstance,
  services: { database: Parameters<typeof createAuditReader>[0] },
): void {
  const reader = createAuditReader(services.database);

  app.get<{ Querystring: SearchQuery }>(
    '/api/audit',
    { schema: { querystring: SEARCH_QUERY } },
    async (request) => {
      const { action, actor, ...rest } = request.query;
      const search: AuditSearch = { ...rest };
      const actions = action
        ?.split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      if (actions?.length) search.actions = actions;
      if (actor) search.actorIds = [actor];
      return reader.search(httpContext(request, 'api'), search);
    },
  );

  app.get<{ Params: { seq: number } }>(
    '/api/audit/:seq',
    { schema: { params: SEQ_PARAMS } },
    async (request) => reader.get(httpContext(request, 'api'), request.params.seq),
  );
}
