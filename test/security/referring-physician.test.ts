// A referring physician sees only the patients of his orders, whichever HTTP door he asks: the REST API,
// QIDO-RS/WADO-RS and FHIR. Another patient is 404 when named and absent (and uncounted) from searches;
// break-glass lifts the limit for one request, audited. The user is made through the REST API.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient, userSession } from '../support/rest-client.js';
import { syntheticCtInstance } from '../support/synthetic-ct.js';
import { auditRows, lastSeq } from './security-support.js';

const MINE = { patientId: 'REF-MINE-1', studyInstanceUid: '1.2.826.0.1.3680043.2.1125.7001' };
const OTHER = { patientId: 'REF-OTHER-2', studyInstanceUid: '1.2.826.0.1.3680043.2.1125.7002' };
const REFERRER = 'dr-referrer';

let dataDir: string;
let server: RunningLantern;
let referrer: Record<string, string>;
const ids = { mine: { patient: 0, order: 0 }, other: { patient: 0, order: 0 } };
let otherSop = '';
let otherSeries = '';

const admin = restClient(
  () => server.httpUrl,
  () => server.auth,
);
const asReferrer = restClient(
  () => server.httpUrl,
  () => referrer,
);

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-referrer-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'MODALITY', host: '127.0.0.1', port: 104, permissions: ['store'] },
    ]),
  });
  // Images of two patients arrive from a registered modality; their patients are made by ingest.
  const files = join(dataDir, 'incoming');
  await mkdir(files);
  for (const [i, who] of [MINE, OTHER].entries()) {
    const bytes = syntheticCtInstance({ rows: 8, columns: 8, seed: i + 1, ...who, patientName: 'Test^Ref' });
    await writeFile(join(files, `${i}.dcm`), bytes);
  }
  const stored = await runTool('storescu', [
    '-aec',
    'LANTERN',
    '-aet',
    'MODALITY',
    '127.0.0.1',
    String(server.dicomPort),
    '+sd',
    files,
  ]);
  assert.equal(stored.code, 0, stored.output);

  const procedure = await admin<{ id: number }>('POST', '/api/procedures', {
    code: 'CT-REF-1',
    codingScheme: '99LANTERN',
    meaning: 'CT head',
    modality: 'CT',
    durationMinutes: 15,
  });
  assert.equal(procedure.status, 201, JSON.stringify(procedure.body));
  // One order names the referring physician by his user name, the other another provider.
  for (const [key, who, provider] of [
    ['mine', MINE, REFERRER],
    ['other', OTHER, 'dr-somebody-else'],
  ] as const) {
    const found = await admin<{ patients: { id: number }[] }>(
      'GET',
      `/api/patients?identifier=${who.patientId}`,
    );
    ids[key].patient = found.body.patients[0]!.id;
    const order = await admin<{ id: number }>('POST', '/api/orders', {
      patientRef: ids[key].patient,
      procedureId: procedure.body.id,
      orderingProvider: { id: provider, name: 'Doc^Tor' },
    });
    assert.equal(order.status, 201, JSON.stringify(order.body));
    ids[key].order = order.body.id;
  }
  const studies = await admin<{ total: number }>('GET', '/api/studies');
  assert.equal(studies.body.total, 2, 'the administrator sees both');
  const qido = await admin<Record<string, { Value?: string[] }>[]>(
    'GET',
    `/dicom-web/studies/${OTHER.studyInstanceUid}/instances`,
  );
  otherSop = qido.body[0]!['00080018']!.Value![0]!;
  otherSeries = qido.body[0]!['0020000E']!.Value![0]!;
  referrer = (await userSession(server, REFERRER, ['referring-physician'])).headers;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('REST: his patient and order are there, the other patient and order are 404 and uncounted', async () => {
  const patients = await asReferrer<{ total: number; patients: { id: number }[] }>('GET', '/api/patients');
  assert.equal(patients.status, 200);
  assert.deepEqual([patients.body.total, patients.body.patients.map((p) => p.id)], [1, [ids.mine.patient]]);
  assert.equal((await asReferrer('GET', `/api/patients/${ids.mine.patient}`)).status, 200);
  assert.equal((await asReferrer('GET', `/api/patients/${ids.other.patient}`)).status, 404);
  const byId = await asReferrer<{ total: number }>('GET', `/api/patients?identifier=${OTHER.patientId}`);
  assert.equal(byId.body.total, 0);

  const orders = await asReferrer<{ total: number; orders: { id: number }[] }>('GET', '/api/orders');
  assert.deepEqual([orders.body.total, orders.body.orders.map((o) => o.id)], [1, [ids.mine.order]]);
  assert.equal((await asReferrer('GET', `/api/orders/${ids.mine.order}`)).status, 200);
  assert.equal((await asReferrer('GET', `/api/orders/${ids.other.order}`)).status, 404);
  assert.equal((await asReferrer('GET', `/api/orders/${ids.other.order}/history`)).status, 404);
  assert.equal((await asReferrer('GET', `/api/orders/${ids.other.order}/report`)).status, 404);

  const studies = await asReferrer<{ total: number }>('GET', '/api/studies');
  assert.equal(studies.body.total, 1);
});

