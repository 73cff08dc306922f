import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { silentLogger } from '../../platform/log/index.js';
import { createHttpServer } from './http-server.js';

// What a client reads when a request fails before any door's code ran: Fastify's own refusals.
test("a body that fails the route's schema is a 400 problem titled invalid, not an internal error", async () => {
  const app = createHttpServer(silentLogger(), { bodyLimit: 1024 });
  app.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, note: { type: ['string', 'number', 'null'] } },
        },
      },
    },
    async () => ({ ok: true }),
  );
  // Route schemas use type lists (a name as text or components): compiling one prints no ajv warning.
  const warn = mock.method(console, 'warn', () => undefined);
  const refused = await app.inject({ method: 'POST', url: '/things', payload: { note: null } });
  assert.equal(refused.statusCode, 400);
  assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
  const problem = refused.json<{ title: string; status: number; detail: string }>();
  assert.equal(problem.title, 'invalid');
  assert.equal(problem.status, 400);
  assert.match(problem.detail, /name/);

  const unparsable = await app.inject({
    method: 'POST',
    url: '/things',
    headers: { 'content-type': 'application/json' },
    payload: '{"name":',
  });
  assert.equal(unparsable.statusCode, 400);
  assert.equal(unparsable.json<{ title: string }>().title, 'invalid');

  const accepted = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x', note: null } });
  assert.equal(accepted.statusCode, 200);
  await app.close();
  assert.deepEqual(
    warn.mock.calls.map((call) => call.arguments.join(' ')),
    [],
  );
  warn.mock.restore();
});

test('a body over the limit is 413 naming the limit that refused it: the route its own, else the setting', async () => {
  const app = createHttpServer(silentLogger(), { bodyLimit: 1024 });
  app.post('/small', { bodyLimit: 100 }, async () => ({ ok: true }));
  app.post('/large', async () => ({ ok: true }));
  const body = { text: 'x'.repeat(2000) };
  const small = await app.inject({ method: 'POST', url: '/small', payload: { text: 'x'.repeat(200) } });
  assert.equal(small.statusCode, 413);
  assert.match(small.json<{ detail: string }>().detail, /larger than this route takes \(100 bytes\)/);
  const large = await app.inject({ method: 'POST', url: '/large', payload: body });
  assert.equal(large.statusCode, 413);
  assert.match(large.json<{ detail: string }>().detail, /http\.maxJsonBodyBytes \(1024 bytes\)/);
  await app.close();
});
