// Every door leaves exactly one audit record for one access: who (actor), what (action, patient, study),
// from where (door, address) and the outcome, read back from the server's database.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, hl7Message, lastSeq, sendMllp, type AuditRow } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
const BOOTSTRAP = 'bootstrap-admin-key-for-the-audit-door-test';

let dataDir: string;
let server: RunningLantern;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-audit-doors-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_SECURITY_BOOTSTRAP_ADMIN_API_KEY: BOOTSTRAP,
    // The DIMSE and HL7 peers are registered, as a site would: strangers may not store or send.
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'AUDITED', host: '127.0.0.1', port: 104, permissions: ['echo', 'store'] },
    ]),
    LANTERN_HL7_ALLOWED_SENDERS: 'ADMIT^WARD',
  });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The records `work` wrote that match, expected to be exactly one. */
async function onlyRecord(work: () => Promise<void>, match: (row: AuditRow) => boolean): Promise<AuditRow> {
  const since = lastSeq(dataDir);
  await work();
  const rows = auditRows(dataDir, since);
  const matching = rows.filter(match);
  assert.equal(matching.length, 1, JSON.stringify(rows, null, 1));
  return matching[0]!;
}

const get = (path: string) =>
  fetch(`${server.httpUrl}${path}`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });

test('DIMSE: one C-STORE, one instance.store record by the calling AE', async () => {
  const record = await onlyRecord(
    async () => {
      const result = await runTool('storescu', [
        '-aec',
        'LANTERN',
        '-aet',
        'AUDITED',
        '127.0.0.1',
        String(server.dicomPort),
        CT_SMALL,
      ]);
      assert.equal(result.code, 0, result.output);
    },
    (row) => row.door === 'dimse',
  );
  assert.equal(record.action, 'instance.store');
  assert.equal(record.actorKind, 'ae');
  assert.equal(record.actorId, 'AUDITED');
  assert.equal(record.remoteAddress, '127.0.0.1');
  assert.equal(record.outcome, 'success');
  assert.equal(record.patientId, '1CT1');
  assert.equal(record.studyInstanceUid, STUDY);
});

test('DICOMweb: one QIDO-RS search, one record', async () => {
  const record = await onlyRecord(
    async () => assert.equal((await get('/dicom-web/studies?PatientID=1CT1')).status, 200),
    (row) => row.door === 'dicomweb',
  );
  assert.equal(record.action, 'study.query');
  assert.equal(record.actorKind, 'service');
  assert.equal(record.actorId, 'bootstrap-admin');
  assert.equal(record.remoteAddress, '127.0.0.1');
  assert.equal(record.outcome, 'success');
});

test('REST API: one study search, one record', async () => {
  const record = await onlyRecord(
    async () => assert.equal((await get('/api/studies?PatientID=1CT1')).status, 200),
    (row) => row.door === 'api',
  );
  assert.equal(record.actorId, 'bootstrap-admin');
  assert.equal(record.remoteAddress, '127.0.0.1');
  assert.equal(record.outcome, 'success');
  assert.equal(record.action, 'study.query');
});

test('HL7: one ADT^A04, one record by the sending application', async () => {
  const record = await onlyRecord(
    async () =>
      assert.equal(
        await sendMllp(server.hl7Port, hl7Message('ADMIT^WARD', 'ADT^A04^ADT_A01', 'AUD-1', 'AUD-P1')),
        'AA',
      ),
    // The handler finds-or-registers the patient in one call: one record, the registration.
    (row) => row.door === 'hl7' && row.action === 'patient.create',
  );
  assert.equal(record.actorKind, 'hl7-app');
  assert.equal(record.actorId, 'ADMIT@WARD');
  assert.equal(record.remoteAddress, '127.0.0.1');
  assert.equal(record.outcome, 'success');
});

test('FHIR: one ImagingStudy search, one study.query record', async () => {
  const record = await onlyRecord(
    async () => {
      const response = await get('/fhir/ImagingStudy?patient.identifier=1CT1');
      assert.equal(response.status, 200, await response.clone().text());
    },
    // The search also reads series, instances and the patient for the resources (a record each).
    (row) => row.door === 'fhir' && row.action === 'study.query',
  );
  assert.equal(record.actorId, 'bootstrap-admin');
  assert.equal(record.remoteAddress, '127.0.0.1');
  assert.equal(record.outcome, 'success');
});

test('a refusal is one record too: failure, the permission and what was asked', async () => {
  const created = await fetch(`${server.httpUrl}/api/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'audit-door-auditor', role: 'auditor' }),
  });
  assert.equal(created.status, 201);
  const { key } = (await created.json()) as { key: string };
  const record = await onlyRecord(
    async () => {
      const response = await fetch(`${server.httpUrl}/fhir/ImagingStudy`, {
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(response.status, 403);
    },
    (row) => row.action === 'security.deny',
  );
  assert.equal(record.actorId, 'audit-door-auditor');
  assert.equal(record.door, 'fhir');
  assert.equal(record.outcome, 'failure');
  assert.equal(record.remoteAddress, '127.0.0.1');
  assert.equal(record.detail.permission, 'study.read');
});
