import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshTestDatabases, testDialects } from '../../../test/support/test-databases.js';
import { createContext, type Door, type UserActor } from '../context.js';
import { LanternError } from '../errors.js';
import { silentLogger } from '../log/index.js';
import { userActor } from './identity.js';
import { authorize, SMART_OFF_DOOR_MESSAGE } from './policy.js';
import { authorizedService } from './service-authorization.js';

// A SMART-scoped token at the service boundary: whatever door asks, only calls from the FHIR door are served,
// so a door that does not gate (or one added later) cannot serve such a token with its roles' whole reach.

const radiologist = userActor({ id: 'oidc:r1', username: 'smart-app', roles: ['radiologist'] });
const scoped: UserActor = {
  ...radiologist,
  oauth: { scopes: ['openid', 'launch/patient', 'patient/*.read'], patient: '3' },
};
const login: UserActor = { ...radiologist, oauth: { scopes: ['openid', 'profile'] } };
const on = (actor: UserActor, door: Door) => createContext(silentLogger(), actor, { door }, `req-${door}`);

for (const dialect of testDialects()) {
  describe(`SMART delegation at the service boundary on ${dialect}`, () => {
    const freshDatabase = freshTestDatabases(dialect);

    test('a scoped token is refused off the FHIR door, once audited, and served on it', async () => {
      const { database } = await freshDatabase();
      const calls: string[] = [];
      const patients = authorizedService(
        database,
        'patients',
        {
          get: async (ctx, id: string) => {
            calls.push(`${ctx.origin.door}:${id}`);
            return { id };
          },
        },
        { get: 'patient.read' },
      );
      for (const door of ['api', 'dicomweb', 'dimse', 'hl7'] as const) {
        await assert.rejects(
          patients.get(on(scoped, door), '1'),
          (error: LanternError) => error.code === 'forbidden' && error.message === SMART_OFF_DOOR_MESSAGE,
        );
      }
      assert.deepEqual(calls, [], 'nothing ran');
      assert.deepEqual(await patients.get(on(scoped, 'fhir'), '3'), { id: '3' });
      assert.deepEqual(await patients.get(on(login, 'api'), '1'), { id: '1' }, 'an OpenID login works');
      assert.deepEqual(calls, ['fhir:3', 'api:1']);

      const rows = await database.kysely.selectFrom('audit_event').selectAll().orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => [r.action, r.outcome, r.door, r.actor_id]),
        ['api', 'dicomweb', 'dimse', 'hl7'].map((door) => ['security.deny', 'failure', door, 'smart-app']),
      );
      assert.deepEqual(JSON.parse(rows[0]!.detail), {
        permission: 'patient.read',
        resource: 'patients.get',
        reason: 'SMART-scoped token on the api door',
        scopes: ['openid', 'launch/patient', 'patient/*.read'],
        launchPatient: '3',
      });
    });

    test('authorize refuses it whatever the roles hold, and still refuses what the roles lack on /fhir', async () => {
      const { database } = await freshDatabase();
      await assert.rejects(authorize(database, on(scoped, 'api'), 'patient.read'), /use it on \/fhir/);
      await authorize(database, on(scoped, 'fhir'), 'patient.read');
      await assert.rejects(authorize(database, on(scoped, 'fhir'), 'admin.users'), /lacks the permission/);
      const rows = await database.kysely.selectFrom('audit_event').selectAll().orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => [r.action, JSON.parse(r.detail).permission]),
        [
          ['security.deny', 'patient.read'],
          ['security.deny', 'admin.users'],
        ],
      );
    });
  });
}
