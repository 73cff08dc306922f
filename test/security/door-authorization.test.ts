// Each door refuses who it must, with the right answer, and audits the refusal once: DIMSE by calling AE
// (association rejected; an operation the AE lacks the permission for answered 0124H), HL7 by sending
// application and facility (AR), FHIR by the SMART scopes of an OpenID token (403).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, hl7Message, lastSeq, sendMllp, startIssuer, type AuditRow } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const BOOTSTRAP = 'bootstrap-admin-key-for-the-door-test';

let dataDir: string;
let server: RunningLantern;
let issuer: Awaited<ReturnType<typeof startIssuer>>;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-doors-'));
  issuer = await startIssuer();
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY: BOOTSTRAP,
    LANTERN_SECURITY_OIDC_ISSUER: issuer.issuer,
    LANTERN_SECURITY_OIDC_AUDIENCE: 'lantern',
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: '',
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'GETTER', host: '127.0.0.1', port: 104, permissions: ['retrieve'] },
    ]),
    LANTERN_HL7_ALLOWED_SENDERS: 'RIS^HOSP=adt',
    LANTERN_HL7_ACK_WAIT_MS: '0',
  });
});

after(async () => {
  await server?.stop();
  await issuer?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The security.deny records written by `work`. */
async function denialsOf(work: () => Promise<void>): Promise<AuditRow[]> {
  const since = lastSeq(dataDir);
  await work();
  return auditRows(dataDir, since).filter((row) => row.action === 'security.deny');
}

describe('DIMSE door', () => {
  test('an unknown calling AE is rejected at association, and the rejection audited once', async () => {
    let output = '';
    const denials = await denialsOf(async () => {
      const result = await runTool('echoscu', [
        '-aec',
        'LANTERN',
        '-aet',
        'STRANGER',
        '127.0.0.1',
        String(server.dicomPort),
      ]);
      assert.notEqual(result.code, 0);
      output = result.output;
    });
    assert.match(output, /Association Rejected|Calling AE Title Not Recognized/i);
    assert.equal(denials.length, 1, JSON.stringify(denials));
    const [denial] = denials;
    assert.equal(denial!.actorKind, 'ae');
    assert.equal(denial!.actorId, 'STRANGER');
    assert.equal(denial!.door, 'dimse');
    assert.equal(denial!.remoteAddress, '127.0.0.1');
    assert.equal(denial!.outcome, 'failure');
    assert.equal(denial!.detail.resource, 'A-ASSOCIATE');
  });

  test('C-STORE from an AE that may only retrieve is refused 0124H and audited once', async () => {
    const since = lastSeq(dataDir);
    const result = await runTool('storescu', [
      '-v',
      '-aec',
      'LANTERN',
      '-aet',
      'GETTER',
      '127.0.0.1',
      String(server.dicomPort),
      CT_SMALL,
    ]);
    assert.match(result.output, /Received Store Response \(.*0x124\)/, result.output);
    const rows = auditRows(dataDir, since);
    const denials = rows.filter((row) => row.action === 'security.deny');
    assert.equal(denials.length, 1, JSON.stringify(rows));
    assert.equal(denials[0]!.actorId, 'GETTER');
    assert.equal(denials[0]!.detail.permission, 'study.store');
    assert.match(String(denials[0]!.detail.resource), /^C-STORE 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2$/);
    assert.equal(rows.filter((row) => row.action === 'instance.store').length, 0, 'nothing was stored');
  });

  test('C-FIND from an AE without query permission: the context is refused and audited once', async () => {
    const denials = await denialsOf(async () => {
      const result = await runTool('findscu', [
        '-S',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-aec',
        'LANTERN',
        '-aet',
        'GETTER',
        '127.0.0.1',
        String(server.dicomPort),
      ]);
      assert.notEqual(result.code, 0, result.output);
    });
    assert.equal(denials.length, 1, JSON.stringify(denials));
    assert.equal(denials[0]!.actorId, 'GETTER');
    assert.deepEqual(denials[0]!.detail.refused, ['1.2.840.10008.5.1.4.1.2.2.1']);
  });
});

describe('HL7 door', () => {
  test('an unknown sender gets AR, audited once', async () => {
    const denials = await denialsOf(async () => {
      assert.equal(
        await sendMllp(server.hl7Port, hl7Message('OTHER^ELSEWHERE', 'ADT^A04^ADT_A01', 'SEC-A')),
        'AR',
      );
    });
    assert.equal(denials.length, 1);
    assert.equal(denials[0]!.actorKind, 'hl7-app');
    assert.equal(denials[0]!.actorId, 'OTHER@ELSEWHERE');
    assert.equal(denials[0]!.door, 'hl7');
    assert.equal(denials[0]!.remoteAddress, '127.0.0.1');
  });

  test('a sender allowed ADT only: ADT is accepted, an order gets AR (audited once)', async () => {
    const accepted = await denialsOf(async () => {
      assert.equal(await sendMllp(server.hl7Port, hl7Message('RIS^HOSP', 'ADT^A04^ADT_A01', 'SEC-B')), 'AA');
    });
    assert.equal(accepted.length, 0);
    const denials = await denialsOf(async () => {
      assert.equal(await sendMllp(server.hl7Port, hl7Message('RIS^HOSP', 'ORM^O01^ORM_O01', 'SEC-C')), 'AR');
    });
    assert.equal(denials.length, 1);
    assert.equal(denials[0]!.actorId, 'RIS@HOSP');
    assert.equal(denials[0]!.detail.permission, 'order.write');
  });
});

describe('FHIR door: SMART scopes', () => {
  const fhir = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.httpUrl}/fhir${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    });

  test('patient/Patient.read reads its patient, not ImagingStudy, not another patient', async () => {
    const token = await issuer.token({
      preferred_username: 'app1',
      roles: ['administrator'],
      scope: 'openid patient/Patient.read',
      patient: 'P1',
    });
    const own = await fhir(token, '/Patient?_id=P1');
    assert.equal(own.status, 200, await own.clone().text());
    const denials = await denialsOf(async () => {
      assert.equal((await fhir(token, '/ImagingStudy?patient=P1')).status, 403);
    });
    assert.equal(denials.length, 1);
    assert.equal(denials[0]!.actorId, 'app1');
    assert.equal(denials[0]!.door, 'fhir');
    assert.equal(denials[0]!.detail.resource, 'search ImagingStudy');
    assert.equal((await fhir(token, '/Patient/P2')).status, 403);
  });

  test('user/ImagingStudy.read searches studies but cannot create', async () => {
    const token = await issuer.token({
      preferred_username: 'app2',
      roles: ['administrator'],
      scope: 'user/ImagingStudy.read',
    });
    assert.equal((await fhir(token, '/ImagingStudy')).status, 200);
    const denials = await denialsOf(async () => {
      const created = await fhir(token, '/Patient', {
        method: 'POST',
        body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Nope' }] }),
      });
      assert.equal(created.status, 403, await created.text());
    });
    assert.equal(denials.length, 1);
    assert.equal(denials[0]!.detail.resource, 'create Patient');
  });

  test('a token without SMART scopes is limited by its roles only', async () => {
    const token = await issuer.token({
      preferred_username: 'app3',
      roles: ['radiologist'],
      scope: 'openid profile',
    });
    assert.equal((await fhir(token, '/ImagingStudy')).status, 200);
  });
});
