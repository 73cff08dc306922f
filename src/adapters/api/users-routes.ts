import type { FastifyInstance } from 'fastify';
import { notFound } from '../../platform/errors.js';
import { oneTimePassword, type Security } from '../../platform/security/index.js';
import { httpContext, type RegisteredRoute } from '../http/index.js';

// Administration of identities and a view of the route table, for administrators (and auditors: the trail).
//   GET    /api/users                        local users (no password hashes)
//   POST   /api/users                        { username, roles, displayName?, password? } → 201; without a
//                                            password a one-time one is made, returned once, to be changed
//   PATCH  /api/users/:username              { disabled?, roles? }; disabling ends the user's sessions
//   POST   /api/users/:username/password     { password? } → reset (must change at next login); unlocks
//   GET    /api/api-keys                     service accounts' keys (no secrets)
//   POST   /api/api-keys                     { name, role } → 201 { name, roles, key } (the key shown this once)
//   DELETE /api/api-keys/:name               revoke
//   GET    /api/admin/routes                 every HTTP route with the permission it needs
//   GET    /api/audit/verify                 the audit hash chain checked; names the first bad record

const USER_BODY = {
  type: 'object',
  required: ['username', 'roles'],
  additionalProperties: false,
  properties: {
    username: { type: 'string' },
    displayName: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    password: { type: 'string', maxLength: 1000 },
  },
} as const;
const USER_PATCH = {
  type: 'object',
  additionalProperties: false,
  properties: { disabled: { type: 'boolean' }, roles: { type: 'array', items: { type: 'string' } } },
} as const;
const RESET_BODY = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      additionalProperties: false,
      properties: { password: { type: 'string', maxLength: 1000 } },
    },
  ],
} as const;
const KEY_BODY = {
  type: 'object',
  required: ['name', 'role'],
  additionalProperties: false,
  properties: { name: { type: 'string' }, role: { type: 'string' } },
} as const;

export function registerUserRoutes(
  app: FastifyInstance,
  services: { security: Security; routes: readonly RegisteredRoute[] },
): void {
  const { security, routes } = services;
  const { users, apiKeys } = security;
  type ByName<B = unknown> = { Params: { username: string }; Body: B };

  app.get('/api/users', async (request) => ({ users: await users.list(httpContext(request, 'api')) }));

  app.post<{ Body: { username: string; roles: string[]; displayName?: string; password?: string } }>(
    '/api/users',
    { schema: { body: USER_BODY } },
    async (request, reply) => {
      const generated =
        request.body.password === undefined ? oneTimePassword(request.body.username) : undefined;
      const user = await users.add(httpContext(request, 'api'), {
        ...request.body,
        password: request.body.password ?? generated!,
        mustChange: generated !== undefined,
      });
      return reply.status(201).send({ user, ...(generated ? { oneTimePassword: generated } : {}) });
    },
  );

  app.patch<ByName<{ disabled?: boolean; roles?: string[] }>>(
    '/api/users/:username',
    { schema: { body: USER_PATCH } },
    async (request) => {
      const ctx = httpContext(request, 'api');
      const user = await users.find(ctx, request.params.username);
      if (!user) throw notFound('user', request.params.username);
      if (request.body.roles) await users.setRoles(ctx, user.username, request.body.roles);
      if (request.body.disabled !== undefined) {
        await users.setDisabled(ctx, user.username, request.body.disabled);
        if (request.body.disabled) await security.endSessionsOf(user.id);
      }
      return { user: await users.find(ctx, user.username) };
    },
  );

  app.post<ByName<{ password?: string } | null>>(
    '/api/users/:username/password',
    { schema: { body: RESET_BODY } },
    async (request) => {
      const user = await users.find(httpContext(request, 'api'), request.params.username);
      if (!user) throw notFound('user', request.params.username);
      const password = request.body?.password ?? oneTimePassword(user.username);
      await users.setPassword(httpContext(request, 'api'), user.username, password, { mustChange: true });
      await security.endSessionsOf(user.id);
      return request.body?.password
        ? { username: user.username }
        : { username: user.username, oneTimePassword: password };
    },
  );

  app.get('/api/api-keys', async (request) => ({
    apiKeys: await apiKeys.list(httpContext(request, 'api')),
  }));

  app.post<{ Body: { name: string; role: string } }>(
    '/api/api-keys',
    { schema: { body: KEY_BODY } },
    async (request, reply) =>
      reply.status(201).send(
        await apiKeys.create(httpContext(request, 'api'), {
          name: request.body.name,
          roles: [request.body.role],
        }),
      ),
  );

  app.delete<{ Params: { name: string } }>('/api/api-keys/:name', async (request, reply) => {
    await apiKeys.revoke(httpContext(request, 'api'), request.params.name);
    return reply.status(204).send();
  });

  app.get('/api/admin/routes', async () => ({ routes }));

  app.get('/api/audit/verify', async (request) => security.verifyAudit(httpContext(request, 'api')));
}
