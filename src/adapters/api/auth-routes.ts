import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LanternError } from '../../platform/errors.js';
import { permissionsOf, type Security, type Session } from '../../platform/security/index.js';
import {
  ACCESS_COOKIE,
  CSRF_COOKIE,
  REFRESH_COOKIE,
  checkCsrf,
  httpContext,
  parseCookies,
  serializeCookie,
} from '../http/index.js';
import { LoginRateLimit } from './login-rate-limit.js';

// Login sessions over REST. API clients use the tokens in the JSON body; the web UI uses the cookies
// (httpOnly, SameSite=Strict) and echoes the CSRF token in X-CSRF-Token on unsafe requests.
//   POST /api/auth/login      { username, password } → { accessToken, refreshToken, csrfToken, expiresIn, user }
//   POST /api/auth/refresh    { refreshToken } or the refresh cookie → a new pair (the old refresh token is spent)
//   POST /api/auth/logout     { refreshToken } or the refresh cookie → 204, the session ends
//   GET  /api/auth/me         who the credentials belong to, with roles and permissions
//   POST /api/auth/password   { currentPassword, newPassword } → 204 (own password; clears must-change)

const SMALL_BODY = 16 * 1024; // credentials are short; a large body here is only an attack
const CREDENTIALS = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: { username: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1000 } },
} as const;
const REFRESH = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      additionalProperties: false,
      properties: { refreshToken: { type: 'string', maxLength: 200 } },
    },
  ],
} as const;
const PASSWORD = {
  type: 'object',
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
  properties: {
    currentPassword: { type: 'string', maxLength: 1000 },
    newPassword: { type: 'string', maxLength: 1000 },
  },
} as const;

export function registerAuthRoutes(app: FastifyInstance, services: { security: Security }): void {
  const { security } = services;
  const limit = new LoginRateLimit(
    security.settings.loginAttemptsPerMinutePerAddress,
    security.settings.loginAttemptsPerMinutePerUser,
  );

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { bodyLimit: SMALL_BODY, schema: { body: CREDENTIALS } },
    async (request, reply) => {
      if (!limit.take(request.ip, request.body.username)) {
        return reply.status(429).header('retry-after', '60').type('application/problem+json').send({
          type: 'about:blank',
          title: 'too-many-requests',
          status: 429,
          detail: 'too many login attempts; wait a minute',
        });
      }
      const session = await security.login(
        httpContext(request, 'api'),
        request.body.username,
        request.body.password,
      );
      return sendSession(request, reply, session);
    },
  );

  app.post<{ Body: { refreshToken?: string } | null }>(
    '/api/auth/refresh',
    { bodyLimit: SMALL_BODY, schema: { body: REFRESH } },
    async (request, reply) => {
      const token = refreshTokenOf(request);
      return sendSession(request, reply, await security.refresh(httpContext(request, 'api'), token));
    },
  );

  app.post<{ Body: { refreshToken?: string } | null }>(
    '/api/auth/logout',
    { bodyLimit: SMALL_BODY, schema: { body: REFRESH } },
    async (request, reply) => {
      const token = refreshTokenOf(request);
      await security.logout(httpContext(request, 'api'), token);
      const secure = request.protocol === 'https';
      return reply
        .header('set-cookie', [
          serializeCookie(ACCESS_COOKIE, '', { path: '/', maxAgeSeconds: 0, httpOnly: true, secure }),
          serializeCookie(REFRESH_COOKIE, '', {
            path: '/api/auth',
            maxAgeSeconds: 0,
            httpOnly: true,
            secure,
          }),
          serializeCookie(CSRF_COOKIE, '', { path: '/', maxAgeSeconds: 0, httpOnly: false, secure }),
        ])
        .status(204)
        .send();
    },
  );

  app.get('/api/auth/me', async (request) => {
    const { actor } = httpContext(request, 'api');
    return { actor, permissions: [...permissionsOf(actor)] };
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/auth/password',
    { bodyLimit: SMALL_BODY, schema: { body: PASSWORD } },
    async (request, reply) => {
      const ctx = httpContext(request, 'api');
      if (ctx.actor.kind !== 'user' || !/^\d+$/.test(ctx.actor.id) || !ctx.actor.username) {
        throw new LanternError('forbidden', 'only local users have a password to change');
      }
      const { currentPassword, newPassword } = request.body;
      await security.users.changeOwnPassword(ctx, ctx.actor.username, currentPassword, newPassword);
      return reply.status(204).send();
    },
  );
}

/** From the body (API clients) or the cookie (web UI; then the CSRF token must come along). */
function refreshTokenOf(request: FastifyRequest<{ Body: { refreshToken?: string } | null }>): string {
  const fromBody = request.body?.refreshToken;
  if (fromBody) return fromBody;
  const fromCookie = parseCookies(request.headers.cookie).get(REFRESH_COOKIE);
  if (!fromCookie)
    throw new LanternError('unauthenticated', 'no refresh token (body refreshToken or cookie)');
  checkCsrf(request);
  return fromCookie;
}

function sendSession(request: FastifyRequest, reply: FastifyReply, session: Session): FastifyReply {
  const secure = request.protocol === 'https';
  const csrfToken = randomBytes(24).toString('base64url');
  const accessSeconds = (session.accessExpiresAt.getTime() - Date.now()) / 1000;
  const refreshSeconds = (session.refreshExpiresAt.getTime() - Date.now()) / 1000;
  const { user } = session;
  return reply
    .header('set-cookie', [
      serializeCookie(ACCESS_COOKIE, session.accessToken, {
        path: '/',
        maxAgeSeconds: accessSeconds,
        httpOnly: true,
        secure,
      }),
      serializeCookie(REFRESH_COOKIE, session.refreshToken, {
        path: '/api/auth',
        maxAgeSeconds: refreshSeconds,
        httpOnly: true,
        secure,
      }),
      serializeCookie(CSRF_COOKIE, csrfToken, {
        path: '/',
        maxAgeSeconds: refreshSeconds,
        httpOnly: false,
        secure,
      }),
    ])
    .send({
      tokenType: 'Bearer',
      accessToken: session.accessToken,
      expiresIn: Math.floor(accessSeconds),
      refreshToken: session.refreshToken,
      refreshExpiresAt: session.refreshExpiresAt.toISOString(),
      csrfToken,
      user: {
        username: user.username,
        displayName: user.displayName,
        roles: user.roles,
        mustChangePassword: user.mustChangePassword,
      },
    });
}
