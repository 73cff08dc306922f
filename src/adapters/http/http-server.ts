import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { createContext, type RequestContext } from '../../platform/context.js';
import { LanternError } from '../../platform/errors.js';
import type { Logger } from '../../platform/log/index.js';
import { ANONYMOUS } from '../../platform/security/index.js';
import { sendProblem } from './http-problem.js';
import { requestActor } from './request-actor.js';

export interface HttpServerSettings {
  /**
   * Largest request body a buffering parser reads (JSON and forms of /api and /fhir: http.maxJsonBodyBytes);
   * larger ones are refused 413 before they are read whole. STOW-RS streams its bodies under its own limits.
   */
  bodyLimit: number;
}

/** A route may set its own smaller limit (login: 16 KiB); the setting names only the door-wide one. */
const bodyLimitMessage = (limit: number, doorWide: number) =>
  limit === doorWide
    ? `the request body is larger than http.maxJsonBodyBytes (${doorWide} bytes)`
    : `the request body is larger than this route takes (${limit} bytes)`;

/** The HTTP host every web door (api, dicom-web, fhir) registers its routes on. */
export function createHttpServer(log: Logger, settings: HttpServerSettings): FastifyInstance {
  const app = Fastify({
    bodyLimit: settings.bodyLimit,
    loggerInstance: log.child({ door: 'http' }) as FastifyBaseLogger,
    // Doors log what they do with the request; fastify's per-request lines would only repeat it.
    logController: new LogController({ disableRequestLogging: true }),
    // Route schemas use type lists (a patient name as text or as components); strict ajv warns of each.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allowUnionTypes: true } },
  });
  app.setErrorHandler((error, request, reply) =>
    sendProblem(
      (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? Object.assign(
            new LanternError(
              'invalid',
              bodyLimitMessage(request.routeOptions.bodyLimit ?? settings.bodyLimit, settings.bodyLimit),
            ),
            { statusCode: 413 },
          )
        : error,
      request,
      reply,
    ),
  );
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: 'not-found',
        status: 404,
        detail: `no route ${request.method} ${request.url.split('?')[0]}`,
      }),
  );
  return app as unknown as FastifyInstance;
}

/**
 * The RequestContext of an HTTP request, with the identity the authentication hook established; callers no
 * credential identified (authentication off) are anonymous.
 */
export function httpContext(request: FastifyRequest, door: 'api' | 'dicomweb' | 'fhir'): RequestContext {
  return createContext(
    request.log as Logger,
    requestActor(request) ?? ANONYMOUS,
    { door, remoteAddress: request.ip },
    request.id,
  );
}
