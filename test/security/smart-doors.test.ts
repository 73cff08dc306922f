// A SMART-scoped token is an app's delegation, good on the FHIR door only: the reviewer's token (a
// radiologist's app launched for one patient with patient/*.read) is refused on /api, /dicom-web and /wado
// (403 problem+json, one security.deny naming the scopes, nothing read or written), whatever its roles and
// even with break-glass; on /fhir it still reads its patient. An OpenID login without resource scopes works
// everywhere by its roles.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { auditRows, lastSeq } from './security-support.js';
import { ONE, TWO, data, refused, startSmartStage, type SmartStage } from './smart-fixture.js';

let stage: SmartStage;
let dataDir: string;
let server: SmartStage['server'];
let issuer: SmartStage['issuer'];
let ids: SmartStage['ids'];
let fhir: SmartStage['fhir'];
let admin: SmartStage['admin'];
let adminToken = '';
// The reviewer's tokens: a radiologist's SMART app launched for patient one, and the same person's login.
let reviewerToken = '';
let loginToken = '';
const REVIEWER_SCOPE = 'openid launch/patient patient/*.read';
const uids = { series: '', instance: '' };

before(async () => {
  stage = await startSmartStage();
  ({ dataDir, server, issuer, ids, fhir, admin } = stage);
  adminToken = await issuer.token({
    preferred_username: 'smart-admin',
    roles: ['administrator'],
    scope: 'openid launch/patient patient/*.*',
    patient: ids.one.patient,
  });
  reviewerToken = await issuer.token({
    preferred_username: 'smart-radiologist',
    roles: ['radiologist'],
    scope: REVIEWER_SCOPE,
    patient: ids.one.patient,
  });
  loginToken = await issuer.token({
    preferred_username: 'oidc-radiologist',
    roles: ['radiologist'],
    scope: 'openid profile',
  });
  const instances = await admin<Record<string, { Value: string[] }>[]>(
    'GET',
    `/dicom-web/studies/${TWO.studyInstanceUid}/instances`,
  );
  assert.equal(instances.status, 200, JSON.stringify(instances.body));
  uids.series = instances.body[0]!['0020000E']!.Value[0]!;
  uids.instance = instances.body[0]!['00080018']!.Value[0]!;
});

after(async () => {
  await stage?.close();
});

