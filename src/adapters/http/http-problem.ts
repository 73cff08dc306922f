import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toLanternError, type ErrorCode } from '../../platform/errors.js';

// The one place HTTP statuses are chosen for domain errors (RFC 9457 problem+json).
const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  duplicate: 409,
  unsupported: 415,
  'storage-full': 507,
  unavailable: 503,
  internal: 500,
};

const FASTIFY_REFUSAL: Partial<Record<number, string>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  413: 'too-large',
  415: 'unsupported',
  429: 'too-many-requests',
};

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const fastifyError = error as Partial<FastifyError>;
  // Fastify's own errors (bad JSON, body too large, schema validation) carry their status already.
  const status =
    fastifyError.statusCode && fastifyError.statusCode < 500
      ? fastifyError.statusCode
      : STATUS[toLanternError(error).code];
  const lantern = toLanternError(error);
  // A refusal of Fastify's own (a body that fails the route's schema, unparsable JSON) is no server fault.
  const code =
    lantern.code === 'internal' && status < 500 ? (FASTIFY_REFUSAL[status] ?? 'invalid') : lantern.code;
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code, reason: lantern.message }, 'request refused');
  return reply
    .status(status)
    .type('application/problem+json')
    .send({
      type: 'about:blank',
      title: status >= 500 ? 'Internal Server Error' : code,
      status,
      detail: status >= 500 ? 'The server could not complete the request; see its log.' : lantern.message,
      instance: request.url,
    });
}
