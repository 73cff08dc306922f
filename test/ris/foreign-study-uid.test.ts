// Issue 5: a modality that does not adopt the worklist's Study Instance UID. The images carry the order's
// accession number but the modality's own Study Instance UID (DCMTK storescu into `lantern serve`); the study
// links by accession, and from then on everything that names the exam's study names the stored one: the
// order's exam studies, the reading worklist, the report (REST, text and PDF export), FHIR
// DiagnosticReport.imagingStudy (which resolves, as does DICOMweb), ImagingStudy.basedOn, the
// ServiceRequest's Study Instance UID identifier, and the audit records of the report.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';
import { ok, restClient } from '../support/rest-client.js';
import { waitFor, type OrderBody, type ReadingBody } from '../support/ris-doors.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';

let dataDir: string;
let server: RunningLantern;
const call = restClient(
  () => `${server.httpUrl}/api`,
  () => server.auth,
);

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-foreign-uid-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    ...OPEN_DOORS,
    LANTERN_RIS_STUDY_STABLE_SECONDS: '1',
  });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function fhir<T>(path: string, status = 200): Promise<T> {
  const response = await fetch(`${server.httpUrl}/fhir/${path}`, { headers: server.auth });
  const body = await response.text();
  assert.equal(response.status, status, `${path}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

test('a study stored under the modality’s own Study Instance UID is what the report and FHIR name', async () => {
  const patient = await ok(
    call<{ id: number }>('POST', '/patients', {
      patientId: 'FOR-1',
      issuerOfPatientId: 'HOSP',
      name: 'Own^Uid',
    }),
    201,
  );
  const procedure = await ok(
    call<{ id: number }>('POST', '/procedures', {
      code: 'CT-FOREIGN',
      codingScheme: '99LANTERN',
      meaning: 'CT Chest',
      modality: 'CT',
      bodyPart: 'CHEST',
      durationMinutes: 15,
      charges: [],
    }),
    201,
  );
  const order = await ok(
    call<OrderBody>('POST', '/orders', { patientRef: patient.id, procedureId: procedure.id }),
    201,
  );

  // The modality keeps its own Study Instance UID but sends the order's accession number.
  const images = await writeSyntheticStudy(join(dataDir, 'modality-out'), {
    seed: 9300,
    patientId: 'FOR-1',
    patientName: 'Own^Uid',
    accessionNumber: order.accessionNumber,
    series: 1,
    instancesPerSeries: 2,
    rows: 32,
    columns: 32,
  });
  const stored = images.studyInstanceUid;
  assert.notEqual(stored, order.studyInstanceUid);
  const peer = ['-aet', 'CT9', '-aec', 'LANTERN', '127.0.0.1', String(server.dicomPort)];
  const sent = await runTool('storescu', [...peer, ...images.files]);
  assert.equal(sent.code, 0, sent.output);
  const studies = await waitFor('the study link', async () => {
    const { studies } = await ok(
      call<{ studies: { studyInstanceUid: string; matchedBy: string }[] }>(
        'GET',
        `/orders/${order.id}/studies`,
      ),
    );
    return studies.length ? studies : undefined;
  });
  assert.deepEqual(
    studies.map((s) => [s.studyInstanceUid, s.matchedBy]),
    [[stored, 'accession']],
  );

  // The order keeps the UID it offered the worklist and names the exam's study beside it.
  const linked = await ok(
    call<OrderBody & { examStudyInstanceUids: string[] }>('GET', `/orders/${order.id}`),
  );
  assert.equal(linked.status, 'completed', 'the stable study completes the exam (no MPPS)');
  assert.equal(linked.studyInstanceUid, order.studyInstanceUid);
  assert.deepEqual(linked.examStudyInstanceUids, [stored]);
  const reading = await ok(call<ReadingBody>('GET', '/reading-worklist'));
  assert.equal(reading.entries.find((e) => e.orderId === order.id)?.studyInstanceUid, stored);

  await ok(
    call('POST', `/orders/${order.id}/report/drafts`, {
      sections: [
        { title: 'Findings', text: 'Clear lungs.' },
        { title: 'Impression', text: 'Normal chest.' },
      ],
    }),
    201,
  );
  await ok(call('POST', `/orders/${order.id}/report/sign`, { as: 'final', signer: { name: 'Dr Own' } }));
  const report = await ok(
    call<{ studyInstanceUid: string; studyInstanceUids: string[] }>('GET', `/orders/${order.id}/report`),
  );
  assert.deepEqual([report.studyInstanceUid, report.studyInstanceUids], [stored, [stored]]);

  const text = (await call('GET', `/orders/${order.id}/report.txt`)).bytes.toString();
  assert.match(text, new RegExp(`^Study UID: +${stored.replace(/\./g, '\\.')}$`, 'm'));
  assert.ok(!text.includes(order.studyInstanceUid), text);
  const pdf = (await call('GET', `/orders/${order.id}/report.pdf`)).bytes.toString('latin1');
  assert.ok(pdf.includes(stored), 'the PDF prints the stored study');
  assert.ok(!pdf.includes(order.studyInstanceUid));

  // FHIR: the report's imagingStudy resolves, and points back at the order.
  const diagnostic = await fhir<{ imagingStudy: { reference: string }[] }>(`DiagnosticReport/${order.id}`);
  assert.deepEqual(diagnostic.imagingStudy, [{ reference: `ImagingStudy/${stored}` }]);
  const imaging = await fhir<{ id: string; basedOn?: { reference: string }[] }>(`ImagingStudy/${stored}`);
  assert.deepEqual(imaging.basedOn, [{ reference: `ServiceRequest/${order.id}` }]);
  await fhir(`ImagingStudy/${order.studyInstanceUid}`, 404);
  const request = await fhir<{ identifier: { system?: string; value: string }[] }>(
    `ServiceRequest/${order.id}`,
  );
  assert.deepEqual(
    request.identifier.filter((i) => i.system === 'urn:dicom:uid').map((i) => i.value),
    [`urn:oid:${stored}`],
  );
  const metadata = await fetch(`${server.httpUrl}/dicom-web/studies/${stored}/metadata`, {
    headers: server.auth,
  });
  assert.equal(metadata.status, 200, 'DICOMweb has the study the report names');
  await metadata.arrayBuffer();

  // The report's audit records name the stored study, so that study's trail finds who read and signed it.
  for (const action of ['report.sign', 'report.export', 'report.read']) {
    const { records } = await ok(
      call<{ records: { outcome: string; patientId: string | null; detail: { orderId?: number } | null }[] }>(
        'GET',
        `/audit?studyInstanceUid=${stored}&action=${action}&limit=100`,
      ),
    );
    const ofOrder = records.filter((r) => r.outcome === 'success' && r.detail?.orderId === order.id);
    assert.ok(ofOrder.length > 0, `${action}: ${JSON.stringify(records)}`);
    assert.ok(
      ofOrder.every((r) => r.patientId === 'FOR-1'),
      action,
    );
  }
  const { total } = await ok(
    call<{ total: number }>(
      'GET',
      `/audit?studyInstanceUid=${order.studyInstanceUid}&action=report.&limit=0`,
    ),
  );
  assert.equal(total, 0, 'no report record names the UID the modality never used');
});
