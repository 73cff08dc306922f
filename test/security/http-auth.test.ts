// `lantern serve` with security.authentication on, over real HTTP: every registered route refuses callers
// without credentials (401) and callers whose role lacks its permission (403); logins, lockout, sessions,
// API keys, CSRF, break-glass and the audit trail's tamper check, as a user and an attacker would meet them.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

const BOOTSTRAP = 'bootstrap-admin-key-for-the-http-auth-test';
const PASSWORD = 'a long enough secret';
const ROLES = [
  'radiologist',
  'technologist',
  'clerk',
  'referring-physician',
  'researcher',
  'auditor',
] as const;

let dataDir: string;
let server: RunningLantern;
let base: string;
const keys: Record<string, string> = {};

const call = (path: string, init: RequestInit & { key?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  return fetch(`${base}${path}`, { ...init, headers });
};
const json = (body: unknown, key?: string): RequestInit & { key?: string } => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  ...(key ? { key } : {}),
});
const login = (username: string, password: string) => call('/api/auth/login', json({ username, password }));
const auditRows = (action: string) => {
  const db = new SqliteDatabase(join(dataDir, 'lantern.db'), { readonly: true });
  try {
    return db
      .prepare('select seq, actor_id, outcome, detail from audit_event where action = ? order by seq')
      .all(action) as { seq: number; actor_id: string; outcome: string; detail: string }[];
  } finally {
    db.close();
  }
};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-auth-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY: BOOTSTRAP,
    LANTERN_SECURITY_LOCKOUT_THRESHOLD: '3',
    LANTERN_SECURITY_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS: '1000',
  });
  base = server.httpUrl;
  for (const role of ROLES) {
    const response = await call('/api/api-keys', json({ name: `key-${role}`, role }, BOOTSTRAP));
    assert.equal(response.status, 201, await response.clone().text());
    keys[role] = ((await response.json()) as { key: string }).key;
  }
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Route {
  method: string;
  url: string;
  access: string;
}

/** A concrete path for a route pattern: any id will do, authorization comes before the route looks. */
const concrete = (url: string) =>
  url
    .replace(':type', 'Patient')
    .replace(/:[A-Za-z]+/g, '1')
    .replace(/\*/g, 'x');

/** The permission a route needs for the concrete path above. */
const needed = (route: Route) => {
  if (route.access !== 'fhir-type') return route.access;
  const reads = route.method === 'GET' || route.method === 'HEAD' || route.url.endsWith('/_search');
  return reads ? 'patient.read' : 'patient.write';
};

test('every route but the public ones: 401 without credentials, 403 for a role without its permission', async () => {
  const listed = await call('/api/admin/routes', { key: BOOTSTRAP });
  assert.equal(listed.status, 200);
  const { routes } = (await listed.json()) as { routes: Route[] };
  for (const expected of [
    'GET /api/studies',
    'GET /dicom-web/studies',
    'POST /dicom-web/studies',
    'GET /wado',
  ]) {
    assert.ok(
      routes.some((r) => `${r.method} ${r.url}` === expected),
      `${expected} is registered`,
    );
  }
  const mine = await call('/api/auth/me', { key: keys.auditor });
  const permissionsOf: Record<string, string[]> = {};
  for (const role of ROLES) {
    const me = (await (await call('/api/auth/me', { key: keys[role] })).json()) as { permissions: string[] };
    permissionsOf[role] = me.permissions;
  }
  assert.equal(mine.status, 200);
  const guarded = routes.filter((r) => r.access !== 'public');
  assert.ok(guarded.length > 80, `${guarded.length} guarded routes`);
  let forbiddenChecked = 0;
  await Promise.all(
    guarded.map(async (route) => {
      const path = concrete(route.url);
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method)
        ? { body: '{}', headers: { 'content-type': 'application/json' } }
        : {};
      const anonymous = await call(path, { method: route.method, ...body });
      assert.equal(anonymous.status, 401, `${route.method} ${route.url} without credentials`);
      if (route.method !== 'HEAD') {
        // problem+json, or an OperationOutcome where the FHIR door answers for itself
        assert.match(anonymous.headers.get('content-type') ?? '', /problem\+json|fhir\+json/);
      }
      if (route.access === 'authenticated') return;
      const permission = needed(route);
      const lacking = ROLES.find((role) => !permissionsOf[role]!.includes(permission));
      assert.ok(lacking, `some role lacks ${permission}`);
      const refused = await call(path, { method: route.method, key: keys[lacking], ...body });
      assert.equal(refused.status, 403, `${route.method} ${route.url} as ${lacking} (needs ${permission})`);
      forbiddenChecked++;
    }),
  );
  assert.ok(forbiddenChecked > 80);
  // Public routes stay open.
  assert.equal((await call('/health')).status, 200);
  assert.equal((await call('/fhir/metadata')).status, 200);
  // Each refusal is audited with what was asked.
  const denials = auditRows('security.deny');
  assert.equal(denials.length, forbiddenChecked);
  assert.ok(denials.every((d) => d.outcome === 'failure' && /"permission"/.test(d.detail)));
});