test('DICOMweb: QIDO-RS finds and counts only his study; WADO-RS of the other is 404', async () => {
  const all = await asReferrer<Record<string, { Value?: string[] }>[]>('GET', '/dicom-web/studies');
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.map((s) => s['0020000D']!.Value![0]),
    [MINE.studyInstanceUid],
  );
  assert.equal(all.headers.get('x-total-count'), '1');
  const other = await asReferrer<unknown[]>('GET', `/dicom-web/studies?PatientID=${OTHER.patientId}`);
  assert.equal(other.headers.get('x-total-count'), '0');
  assert.equal(
    (await asReferrer('GET', `/dicom-web/studies/${OTHER.studyInstanceUid}/instances`)).headers.get(
      'x-total-count',
    ),
    '0',
  );
  assert.equal((await asReferrer('GET', `/dicom-web/studies/${MINE.studyInstanceUid}/metadata`)).status, 200);
  assert.equal(
    (await asReferrer('GET', `/dicom-web/studies/${OTHER.studyInstanceUid}/metadata`)).status,
    404,
  );
  const retrieve = await fetch(`${server.httpUrl}/dicom-web/studies/${OTHER.studyInstanceUid}`, {
    headers: { ...referrer, accept: 'multipart/related; type="application/dicom"' },
  });
  assert.equal(retrieve.status, 404);
  const instance = `/dicom-web/studies/${OTHER.studyInstanceUid}/series/${otherSeries}/instances/${otherSop}`;
  assert.equal((await asReferrer('GET', `${instance}/rendered`)).status, 404);
  assert.equal((await admin('GET', `${instance}/rendered`)).status, 200, 'the administrator renders it');
  const uri = `/wado?requestType=WADO&studyUID=${OTHER.studyInstanceUid}&seriesUID=${otherSeries}&objectUID=${otherSop}`;
  assert.equal((await asReferrer('GET', uri)).status, 404);
  assert.equal((await admin('GET', uri)).status, 200, 'the administrator retrieves it');
});

test('FHIR: Patient, ImagingStudy, ServiceRequest and DiagnosticReport searches and reads', async () => {
  const bundle = async (query: string) => {
    const reply = await asReferrer<{ total: number; entry?: { resource: { id: string } }[] }>(
      'GET',
      `/fhir/${query}`,
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return { total: reply.body.total, ids: (reply.body.entry ?? []).map((e) => e.resource.id) };
  };
  assert.deepEqual(await bundle('Patient'), { total: 1, ids: [String(ids.mine.patient)] });
  assert.equal((await bundle('ImagingStudy')).total, 1);
  assert.equal((await bundle(`ImagingStudy?patient=Patient/${ids.other.patient}`)).total, 0);
  const adminView = await admin<{ total: number }>(
    'GET',
    `/fhir/ImagingStudy?patient=Patient/${ids.other.patient}`,
  );
  assert.equal(adminView.body.total, 1, 'the administrator finds it');
  assert.deepEqual(await bundle('ServiceRequest'), { total: 1, ids: [String(ids.mine.order)] });
  assert.equal((await bundle('DiagnosticReport')).total, 0);
  assert.equal((await asReferrer('GET', `/fhir/Patient/${ids.mine.patient}`)).status, 200);
  assert.equal((await asReferrer('GET', `/fhir/Patient/${ids.other.patient}`)).status, 404);
  assert.equal((await asReferrer('GET', `/fhir/ServiceRequest/${ids.other.order}`)).status, 404);
  assert.equal((await asReferrer('GET', `/fhir/DiagnosticReport/${ids.other.order}`)).status, 404);
});

test('break-glass lifts the limit for one request and is audited; the next request is limited again', async () => {
  const since = lastSeq(dataDir);
  const reason = 'patient transferred to my ward unconscious';
  const emergency = await fetch(`${server.httpUrl}/api/patients/${ids.other.patient}`, {
    headers: { ...referrer, 'x-lantern-break-glass': reason },
  });
  assert.equal(emergency.status, 200);
  const rows = auditRows(dataDir, since);
  const grant = rows.filter((r) => r.action === 'security.break-glass');
  assert.equal(grant.length, 1, JSON.stringify(rows));
  assert.equal(grant[0]!.actorId, REFERRER);
  const read = rows.find((r) => r.action === 'patient.read');
  assert.equal(read?.outcome, 'success');
  assert.match(JSON.stringify(read?.detail), /unconscious/);
  assert.equal((await asReferrer('GET', `/api/patients/${ids.other.patient}`)).status, 404);
});

test('a researcher (studies, not patients or orders) searches ImagingStudy over FHIR without refusals', async () => {
  const researcher = (await userSession(server, 'research-rita', ['researcher'])).headers;
  const since = lastSeq(dataDir);
  const reply = await fetch(`${server.httpUrl}/fhir/ImagingStudy`, { headers: researcher });
  assert.equal(reply.status, 200);
  const bundle = (await reply.json()) as {
    total: number;
    entry: { resource: { subject: { reference?: string; identifier?: { value: string } } } }[];
  };
  assert.equal(bundle.total, 2, 'a researcher reaches every patient');
  assert.ok(
    bundle.entry.every((e) => e.resource.subject.reference === undefined && e.resource.subject.identifier),
  );
  assert.deepEqual(
    auditRows(dataDir, since).filter((r) => r.action === 'security.deny'),
    [],
    'no service was asked for what the researcher may not read',
  );
});
