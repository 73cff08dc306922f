import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPermission } from '../../platform/security/index.js';
import { fhirTypeAccess, routeAccess } from './route-permissions.js';

test('routes map to permissions; the first rule wins; unknown routes are unmapped', () => {
  assert.equal(routeAccess('GET', '/health'), 'public');
  assert.equal(routeAccess('POST', '/api/auth/login'), 'public');
  assert.equal(routeAccess('GET', '/api/auth/me'), 'authenticated');
  assert.equal(routeAccess('GET', '/api/studies'), 'study.read');
  assert.equal(routeAccess('HEAD', '/dicom-web/studies/:study/series'), 'study.read');
  assert.equal(routeAccess('POST', '/dicom-web/studies/:study'), 'study.store');
  assert.equal(routeAccess('DELETE', '/dicom-web/studies/:study'), undefined);
  assert.equal(routeAccess('POST', '/api/orders/:id/report/sign'), 'report.sign');
  assert.equal(routeAccess('PUT', '/api/orders/:id/report/draft'), 'report.write');
  assert.equal(routeAccess('GET', '/api/orders/:id/report.pdf'), 'report.read');
  assert.equal(routeAccess('GET', '/api/orders/:id'), 'order.read');
  assert.equal(routeAccess('PUT', '/api/orders/:id/charges'), 'charge.write');
  assert.equal(routeAccess('GET', '/api/something-new'), undefined);
  assert.equal(routeAccess('GET', '/fhir/metadata'), 'public');
  assert.equal(routeAccess('GET', '/fhir/:type/:id'), 'fhir-type');
});

test('generic FHIR routes: by resource type; unknown types are administrator-only', () => {
  assert.equal(fhirTypeAccess('GET', '/fhir/:type', 'Patient'), 'patient.read');
  assert.equal(fhirTypeAccess('POST', '/fhir/:type/_search', 'ImagingStudy'), 'study.read');
  assert.equal(fhirTypeAccess('POST', '/fhir/:type', 'ServiceRequest'), 'order.write');
  assert.equal(fhirTypeAccess('GET', '/fhir/:type', 'Subscription'), 'admin.config');
  for (const type of ['Patient', 'ImagingStudy', 'AuditEvent', 'Appointment']) {
    assert.ok(isPermission(fhirTypeAccess('PUT', '/fhir/:type/:id', type)));
  }
});