test('an API key works as Bearer on /api and /dicom-web; a revoked one does not', async () => {
  assert.equal((await call('/api/studies', { key: keys.technologist })).status, 200);
  assert.equal((await call('/dicom-web/studies', { key: keys.technologist })).status, 200);
  assert.equal((await call('/dicom-web/studies', { key: keys.clerk })).status, 403);
  const made = await call('/api/api-keys', json({ name: 'short-lived', role: 'researcher' }, BOOTSTRAP));
  const { key } = (await made.json()) as { key: string };
  assert.equal((await call('/dicom-web/studies', { key })).status, 200);
  assert.equal((await call('/api/api-keys/short-lived', { method: 'DELETE', key: BOOTSTRAP })).status, 204);
  assert.equal((await call('/dicom-web/studies', { key })).status, 401);
  assert.equal((await call('/api/studies', { key: 'lantern_not-a-key' })).status, 401);
});

test('logins: audited exactly once each; three failures lock the account; too many attempts get 429', async () => {
  const created = await call(
    '/api/users',
    json({ username: 'rad1', roles: ['radiologist'], password: PASSWORD }, BOOTSTRAP),
  );
  assert.equal(created.status, 201);
  const ok = await login('rad1', PASSWORD);
  assert.equal(ok.status, 200);
  const session = (await ok.json()) as { accessToken: string; refreshToken: string };
  const bad = await login('rad1', 'not the password');
  assert.equal(bad.status, 401);
  const logins = auditRows('user.login').filter((r) => JSON.parse(r.detail).username === 'rad1');
  assert.deepEqual(
    logins.map((r) => [r.outcome, r.actor_id]),
    [
      ['success', 'rad1'],
      ['failure', 'anonymous'],
    ],
  );
  // The access token opens what a radiologist may see, over both doors.
  assert.equal((await call('/api/studies', { key: session.accessToken })).status, 200);
  assert.equal((await call('/dicom-web/studies', { key: session.accessToken })).status, 200);
  assert.equal((await call('/api/users', { key: session.accessToken })).status, 403);
  // Refresh rotates; the spent refresh token is refused (and ends that session).
  const refreshed = await call('/api/auth/refresh', json({ refreshToken: session.refreshToken }));
  assert.equal(refreshed.status, 200);
  assert.equal((await call('/api/auth/refresh', json({ refreshToken: session.refreshToken }))).status, 401);
  assert.equal(auditRows('session.reuse').length, 1);

  await login('rad1', 'not the password 2');
  await login('rad1', 'not the password 3');
  assert.equal(auditRows('user.lockout').length, 1);
  const locked = await login('rad1', PASSWORD);
  assert.equal(locked.status, 401);
  assert.equal(JSON.parse(auditRows('user.login').at(-1)!.detail).reason, 'locked');

  const flood: number[] = [];
  for (let i = 0; i < 11; i++) flood.push((await login('nobody-at-all', `guess number ${i}`)).status);
  assert.deepEqual(flood, [...Array(10).fill(401), 429]);
});