const call = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${server.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('a SMART-scoped token off the FHIR door', () => {
  const wado = () =>
    `/wado?requestType=WADO&studyUID=${TWO.studyInstanceUid}&seriesUID=${uids.series}` +
    `&objectUID=${uids.instance}&contentType=application/dicom`;
  const doors = (): [method: string, path: string, door: string, body?: unknown][] => [
    ['GET', `/api/patients/${ids.two.patient}`, 'api'],
    ['GET', `/api/patients/${ids.one.patient}`, 'api'], // even the launch patient: /api reads no scopes
    ['GET', '/api/orders', 'api'],
    ['GET', `/api/orders/${ids.two.order}/report.txt`, 'api'],
    ['GET', '/api/auth/me', 'api'],
    ['GET', `/dicom-web/studies/${TWO.studyInstanceUid}/metadata`, 'dicomweb'],
    ['GET', `/dicom-web/studies?PatientID=${TWO.patientId}`, 'dicomweb'],
    ['GET', wado(), 'dicomweb'],
    ['POST', `/api/orders/${ids.two.order}/notes`, 'api', { text: 'written with a read-only token' }],
  ];

  test('is refused on /api, /dicom-web and /wado: 403 problem+json, one security.deny each, nothing leaks', async () => {
    for (const [method, path, door, body] of doors()) {
      const since = lastSeq(dataDir);
      const response = await call(reviewerToken, method, path, body);
      const text = await response.text();
      assert.equal(response.status, 403, `${method} ${path}: ${text}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      // The problem names the path asked (what the caller sent) and says nothing else of the data.
      const { instance, ...problem } = JSON.parse(text) as { instance: string; detail: string };
      assert.equal(instance, path);
      assert.deepEqual(problem, {
        type: 'about:blank',
        title: 'forbidden',
        status: 403,
        detail: 'this token carries SMART scopes: use it on /fhir',
      });
      // The refusal is the only record: nothing was read, nothing written.
      const rows = auditRows(dataDir, since);
      assert.equal(rows.length, 1, `${method} ${path}: ${JSON.stringify(rows)}`);
      const [deny] = rows;
      assert.equal(deny!.action, 'security.deny');
      assert.equal(deny!.outcome, 'failure');
      assert.equal(deny!.actorId, 'smart-radiologist');
      assert.equal(deny!.door, door);
      assert.deepEqual(deny!.detail.scopes, REVIEWER_SCOPE.split(' '));
      assert.equal(deny!.detail.launchPatient, ids.one.patient);
      assert.match(String(deny!.detail.resource), new RegExp(`^${method} /(api|dicom-web|wado)`));
    }
    const notes = await admin<{ notes: unknown[] }>('GET', `/api/orders/${ids.two.order}/notes`);
    assert.equal(notes.status, 200);
    assert.deepEqual(notes.body.notes, [], 'the read-only token wrote nothing');
  });

  test('an administrator role does not help, nor break-glass', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await call(adminToken, method, `/api/patients/${ids.two.patient}`);
      assert.equal(response.status, 403, await response.text());
    }
    const users = await call(adminToken, 'GET', '/api/users');
    assert.equal(users.status, 403, await users.text());
    const since = lastSeq(dataDir);
    const glass = await fetch(`${server.httpUrl}/api/patients/${ids.two.patient}`, {
      headers: {
        authorization: `Bearer ${reviewerToken}`,
        'x-lantern-break-glass': 'patient collapsed in the scanner',
      },
    });
    assert.equal(glass.status, 403, await glass.text());
    assert.deepEqual(
      auditRows(dataDir, since).map((r) => r.action),
      ['security.deny'],
      'no break-glass grant for an app',
    );
  });

  test('the same token on /fhir still reads its patient, and only its patient', async () => {
    const own = await fhir(reviewerToken, `/Patient/${ids.one.patient}`);
    assert.equal(own.status, 200, await own.clone().text());
    assert.equal(((await own.json()) as Resource).id, ids.one.patient);
    const studies = data((await (await fhir(reviewerToken, '/ImagingStudy')).json()) as Bundle);
    assert.deepEqual(
      studies.map((s) => s.id),
      [ONE.studyInstanceUid],
    );
    await refused(await fhir(reviewerToken, `/Patient/${ids.two.patient}`));
  });

  test('a token whose only resource scope Lantern cannot read reaches nothing, on /fhir or elsewhere', async () => {
    const token = await issuer.token({
      preferred_username: 'smart-unread',
      roles: ['administrator'],
      scope: 'openid patient/Observation.rs?category=laboratory',
    });
    await refused(await fhir(token, '/Patient'));
    await refused(await fhir(token, `/Patient/${ids.two.patient}`));
    assert.equal((await call(token, 'GET', '/api/patients')).status, 403);
  });

  test('an OpenID login without resource scopes works on /api and /dicom-web by its roles', async () => {
    const patient = await call(loginToken, 'GET', `/api/patients/${ids.two.patient}`);
    assert.equal(patient.status, 200, await patient.clone().text());
    assert.ok((await patient.text()).includes(TWO.patientId));
    const orders = await call(loginToken, 'GET', '/api/orders');
    assert.equal(orders.status, 200);
    const listed = ((await orders.json()) as { orders: { id: number }[] }).orders.map((o) => String(o.id));
    assert.ok(listed.includes(ids.one.order) && listed.includes(ids.two.order), listed.join());
    const metadata = await call(loginToken, 'GET', `/dicom-web/studies/${TWO.studyInstanceUid}/metadata`);
    assert.equal(metadata.status, 200, await metadata.clone().text());
    assert.ok((await metadata.text()).includes(TWO.patientId));
    const file = await call(loginToken, 'GET', wado());
    assert.equal(file.status, 200, await file.clone().text());
    assert.equal(file.headers.get('content-type'), 'application/dicom');
    const fromFhir = await fhir(loginToken, `/Patient/${ids.two.patient}`);
    assert.equal(fromFhir.status, 200, 'and on /fhir, not narrowed');
  });
});
