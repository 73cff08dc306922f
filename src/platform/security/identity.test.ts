import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../../test/support/test-databases.js';
import { createContext } from '../context.js';
import { LanternError } from '../errors.js';
import { silentLogger } from '../log/index.js';
import { createAccessTokens } from './access-tokens.js';
import { hashApiKey } from './api-keys.js';
import { createAeTable } from './application-entities.js';
import { verifyAuditChain } from './audit.js';
import { userActor } from './identity.js';
import { authorize } from './policy.js';
import { createSecurity, type SecuritySettings } from './security-service.js';

const admin = createContext(silentLogger(), { kind: 'system', name: 'test' }, { door: 'cli' });
const anonymous = createContext(
  silentLogger(),
  { kind: 'user', id: 'anonymous', roles: [] },
  {
    door: 'api',
    remoteAddress: '127.0.0.1',
  },
);
const SETTINGS: SecuritySettings = {
  authentication: 'on',
  bootstrapAdminApiKey: '',
  accessTokenMinutes: 15,
  refreshTokenHours: 12,
  lockoutThreshold: 3,
  lockoutMinutes: 10,
  loginAttemptsPerMinutePerAddress: 100,
  loginAttemptsPerMinutePerUser: 100,
  tokenKeyFile: '',
  oidc: {
    issuer: '',
    audience: '',
    jwksUri: '',
    rolesClaim: 'roles',
    usernameClaim: 'preferred_username',
    roleMap: [],
  },
};
const code = (c: string) => (e: unknown) => e instanceof LanternError && e.code === c;
const PASSWORD = 'a long enough secret';

