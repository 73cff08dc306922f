// The administrator's first start and `lantern user add|passwd|disable`, as an operator meets them: the CLI
// runs in its own process against the data folder of a running `lantern serve`, and every change shows at
// once at the server's login (POST /api/auth/login), its refresh tokens and its access tokens.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runLantern } from '../support/lantern-cli.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

let dataDir: string;
let server: RunningLantern;
let env: Record<string, string>;

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { mustChangePassword: boolean };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-cli-users-'));
  env = { LANTERN_DATA_DIR: dataDir };
  server = await startServe(env);
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, token?: string) =>
  fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const login = (username: string, password: string) => post('/api/auth/login', { username, password });
const refresh = (refreshToken: string) => post('/api/auth/refresh', { refreshToken });
const get = (path: string, token: string) =>
  fetch(`${server.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

async function session(username: string, password: string): Promise<Session> {
  const response = await login(username, password);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Session;
}

/** A read on every HTTP door; WADO-URI names an object that need not exist (authorization comes first). */
const EVERY_DOOR = [
  '/api/studies',
  '/dicom-web/studies',
  '/fhir/Patient',
  '/wado?requestType=WADO&studyUID=1.2.3&seriesUID=1.2.3.4&objectUID=1.2.3.4.5',
];

test('first start: a one-time administrator password on stdout; 403 everywhere until it is changed', async () => {
  const printed = /admin password: (\S+)/.exec(server.stdout());
  assert.ok(printed, server.stdout());
  const oneTime = printed[1]!;
  assert.ok(!server.log().includes(oneTime), 'the password is never logged');

  const first = await session('admin', oneTime);
  assert.equal(first.user.mustChangePassword, true);
  for (const path of EVERY_DOOR) {
    assert.equal((await get(path, first.accessToken)).status, 403, path);
  }
  assert.equal((await get('/api/auth/me', first.accessToken)).status, 200);

  const newPassword = 'lantern keeper passphrase 2026';
  const changed = await post(
    '/api/auth/password',
    { currentPassword: oneTime, newPassword },
    first.accessToken,
  );
  assert.equal(changed.status, 204, await changed.text());
  assert.equal((await login('admin', oneTime)).status, 401, 'the one-time password is spent');
  const admin = await session('admin', newPassword);
  assert.equal(admin.user.mustChangePassword, false);
  for (const path of EVERY_DOOR.slice(0, 3)) {
    assert.equal((await get(path, admin.accessToken)).status, 200, path);
  }
  // WADO-URI of an object that is not there: past authorization, not found.
  assert.equal((await get(EVERY_DOOR[3]!, admin.accessToken)).status, 404);

  // The next start finds a user and prints no password.
  await server.stop();
  server = await startServe(env);
  assert.doesNotMatch(server.stdout(), /password/i);
  assert.equal((await login('admin', newPassword)).status, 200);
});

test('user add, passwd and disable take effect at once on the running server', async () => {
  const first = 'first reader passphrase 2026';
  const second = 'second reader passphrase 2026';
  const added = await runLantern(
    ['user', 'add', 'alice', '--role', 'radiologist', '--password-stdin'],
    env,
    `${first}\n`,
  );
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added alice \(radiologist\)/);
  const before = await session('alice', first);
  assert.equal(before.user.mustChangePassword, false);
  assert.equal((await get('/api/studies', before.accessToken)).status, 200);

  const changed = await runLantern(['user', 'passwd', 'alice', '--password-stdin'], env, `${second}\n`);
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal((await login('alice', first)).status, 401, 'the old password no longer works');
  assert.equal((await refresh(before.refreshToken)).status, 401, 'sessions of the old password ended');
  const after = await session('alice', second);
  assert.equal((await get('/api/studies', after.accessToken)).status, 200);

  const disabled = await runLantern(['user', 'disable', 'alice'], env);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.match(disabled.stdout, /alice is disabled/);
  assert.equal((await login('alice', second)).status, 401, 'a disabled user cannot log in');
  assert.equal((await refresh(after.refreshToken)).status, 401, 'nor refresh a session');
  assert.equal((await get('/api/studies', after.accessToken)).status, 401, 'nor use an access token');
});

test('user add without --password-stdin prints a one-time password, to be changed at first login', async () => {
  const added = await runLantern(['user', 'add', 'bob', '--role', 'clerk'], env);
  assert.equal(added.code, 0, added.stderr);
  const oneTime = /One-time password[^:]*: (\S+)/.exec(added.stdout)?.[1];
  assert.ok(oneTime, added.stdout);
  const bob = await session('bob', oneTime);
  assert.equal(bob.user.mustChangePassword, true);
  assert.equal((await get('/api/patients', bob.accessToken)).status, 403);
});
