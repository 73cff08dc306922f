// SMART on FHIR patient/ scopes over the real FHIR door, with tokens of a local OpenID provider: a token
// launched for one patient reaches that patient's compartment only. Every type the server serves is either
// filtered to the patient or refused (403 OperationOutcome, one security.deny record); another patient's data
// does not leave, by search or by read. (Off the FHIR door such a token is refused: smart-doors.test.ts.)
// And the OpenID settings: an issuer without an audience does not start.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { startServe } from '../support/lantern-server.js';
import { auditRows, lastSeq } from './security-support.js';
import { ONE, TWO, data, patientOf, refused, startSmartStage, type SmartStage } from './smart-fixture.js';

let stage: SmartStage;
let dataDir: string;
let server: SmartStage['server'];
let issuer: SmartStage['issuer'];
let ids: SmartStage['ids'];
let fhir: SmartStage['fhir'];
let readToken = '';
let allToken = '';

before(async () => {
  stage = await startSmartStage();
  ({ dataDir, server, issuer, ids, fhir } = stage);
  const token = (scope: string, name: string) =>
    issuer.token({ preferred_username: name, roles: ['administrator'], scope, patient: ids.one.patient });
  readToken = await token('openid launch/patient patient/*.read', 'smart-reader');
  allToken = await token('openid launch/patient patient/*.*', 'smart-writer');
});

after(async () => {
  await stage?.close();
});

describe('patient/*.read launched for one patient', () => {
  test('every type the server serves is filtered to the patient or refused, with or without ?patient=', async () => {
    const metadata = (await (await fhir(readToken, '/metadata')).json()) as CapabilityStatement;
    const types: string[] = metadata.rest![0]!.resource!.map((r) => r.type);
    assert.ok(types.includes('AuditEvent') && types.includes('ImagingStudy'), types.join());
    const filtered: string[] = [];
    for (const type of types) {
      for (const query of ['', `?patient=${ids.one.patient}`, `?subject=Patient/${ids.one.patient}`]) {
        const response = await fhir(readToken, `/${type}${query}`);
        if (response.status === 403) {
          await refused(response);
          continue;
        }
        assert.equal(response.status, 200, `${type}${query}: ${await response.clone().text()}`);
        const resources = data((await response.json()) as Bundle);
        for (const resource of resources) {
          assert.equal(patientOf(resource), ids.one.patient, `${type}${query}: ${JSON.stringify(resource)}`);
        }
        filtered.push(type);
      }
    }
    // The patient's own compartment is there; nothing outside it is.
    assert.deepEqual(
      [...new Set(filtered)].sort(),
      ['Appointment', 'DiagnosticReport', 'ImagingStudy', 'Patient', 'ServiceRequest'].filter((t) =>
        types.includes(t),
      ),
    );
  });

  test('the audit trail is out of reach: GET /fhir/AuditEvent?patient=<launch patient> is 403, audited once', async () => {
    const since = lastSeq(dataDir);
    await refused(await fhir(readToken, `/AuditEvent?patient=${ids.one.patient}`));
    const rows = auditRows(dataDir, since);
    const denials = rows.filter((r) => r.action === 'security.deny');
    assert.equal(denials.length, 1, JSON.stringify(rows));
    assert.equal(denials[0]!.actorId, 'smart-reader');
    assert.equal(denials[0]!.door, 'fhir');
    assert.equal(denials[0]!.detail.resource, 'search AuditEvent');
    assert.equal(rows.filter((r) => r.action === 'audit.search').length, 0, 'the trail was not searched');
    await refused(await fhir(readToken, '/AuditEvent/1'));
    await refused(await fhir(readToken, `/AuditEvent?entity-id=${ONE.patientId}`));
  });

  test("the patient's own data is there, by search and by read", async () => {
    const orders = data(
      (await (await fhir(readToken, `/ServiceRequest?patient=${ids.one.patient}`)).json()) as Bundle,
    );
    assert.deepEqual(
      orders.map((o) => o.id),
      [ids.one.order],
    );
    const all = data((await (await fhir(readToken, '/ServiceRequest')).json()) as Bundle);
    assert.deepEqual(
      all.map((o) => o.id),
      [ids.one.order],
      'a search without the patient is confined to it',
    );
    const studies = data((await (await fhir(readToken, '/ImagingStudy')).json()) as Bundle);
    assert.deepEqual(
      studies.map((s) => s.id),
      [ONE.studyInstanceUid],
    );
    for (const path of [
      `/Patient/${ids.one.patient}`,
      `/ServiceRequest/${ids.one.order}`,
      `/ImagingStudy/${ONE.studyInstanceUid}`,
    ]) {
      const response = await fhir(readToken, path);
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
      assert.equal(patientOf((await response.json()) as Resource), ids.one.patient);
    }
  });

  test("another patient's data does not leave by search", async () => {
    const two = ids.two.patient;
    const one = ids.one.patient;
    for (const query of [
      `/ServiceRequest?patient=${two}`,
      `/ServiceRequest?subject=Patient/${two}`,
      `/ServiceRequest?patient=${one}&subject=${two}`,
      `/ServiceRequest?patient=${one},${two}`,
      `/ServiceRequest?patient=${one}&patient=${two}`,
      '/ServiceRequest?patient:missing=true',
      `/ServiceRequest?subject:Patient=${two}`,
      `/ImagingStudy?patient=${two}`,
      `/DiagnosticReport?subject=${two}`,
      `/Patient?_id=${two}`,
      `/Patient?_id=${one},${two}`,
    ]) {
      await refused(await fhir(readToken, query));
    }
    // Identifiers that do not name the patient find nothing of another's: the search stays confined.
    const byAccession = data(
      (await (await fhir(readToken, `/ImagingStudy?identifier=${TWO.patientId}`)).json()) as Bundle,
    );
    assert.deepEqual(byAccession, []);
    const byName = data((await (await fhir(readToken, '/Patient?name=Smart')).json()) as Bundle);
    assert.deepEqual(
      byName.map((p) => p.id),
      [ids.one.patient],
    );
    const posted = await fetch(`${server.httpUrl}/fhir/ServiceRequest/_search`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `patient=${two}`,
    });
    await refused(posted);
  });

  test("searches that name resources by id count nothing of another patient's", async () => {
    const two = ids.two.order;
    for (const query of [
      `/ServiceRequest?_id=${two}&_count=0`,
      `/ServiceRequest?_id=999999&_count=0`, // absent looks the same as another's
      `/ServiceRequest?_id=${ids.one.order},${two}`,
      `/DiagnosticReport?based-on=ServiceRequest/${two}&_count=0`,
      `/Appointment?based-on=ServiceRequest/${two}&_count=0`,
      `/Appointment?based-on:missing=false`,
    ]) {
      await refused(await fhir(readToken, query));
    }
    const own = (await (await fhir(readToken, `/ServiceRequest?_id=${ids.one.order}`)).json()) as Bundle;
    assert.equal(own.total, 1);
  });

  test("another patient's data does not leave by read", async () => {
    await refused(await fhir(readToken, `/Patient/${ids.two.patient}`));
    const current = await fetch(`${server.httpUrl}/fhir/ServiceRequest/${ids.two.order}`, {
      headers: server.auth,
    });
    const version = ((await current.json()) as Resource).meta!.versionId!;
    for (const path of [
      `/ServiceRequest/${ids.two.order}`,
      `/ImagingStudy/${TWO.studyInstanceUid}`,
      `/ServiceRequest/${ids.two.order}/_history/${version}`,
    ]) {
      const since = lastSeq(dataDir);
      const response = await fhir(readToken, path);
      const text = await response.text();
      assert.equal(response.status, 404, `${path}: ${text}`);
      assert.ok(!text.includes(TWO.patientId) && !text.includes(`Patient/${ids.two.patient}`), text);
      const denials = auditRows(dataDir, since).filter((r) => r.action === 'security.deny');
      assert.equal(denials.length, 1, path);
    }
  });
});

