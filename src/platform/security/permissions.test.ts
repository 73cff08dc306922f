import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../context.js';
import { silentLogger } from '../log/index.js';
import { userActor, serviceActor } from './identity.js';
import {
  PERMISSIONS,
  ROLES,
  ROLE_PERMISSIONS,
  patientReachOfRoles,
  permissionsOfRoles,
} from './permissions.js';
import { breakGlass, hasPermission, patientScopeOf, permissionsOf, permissionsOfAe } from './policy.js';

const user = (roles: string[]) => userActor({ id: 7, username: 'someone', roles });

test('the permission table: every role grants only known permissions, and the roles differ as intended', () => {
  for (const role of ROLES) {
    for (const p of ROLE_PERMISSIONS[role].permissions) assert.ok(PERMISSIONS.includes(p), `${role}: ${p}`);
  }
  assert.deepEqual(permissionsOfRoles(['auditor']), ['audit.read']);
  assert.ok(permissionsOfRoles(['administrator']).includes('admin.users'));
  assert.ok(!permissionsOfRoles(['administrator']).includes('break-glass'), 'administrators run the system');
  assert.ok(permissionsOfRoles(['radiologist']).includes('report.sign'));
  assert.ok(!permissionsOfRoles(['technologist']).includes('report.sign'));
  assert.ok(!permissionsOfRoles(['clerk']).includes('study.read'), 'the desk sees no images');
  assert.ok(!permissionsOfRoles(['researcher']).includes('patient.read'));
  assert.deepEqual(permissionsOfRoles(['no-such-role']), []);
  // Roles add up.
  const both = permissionsOfRoles(['clerk', 'auditor']);
  assert.ok(both.includes('patient.write') && both.includes('audit.read'));
});

test('policy: permissions from roles, API keys alike; AE permissions translated; the system may all', () => {
  assert.equal(hasPermission(user(['clerk']), 'patient.write'), true);
  assert.equal(hasPermission(user(['clerk']), 'report.sign'), false);
  assert.equal(hasPermission(serviceActor({ name: 'ris', roles: ['technologist'] }), 'study.store'), true);
  assert.equal(hasPermission({ kind: 'user', id: 'x', roles: ['auditor'] }, 'audit.read'), true);
  assert.equal(hasPermission({ kind: 'ae', aeTitle: 'CT1' }, 'study.store'), false);
  assert.equal(
    hasPermission({ kind: 'ae', aeTitle: 'CT1', permissions: permissionsOfAe(['store']) }, 'study.store'),
    true,
  );
  assert.deepEqual(permissionsOfAe(['echo']), []);
  assert.equal(permissionsOf({ kind: 'system', name: 'job' }).size, PERMISSIONS.length);
});

test('data-level limits: a referring physician reaches only referred patients, unless break-glass', () => {
  const ctx = (actor: ReturnType<typeof user>) => createContext(silentLogger(), actor, { door: 'api' });
  assert.equal(patientReachOfRoles(['referring-physician']), 'referred');
  assert.equal(patientReachOfRoles(['referring-physician', 'radiologist']), 'all');
  assert.deepEqual(patientScopeOf(ctx(user(['referring-physician']))), {
    kind: 'referred',
    userId: '7',
    username: 'someone',
  });
  assert.deepEqual(patientScopeOf(ctx(user(['clerk']))), { kind: 'all' });
});

test('break-glass: clinical roles with a real reason get clinical reads for the request; others are refused', () => {
  const elevated = breakGlass(user(['clerk']), '  patient unconscious in ED, need prior CT  ');
  assert.equal(elevated.breakGlass?.reason, 'patient unconscious in ED, need prior CT');
  assert.equal(hasPermission(elevated, 'study.read'), true);
  assert.equal(hasPermission(user(['clerk']), 'study.read'), false);
  assert.equal(hasPermission(elevated, 'report.sign'), false, 'break-glass reads, it does not sign');
  assert.throws(() => breakGlass(user(['researcher']), 'I would like to see it'), /not allowed/);
  assert.throws(() => breakGlass(user(['administrator']), 'I would like to see it'), /not allowed/);
  assert.throws(() => breakGlass(user(['radiologist']), 'because'), /reason/);
});