test('cookie sessions need the CSRF token for unsafe methods; security headers are set', async () => {
  await call('/api/users', json({ username: 'web1', roles: ['clerk'], password: PASSWORD }, BOOTSTRAP));
  const response = await login('web1', PASSWORD);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookies = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  assert.ok(response.headers.getSetCookie().every((c) => /SameSite=Strict/.test(c)));
  assert.ok(response.headers.getSetCookie().some((c) => /^lantern_access=.*HttpOnly/.test(c)));
  const read = await call('/api/patients', { headers: { cookie: cookies } });
  assert.equal(read.status, 200);
  assert.equal(read.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(read.headers.get('x-frame-options'), 'DENY');
  assert.equal(read.headers.get('referrer-policy'), 'no-referrer');
  const patient = { patientId: 'CSRF1', name: { family: 'Forge', given: ['Cross'] } };
  const forged = await call('/api/patients', {
    ...json(patient),
    headers: { 'content-type': 'application/json', cookie: cookies },
  });
  assert.equal(forged.status, 403);
  const real = await call('/api/patients', {
    ...json(patient),
    headers: { 'content-type': 'application/json', cookie: cookies, 'x-csrf-token': csrfToken },
  });
  assert.ok(![401, 403].includes(real.status), `with the token: ${real.status}`);
});

test('break-glass: a clerk reads studies for one request with a reason, flagged in the audit', async () => {
  await call('/api/users', json({ username: 'desk1', roles: ['clerk'], password: PASSWORD }, BOOTSTRAP));
  const { accessToken } = (await (await login('desk1', PASSWORD)).json()) as { accessToken: string };
  assert.equal((await call('/dicom-web/studies', { key: accessToken })).status, 403);
  const reason = 'patient unconscious in ED, prior imaging needed';
  const urgent = await call('/dicom-web/studies', {
    key: accessToken,
    headers: { 'x-lantern-break-glass': reason },
  });
  assert.equal(urgent.status, 200);
  const grants = auditRows('security.break-glass');
  assert.equal(grants.length, 1);
  assert.equal(grants[0]!.actor_id, 'desk1');
  assert.equal(JSON.parse(grants[0]!.detail).breakGlass, reason);
  assert.equal((await call('/dicom-web/studies', { key: accessToken })).status, 403, 'only that request');
  const researcher = await call('/dicom-web/studies', {
    key: keys.auditor,
    headers: { 'x-lantern-break-glass': reason },
  });
  assert.equal(researcher.status, 403);
});

test('the audit trail verifies; after a row is edited in the database, lantern audit verify names it', async () => {
  const intact = await call('/api/audit/verify', { key: keys.auditor });
  assert.equal(intact.status, 200);
  assert.equal(((await intact.json()) as { intact: boolean }).intact, true);
  const db = new SqliteDatabase(join(dataDir, 'lantern.db'));
  const target = db
    .prepare("select seq from audit_event where action = 'user.login' order by seq limit 1")
    .get() as { seq: number };
  db.prepare("update audit_event set actor_id = 'someone-else' where seq = ?").run(target.seq);
  db.close();
  const report = (await (await call('/api/audit/verify', { key: keys.auditor })).json()) as {
    intact: boolean;
    firstBrokenSeq: number;
  };
  assert.deepEqual([report.intact, report.firstBrokenSeq], [false, target.seq]);
  const broken = await runLantern(['audit', 'verify'], { LANTERN_DATA_DIR: dataDir });
  assert.equal(broken.code, 1, broken.stderr);
  assert.match(
    broken.stdout,
    new RegExp(`BROKEN at record ${target.seq} \\(user\\.login by user:someone-else`),
  );
});
