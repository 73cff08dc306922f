import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Door } from '../../platform/context.js';
import { createContext } from '../../platform/context.js';
import { LanternError } from '../../platform/errors.js';
import type { Logger } from '../../platform/log/index.js';
import {
  ANONYMOUS,
  OPEN_ACCESS_ANONYMOUS,
  type Authenticated,
  type Security,
} from '../../platform/security/index.js';
import { ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, parseCookies } from './cookies.js';
import { MinuteCounts } from './minute-counts.js';
import { setRequestActor } from './request-actor.js';
import { fhirTypeAccess } from './route-permissions.js';
import { accessOf, recordRoutes, type RegisteredRoute } from './route-registry.js';
import { installSecurityHeaders } from './security-headers.js';

export const BREAK_GLASS_HEADER = 'x-lantern-break-glass';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// What a user who must change the password may still do.
const WHILE_MUST_CHANGE = new Set(['/api/auth/password', '/api/auth/me', '/api/auth/logout']);

// A path is under a base when it is the base or goes on with / or a query (not /fhirx, not /wadofoo).
const under = (url: string, base: string) =>
  url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);

/** Which door an HTTP path belongs to, for the request's context and audit (and SMART tokens: only 'fhir'). */
export function doorOf(url: string): Extract<Door, 'api' | 'dicomweb' | 'fhir'> {
  if (under(url, '/dicom-web') || under(url, '/wado')) return 'dicomweb';
  if (under(url, '/fhir')) return 'fhir';
  return 'api';
}

const unauthenticated = (message: string) => new LanternError('unauthenticated', message);
const forbidden = (message: string) => new LanternError('forbidden', message);

/**
 * Authentication and route authorization for every HTTP route, before the body is read: `Authorization:
 * Bearer <access token | OpenID token | API key>` or the session cookie (then unsafe methods need the CSRF
 * token too). With security.authentication off, callers without credentials are anonymous and no route
 * permission is checked. Install before any route: it records the routes as they are registered.
 */
export function installHttpSecurity(
  app: FastifyInstance,
  security: Security,
  log: Logger,
): RegisteredRoute[] {
  const routes = recordRoutes(app, log);
  installSecurityHeaders(app);
  const refusals = new MinuteCounts();

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    let access = url === undefined ? 'authenticated' : accessOf(request.method, url);
    if (access === 'fhir-type') {
      access = fhirTypeAccess(request.method, url!, (request.params as { type?: string }).type);
    }
    if (access === 'public') return;
    const credential = credentialOf(request);
    if (!credential) {
      // Authentication off: the services, which authorize every call too, see an open-access caller.
      if (!security.authenticationRequired) return setRequestActor(request, OPEN_ACCESS_ANONYMOUS);
      reply.header('www-authenticate', 'Bearer realm="lantern"');
      throw unauthenticated('authentication required: Authorization: Bearer <token or API key>, or log in');
    }
    // The route matched when there is one: the path as sent may carry what routing ignores.
    const door = doorOf(url ?? request.url);
    const ctx = (actor: Authenticated['actor']) =>
      createContext(request.log as Logger, actor, { door, remoteAddress: request.ip }, request.id);
    // Refused credentials are audited one by one up to a limit per address and minute, then only logged and
    // counted: a flood of bad tokens must not grow the audit trail without end (nor lock out an address).
    const refusedBefore = refusals.peek(request.ip);
    let who: Authenticated;
    try {
      // A refused credential is audited by the service, with this door, address and route.
      who = await security.authenticateBearer(
        ctx(ANONYMOUS),
        credential.value,
        `${request.method} ${request.url.split('?')[0]}`, // the path asked, not the route pattern
        {
          thisMinute: refusedBefore + 1,
          recordedUpTo: security.settings.loginAttemptsPerMinutePerAddress,
        },
      );
    } catch (error) {
      if (error instanceof LanternError && error.code === 'unauthenticated') refusals.add(request.ip);
      reply.header('www-authenticate', 'Bearer realm="lantern", error="invalid_token"');
      throw error;
    }
    // A SMART app's token works on /fhir only, whatever its roles (and whether authentication is on): it is
    // refused here before anything else is done with it, and again by the services should a door not ask.
    await security.authorizeDoor(ctx(who.actor), {
      resource: `${request.method} ${url ?? request.url.split('?')[0]}`,
    });
    if (credential.from === 'cookie' && UNSAFE.has(request.method)) checkCsrf(request);
    if (who.mustChangePassword && !WHILE_MUST_CHANGE.has(url ?? '')) {
      throw forbidden('the password must be changed first: POST /api/auth/password');
    }
    let actor = who.actor;
    const reason = request.headers[BREAK_GLASS_HEADER];
    if (typeof reason === 'string') {
      actor = await security.breakGlass(ctx(actor), reason, `${request.method} ${url ?? request.url}`);
    }
    setRequestActor(request, actor);
    if (!security.authenticationRequired || access === 'authenticated') return;
    await security.authorize(ctx(actor), access, { resource: `${request.method} ${url}` });
  });
  return routes;
}

function credentialOf(request: FastifyRequest): { value: string; from: 'bearer' | 'cookie' } | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <token or API key>"');
    return { value: match[1]!, from: 'bearer' };
  }
  const cookie = parseCookies(request.headers.cookie).get(ACCESS_COOKIE);
  return cookie ? { value: cookie, from: 'cookie' } : undefined;
}

/**
 * Double-submit CSRF check for cookie sessions: the page copies the CSRF cookie into a header, which another
 * site's page cannot do (it cannot read our cookies). SameSite=Strict already stops most; this covers the rest.
 */
export function checkCsrf(request: FastifyRequest): void {
  const cookie = parseCookies(request.headers.cookie).get(CSRF_COOKIE) ?? '';
  const header = request.headers[CSRF_HEADER];
  const sent = typeof header === 'string' ? header : '';
  const ok =
    cookie.length >= 16 &&
    sent.length === cookie.length &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(cookie));
  if (!ok) throw forbidden(`cookie sessions must send the ${CSRF_COOKIE} cookie's value in ${CSRF_HEADER}`);
}