for (const dialect of testDialects()) {
  describe(`identity on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);
    const fresh = async (settings: Partial<SecuritySettings> = {}) => {
      const t = await freshDatabase();
      const security = await createSecurity(t.database, { ...SETTINGS, ...settings }, t.dataDir);
      const audit = async (action: string) =>
        (
          await t.database.kysely
            .selectFrom('audit_event')
            .select(['action', 'outcome', 'actor_id', 'detail'])
            .where('action', '=', action)
            .orderBy('seq')
            .execute()
        ).map((r) => ({ ...r, detail: JSON.parse(r.detail ?? '{}') as Record<string, unknown> }));
      return { t, security, audit };
    };

    test('users: added with rules checked, login audited once per attempt, lockout after N failures', async () => {
      const { t, security, audit } = await fresh();
      await assert.rejects(
        security.users.add(admin, { username: 'ann', roles: ['clerk'], password: 'short' }),
        code('invalid'),
      );
      await assert.rejects(
        security.users.add(admin, { username: 'ann', roles: ['janitor'], password: PASSWORD }),
        /unknown role/,
      );
      await assert.rejects(
        security.users.add(admin, {
          username: 'ann',
          displayName: 'Ann\nSigns Twice',
          roles: ['clerk'],
          password: PASSWORD,
        }),
        code('invalid'),
        'a display name prints on signed reports: one line',
      );
      await security.users.add(admin, { username: 'Ann', roles: ['clerk'], password: PASSWORD });
      await assert.rejects(
        security.users.add(admin, { username: 'ann', roles: ['clerk'], password: PASSWORD }),
        code('conflict'),
      );
      const session = await security.login(anonymous, 'ANN', PASSWORD);
      assert.equal(session.user.username, 'ann');
      await assert.rejects(security.login(anonymous, 'ann', 'wrong password!'), code('unauthenticated'));
      await assert.rejects(security.login(anonymous, 'nobody', PASSWORD), code('unauthenticated'));
      const logins = await audit('user.login');
      assert.deepEqual(
        logins.map((l) => [l.outcome, l.actor_id, l.detail.username, l.detail.reason]),
        [
          ['success', 'ann', 'ann', undefined],
          ['failure', 'anonymous', 'ann', 'wrong-password'],
          ['failure', 'anonymous', 'nobody', 'unknown-user'],
        ],
      );
      // Two more failures make three in a row: locked, and the right password no longer helps.
      await assert.rejects(security.login(anonymous, 'ann', 'wrong password!'), code('unauthenticated'));
      assert.equal((await audit('user.lockout')).length, 0);
      await assert.rejects(security.login(anonymous, 'ann', 'wrong password!'), code('unauthenticated'));
      assert.equal((await audit('user.lockout')).length, 1);
      await assert.rejects(security.login(anonymous, 'ann', PASSWORD), code('unauthenticated'));
      assert.equal((await audit('user.login')).at(-1)!.detail.reason, 'locked');
      // When the lock has run out, the right password works again and the count starts afresh.
      await t.database.kysely
        .updateTable('security_user')
        .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
        .execute();
      await security.login(anonymous, 'ann', PASSWORD);
      assert.equal((await security.users.find(admin, 'ann'))!.failedLogins, 0);
      // Disabled: the password is right, the login still fails.
      await security.users.setDisabled(admin, 'ann', true);
      await assert.rejects(security.login(anonymous, 'ann', PASSWORD), code('unauthenticated'));
      assert.equal((await audit('user.login')).at(-1)!.detail.reason, 'disabled');
      const stored = await t.database.kysely
        .selectFrom('security_user')
        .select('password_hash')
        .executeTakeFirst();
      assert.match(stored!.password_hash, /^\$argon2id\$/);
      assert.deepEqual((await verifyAuditChain(t.database)).intact, true);
    });

    test('access tokens expire; refresh tokens rotate, and a reused one ends the session', async () => {
      const { t, security, audit } = await fresh();
      await security.users.add(admin, {
        username: 'rad',
        displayName: 'Rita Reader MD',
        roles: ['radiologist'],
        password: PASSWORD,
      });
      const session = await security.login(anonymous, 'rad', PASSWORD);
      const who = await security.authenticateBearer(anonymous, session.accessToken, 'GET /api/test');
      assert.equal(who.method, 'access-token');
      assert.deepEqual(who.actor.kind === 'user' && who.actor.roles, ['radiologist']);
      // The account's display name travels with the actor: it is what a report signed by this user prints.
      assert.equal(who.actor.kind === 'user' && who.actor.displayName, 'Rita Reader MD');

      const key = new Uint8Array(32).fill(7);
      let now = new Date('2030-01-01T00:00:00Z');
      const tokens = createAccessTokens(key, { accessTokenMinutes: 15 }, () => now);
      const token = (await tokens.issue({ id: 1, username: 'rad' })).token;
      now = new Date('2030-01-01T00:14:00Z');
      assert.equal((await tokens.verify(token)).username, 'rad');
      now = new Date('2030-01-01T00:16:00Z');
      await assert.rejects(tokens.verify(token), /expired/);
      await assert.rejects(
        security.authenticateBearer(anonymous, token, 'GET /api/test'),
        /invalid access token/,
        'signed with another key',
      );

      const second = await security.refresh(anonymous, session.refreshToken);
      assert.notEqual(second.refreshToken, session.refreshToken);
      const third = await security.refresh(anonymous, second.refreshToken);
      await assert.rejects(security.refresh(anonymous, session.refreshToken), code('unauthenticated'));
      assert.equal((await audit('session.reuse')).length, 1);
      await assert.rejects(
        security.refresh(anonymous, third.refreshToken),
        code('unauthenticated'),
        'family revoked',
      );

      const other = await security.login(anonymous, 'rad', PASSWORD);
      await t.database.kysely
        .updateTable('security_refresh_token')
        .set({ expires_at: '2000-01-01T00:00:00.000Z' })
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute();
      await assert.rejects(security.refresh(anonymous, other.refreshToken), /expired/);

      const last = await security.login(anonymous, 'rad', PASSWORD);
      await security.logout(anonymous, last.refreshToken);
      await assert.rejects(security.refresh(anonymous, last.refreshToken), code('unauthenticated'));
      // A disabled user's access token stops working at once.
      await security.users.setDisabled(admin, 'rad', true);
      await assert.rejects(
        security.authenticateBearer(anonymous, last.accessToken, 'GET /api/test'),
        /disabled/,
      );
    });

    test('API keys: shown once, stored hashed, checked, revoked; the bootstrap key follows its setting', async () => {
      const { t, security, audit } = await fresh({
        bootstrapAdminApiKey: 'bootstrap-secret-0123456789abcdef',
      });
      const created = await security.apiKeys.create(admin, {
        name: 'modality-router',
        roles: ['technologist'],
      });
      assert.match(created.key, /^lantern_[A-Za-z0-9_-]{43}$/);
      const row = await t.database.kysely
        .selectFrom('security_api_key')
        .selectAll()
        .where('name', '=', 'modality-router')
        .executeTakeFirstOrThrow();
      assert.equal(row.key_hash, hashApiKey(created.key));
      assert.ok(!JSON.stringify(row).includes(created.key.slice(8)), 'the secret is not stored');
      const who = await security.authenticateBearer(anonymous, created.key, 'GET /api/test');
      assert.deepEqual(who.actor, {
        kind: 'service',
        apiKeyName: 'modality-router',
        roles: ['technologist'],
        permissions: who.actor.kind === 'service' ? who.actor.permissions : [],
      });
      await assert.rejects(
        security.apiKeys.create(admin, { name: 'modality-router', roles: ['clerk'] }),
        code('conflict'),
      );
      await security.apiKeys.revoke(admin, 'modality-router');
      await assert.rejects(security.authenticateBearer(anonymous, created.key, 'GET /api/test'), /revoked/);
      await assert.rejects(
        security.authenticateBearer(anonymous, 'lantern_guessed', 'GET /api/test'),
        code('unauthenticated'),
      );

      await security.prepareFirstStart(admin);
      await security.prepareFirstStart(admin); // unchanged: no second record
      const bootstrap = await security.authenticateBearer(
        anonymous,
        'bootstrap-secret-0123456789abcdef',
        'GET /api/test',
      );
      assert.deepEqual(bootstrap.actor.kind === 'service' && bootstrap.actor.roles, ['administrator']);
      assert.deepEqual(
        (await audit('apikey.create')).map((a) => a.detail.name),
        ['modality-router', 'bootstrap-admin'],
      );
      assert.deepEqual(
        (await audit('apikey.revoke')).map((a) => a.detail.name),
        ['modality-router'],
      );
      // The two refused keys: each one failure record, without the secret.
      const refused = await audit('security.authenticate');
      assert.equal(refused.length, 2);
      for (const record of refused) {
        assert.equal(record.outcome, 'failure');
        assert.deepEqual([record.detail.method, record.detail.resource], ['api-key', 'GET /api/test']);
        assert.ok(!JSON.stringify(record).includes('guessed'));
        assert.ok(!JSON.stringify(record).includes(created.key.slice(8)));
      }
    });

    test('first start with authentication on creates admin once, with a one-time password to change', async () => {
      const { security } = await fresh();
      const { adminPassword } = await security.prepareFirstStart(admin);
      assert.ok(adminPassword);
      assert.deepEqual(await security.prepareFirstStart(admin), {});
      const session = await security.login(anonymous, 'admin', adminPassword);
      assert.equal(session.user.mustChangePassword, true);
      const who = await security.authenticateBearer(anonymous, session.accessToken, 'GET /api/test');
      assert.equal(who.mustChangePassword, true);
      await assert.rejects(
        security.users.changeOwnPassword(anonymous, 'admin', 'not the password', 'a brand new secret'),
        code('forbidden'),
      );
      await security.users.changeOwnPassword(anonymous, 'admin', adminPassword, 'a brand new secret');
      assert.equal(
        (await security.authenticateBearer(anonymous, session.accessToken, 'GET /api/test'))
          .mustChangePassword,
        false,
      );
      const off = await fresh({ authentication: 'off' });
      assert.deepEqual(await off.security.prepareFirstStart(admin), {});
      assert.equal(await off.security.users.count(), 0);
    });

    test('authorize refuses what the roles lack and audits the denial once', async () => {
      const { t, audit } = await fresh();
      const clerk = createContext(silentLogger(), userActor({ id: 3, username: 'desk', roles: ['clerk'] }), {
        door: 'api',
      });
      await authorize(t.database, clerk, 'patient.write');
      await assert.rejects(
        authorize(t.database, clerk, 'report.sign', { studyInstanceUid: '1.2.3', resource: 'POST /x' }),
        (e: unknown) => e instanceof LanternError && e.code === 'forbidden' && /report\.sign/.test(e.message),
      );
      const denials = await audit('security.deny');
      assert.deepEqual(
        denials.map((d) => [d.outcome, d.actor_id, d.detail.permission, d.detail.resource]),
        [['failure', 'desk', 'report.sign', 'POST /x']],
      );
    });

    test('administration authorizes in the service too: users, API keys and the AE table', async () => {
      const { t, security, audit } = await fresh();
      const clerk = createContext(silentLogger(), userActor({ id: 4, username: 'desk', roles: ['clerk'] }), {
        door: 'api',
      });
      const aes = createAeTable(t.database, { configured: [], unknownAePermissions: [] });
      const refused = [
        () =>
          security.users.add(clerk, { username: 'mallory', roles: ['administrator'], password: PASSWORD }),
        () => security.users.setRoles(clerk, 'desk', ['administrator']),
        () => security.apiKeys.create(clerk, { name: 'backdoor', roles: ['administrator'] }),
        () => aes.save(clerk, { aeTitle: 'ROGUE', host: '127.0.0.1', port: 104, permissions: ['retrieve'] }),
      ];
      // One at a time, so the denials are recorded in this order.
      for (const attempt of refused) await assert.rejects(attempt(), code('forbidden'));
      assert.deepEqual(
        (await audit('security.deny')).map((d) => [d.detail.permission, d.detail.resource]),
        [
          ['admin.users', 'users.add'],
          ['admin.users', 'users.setRoles'],
          ['admin.users', 'apiKeys.create'],
          ['ae.write', 'aeTable.save'],
        ],
      );
      assert.equal(await security.users.count(), 0, 'nothing was added');
      await security.users.add(admin, { username: 'desk', roles: ['clerk'], password: PASSWORD });
    });
  });
}