describe('patient/*.* launched for one patient', () => {
  test('writes must belong to the launch patient; other types and deletes are refused', async () => {
    const order = (patient: string) => ({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${patient}` },
      code: { coding: [{ system: '99LANTERN', code: 'CT-SMART-1' }] },
    });
    const since = lastSeq(dataDir);
    await refused(
      await fhir(allToken, '/ServiceRequest', {
        method: 'POST',
        body: JSON.stringify(order(ids.two.patient)),
      }),
    );
    assert.equal(
      auditRows(dataDir, since).filter((r) => r.action === 'order.place').length,
      0,
      'nothing was placed',
    );
    await refused(
      await fhir(allToken, `/ServiceRequest/${ids.two.order}`, {
        method: 'PUT',
        body: JSON.stringify({ ...order(ids.one.patient), id: ids.two.order }),
      }),
    );
    await refused(
      await fhir(allToken, '/Patient', {
        method: 'POST',
        body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'New' }] }),
      }),
    );
    await refused(
      await fhir(allToken, `/Patient/${ids.two.patient}`, {
        method: 'PUT',
        body: JSON.stringify({ resourceType: 'Patient', id: ids.two.patient, name: [{ family: 'Changed' }] }),
      }),
    );
    // A booking names its patient, and also the order it books: both must be the launch patient's.
    const room = await stage.admin<{ id: number }>('POST', '/api/resources', {
      name: 'CT room SMART',
      aeTitle: 'CTSMART',
      modality: 'CT',
      timeZone: 'Europe/Berlin',
      openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
    });
    assert.equal(room.status, 201, JSON.stringify(room.body));
    const slots = await fetch(
      `${server.httpUrl}/fhir/Slot?schedule=Schedule/${room.body.id}&start=2031-06-02&status=free`,
      { headers: server.auth },
    );
    const slot = data((await slots.json()) as Bundle)[0] as Resource & { start: string; end: string };
    const booking = (order: string) => ({
      resourceType: 'Appointment',
      status: 'booked',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: `Slot/${slot.id}` }],
      basedOn: [{ reference: `ServiceRequest/${order}` }],
      participant: [{ actor: { reference: `Patient/${ids.one.patient}` }, status: 'accepted' }],
    });
    const post = (order: string) =>
      fhir(allToken, '/Appointment', { method: 'POST', body: JSON.stringify(booking(order)) });
    await refused(await post(ids.two.order));
    const other = await stage.admin<{ status: string }>('GET', `/api/orders/${ids.two.order}`);
    assert.equal(other.body.status, 'ordered', "the other patient's order was not booked");
    const own = await post(ids.one.order);
    assert.equal(own.status, 201, await own.text());
    const deleted = await fetch(`${server.httpUrl}/fhir/Subscription/1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${allToken}` },
    });
    await refused(deleted);
  });
});

test('an OpenID issuer without an audience is a configuration error: serve does not start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-smart-aud-'));
  try {
    await assert.rejects(
      startServe({ LANTERN_DATA_DIR: dir, LANTERN_SECURITY_OIDC_ISSUER: issuer.issuer }),
      (error: Error) =>
        /exited with 78/.test(error.message) && /security\.oidc\.audience/.test(error.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
