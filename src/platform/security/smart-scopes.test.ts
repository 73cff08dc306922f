import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserActor } from '../context.js';
import { userActor } from './identity.js';
import { parseSmartScopes, smartDelegationOf, smartScopesAllow } from './smart-scopes.js';

test('SMART scopes are parsed (v1 and v2), other scopes are left out', () => {
  const scopes = parseSmartScopes(
    'openid fhirUser launch patient/*.read user/ImagingStudy.read system/*.* patient/Observation.rs x/y.z user/bad',
  );
  assert.deepEqual(
    scopes.map((s) => [s.context, s.resourceType, [...s.interactions].sort().join(',')]),
    [
      ['patient', '*', 'read,search'],
      ['user', 'ImagingStudy', 'read,search'],
      ['system', '*', 'create,delete,read,search,update'],
      ['patient', 'Observation', 'read,search'],
    ],
  );
  assert.deepEqual(
    parseSmartScopes(['user/Patient.write'])[0]!.interactions,
    new Set(['create', 'update', 'delete']),
  );
  assert.deepEqual(
    parseSmartScopes('patient/Observation.rs?category=laboratory'),
    [],
    'narrowing queries: left out',
  );
});

test('a scoped token cannot read outside its scope', () => {
  const user = parseSmartScopes('user/ImagingStudy.read');
  assert.deepEqual(smartScopesAllow(user, { resourceType: 'ImagingStudy', interaction: 'search' }), {
    allowed: true,
  });
  assert.deepEqual(smartScopesAllow(user, { resourceType: 'Patient', interaction: 'read' }), {
    allowed: false,
  });
  assert.deepEqual(smartScopesAllow(user, { resourceType: 'ImagingStudy', interaction: 'update' }), {
    allowed: false,
  });

  const patient = parseSmartScopes('patient/*.read');
  const launch = { patient: 'P1' };
  assert.deepEqual(smartScopesAllow(patient, { resourceType: 'ImagingStudy', interaction: 'read' }, launch), {
    allowed: true,
    patientCompartment: 'P1',
  });
  assert.deepEqual(
    smartScopesAllow(patient, { resourceType: 'ImagingStudy', interaction: 'read', patientId: 'P2' }, launch),
    { allowed: false },
  );
  assert.deepEqual(smartScopesAllow(patient, { resourceType: 'ImagingStudy', interaction: 'read' }), {
    allowed: false,
  });
  assert.deepEqual(smartScopesAllow(patient, { resourceType: 'Patient', interaction: 'create' }, launch), {
    allowed: false,
  });
  const system = parseSmartScopes('system/*.*');
  assert.deepEqual(smartScopesAllow(system, { resourceType: 'Patient', interaction: 'delete' }), {
    allowed: true,
  });
});

test("a token is an app's delegation when it carries resource scopes or a launch patient", () => {
  const radiologist = userActor({ id: 'oidc:r1', username: 'r1', roles: ['radiologist'] });
  const withOauth = (scopes: string[], patient?: string): UserActor => ({
    ...radiologist,
    oauth: { scopes, ...(patient === undefined ? {} : { patient }) },
  });
  assert.equal(smartDelegationOf(radiologist), undefined, 'no scopes at all');
  assert.equal(smartDelegationOf(withOauth(['openid', 'profile'])), undefined, 'an OpenID login');
  assert.equal(smartDelegationOf(withOauth(['openid', 'launch/patient', 'fhirUser'])), undefined);
  assert.deepEqual(smartDelegationOf(withOauth(['openid', 'launch/patient', 'patient/*.read'], '3')), {
    scopes: ['openid', 'launch/patient', 'patient/*.read'],
    patient: '3',
  });
  assert.deepEqual(smartDelegationOf(withOauth(['openid', 'user/ImagingStudy.read'])), {
    scopes: ['openid', 'user/ImagingStudy.read'],
  });
  assert.ok(smartDelegationOf(withOauth(['system/*.*'])));
  assert.ok(smartDelegationOf(withOauth(['openid'], '3')), 'a launch patient alone');
  // A resource scope Lantern cannot read still marks the token as an app's (it then grants nothing).
  assert.ok(smartDelegationOf(withOauth(['patient/Observation.rs?category=laboratory'])));
  assert.equal(smartDelegationOf({ kind: 'service', apiKeyName: 'k', roles: ['administrator'] }), undefined);
  assert.equal(smartDelegationOf({ kind: 'system', name: 'cli' }), undefined);
});
