// The FHIR door against `lantern serve`, with fhir-kit-client as the EMR: a Patient and a ServiceRequest
// created through FHIR become a RIS order and a Modality Worklist entry (DCMTK findscu -W); images stored
// with the accession number are found as an ImagingStudy whose Endpoint answers QIDO-RS; a report signed
// final is read as a DiagnosticReport and announced to a rest-hook Subscription on loopback.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import type { Bundle, DiagnosticReport, Endpoint, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { storeFolder } from '../support/dcmtk.js';
import { worklistMatches } from '../support/ris-doors.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';

let dataDir: string;
let server: RunningLantern;
let fhir: Client;
let hook: Server;
const notifications: { method: string; url: string; body: string }[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.httpUrl}/api${path}`, {
    method,
    headers: { ...server.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as unknown as T;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-fhir-'));
  hook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      notifications.push({ method: request.method!, url: request.url!, body });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query,worklist',
    // The images-arrived link would complete the order on its own; this test moves it by hand.
    LANTERN_RIS_STUDY_STABLE_SECONDS: '3600',
  });
  fhir = new Client({ baseUrl: `${server.httpUrl}/fhir`, customHeaders: server.auth });
});

after(async () => {
  await server?.stop();
  hook?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('order to report through FHIR: Patient, ServiceRequest, worklist, ImagingStudy, DiagnosticReport, Subscription', async () => {
  const seeded = await api<{ added: { id: number; code: string; codingScheme: string }[] }>(
    'POST',
    '/procedures/defaults',
  );
  const procedure = seeded.added.find((p) => p.code === 'CT-HEAD-WO')!;

  const patient = (await fhir.create({
    resourceType: 'Patient',
    body: {
      resourceType: 'Patient',
      identifier: [
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
          value: 'FHIR-MRN-1',
        },
      ],
      name: [{ family: 'Fhirson', given: ['Freya'] }],
      gender: 'female',
      birthDate: '1981-02-03',
    },
  })) as unknown as { id: string };

  const hookUrl = `http://127.0.0.1:${(hook.address() as unknown as AddressInfo).port}/notify`;
  const subscription = (await fhir.create({
    resourceType: 'Subscription',
    body: {
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'new final reports for the EMR',
      criteria: 'DiagnosticReport?status=final',
      channel: { type: 'rest-hook', endpoint: hookUrl },
    },
  })) as unknown as { id: string; status: string };
  assert.equal(subscription.status, 'active');

  const request = (await fhir.create({
    resourceType: 'ServiceRequest',
    body: {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      code: {
        coding: [{ system: `urn:lantern:coding-scheme:${procedure.codingScheme}`, code: procedure.code }],
      },
      subject: { reference: `Patient/${patient.id}` },
      requester: { reference: 'Practitioner/dr-careful', display: 'Careful^Adam' },
      reasonCode: [{ text: 'headache' }],
    },
  })) as unknown as ServiceRequest;
  const accession = request.identifier!.find((i) => i.type?.coding?.[0]?.code === 'ACSN')!.value!;

  // Booked through FHIR: a free Slot of the CT room's Schedule, then an Appointment for the order.
  const room = await api<{ id: number }>('POST', '/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    timeZone: 'Europe/Berlin',
    openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
  });
  const slots = (await fhir.search({
    resourceType: 'Slot',
    searchParams: { schedule: `Schedule/${room.id}`, start: '2031-06-02', status: 'free' },
  })) as unknown as Bundle;
  const slot = slots.entry![0]!.resource as { id: string; start: string; end: string };
  assert.equal(slot.start, '2031-06-02T06:00:00.000Z');
  const appointment = (await fhir.create({
    resourceType: 'Appointment',
    body: {
      resourceType: 'Appointment',
      status: 'booked',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: `Slot/${slot.id}` }],
      basedOn: [{ reference: `ServiceRequest/${request.id}` }],
      participant: [{ actor: { reference: `Patient/${patient.id}` }, status: 'accepted' }],
    },
  })) as unknown as { status: string; start: string };
  assert.equal(appointment.status, 'booked');
  assert.equal(appointment.start, slot.start);

  // The order in the RIS and on the Modality Worklist.
  const orders = await api<{
    total: number;
    orders: { id: number; accessionNumber: string; status: string }[];
  }>('GET', `/orders?patientRef=${patient.id}`);
  assert.equal(orders.total, 1);
  assert.equal(orders.orders[0]!.accessionNumber, accession);
  assert.equal(orders.orders[0]!.status, 'scheduled');
  assert.equal(String(orders.orders[0]!.id), request.id);
  const matches = await worklistMatches(server.dicomPort, 'CT1', [
    `AccessionNumber=${accession}`,
    'PatientID',
    'PatientName',
  ]);
  assert.equal(matches.length, 1, matches.join('\n'));
  assert.match(matches[0]!, /FHIR-MRN-1/);

  // The exam starts, the images arrive with the accession number.
  for (const to of ['arrived', 'in-progress']) await api('POST', `/orders/${request.id}/transitions`, { to });
  const folder = join(dataDir, 'incoming');
  const { studyInstanceUid } = await writeSyntheticStudy(folder, {
    series: 2,
    instancesPerSeries: 2,
    rows: 16,
    columns: 16,
    seed: 71,
    patientId: 'FHIR-MRN-1',
    patientName: 'FHIRSON^FREYA',
    accessionNumber: accession,
  });
  await storeFolder(server.dicomPort, folder);

  const found = (await fhir.search({
    resourceType: 'ImagingStudy',
    searchParams: { identifier: accession, _include: 'ImagingStudy:patient' },
  })) as unknown as Bundle;
  assert.equal(found.total, 1);
  const study = found.entry!.find((e) => e.search?.mode === 'match')!.resource as ImagingStudy;
  assert.equal(study.id, studyInstanceUid);
  assert.equal(study.subject.reference, `Patient/${patient.id}`);
  assert.deepEqual(study.basedOn, [{ reference: `ServiceRequest/${request.id}` }]);
  assert.equal(study.numberOfSeries, 2);
  assert.equal(study.series!.flatMap((s) => s.instance ?? []).length, 4);
  const included = found.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.fullUrl);
  assert.deepEqual(included, [`${server.httpUrl}/fhir/Patient/${patient.id}`]);

  const endpoint = (await fhir.read({
    resourceType: 'Endpoint',
    id: study.endpoint![0]!.reference!.split('/')[1]!,
  })) as unknown as Endpoint;
  const qido = await fetch(`${endpoint.address}/studies?StudyInstanceUID=${studyInstanceUid}`, {
    headers: { ...server.auth, accept: 'application/dicom+json' },
  });
  assert.equal(qido.status, 200);
  const qidoStudies = (await qido.json()) as unknown as Record<string, { Value?: unknown[] }>[];
  assert.deepEqual(
    qidoStudies.map((s) => s['0020000D']?.Value?.[0]),
    [studyInstanceUid],
  );

  // Reported and signed final.
  await api('POST', `/orders/${request.id}/transitions`, { to: 'completed' });
  await api('POST', `/orders/${request.id}/report/drafts`, {
    sections: [
      { title: 'Findings', text: 'No bleed.' },
      { title: 'Impression', text: 'Normal head CT.' },
    ],
  });
  await api('POST', `/orders/${request.id}/report/sign`, { as: 'final', signer: { name: 'Reader^Rita' } });

  const report = (await fhir.read({
    resourceType: 'DiagnosticReport',
    id: request.id!,
  })) as unknown as DiagnosticReport;
  assert.equal(report.status, 'final');
  assert.equal(report.subject?.reference, `Patient/${patient.id}`);
  assert.equal(report.conclusion, 'Normal head CT.');
  const text = report.presentedForm!.find((f) => f.contentType?.startsWith('text/plain'))!;
  assert.match(Buffer.from(text.data!, 'base64').toString(), /Normal head CT\./);
  const pdf = report.presentedForm!.find((f) => f.contentType === 'application/pdf')!;
  assert.equal(Buffer.from(pdf.data!, 'base64').subarray(0, 5).toString(), '%PDF-');
  const finals = (await fhir.search({
    resourceType: 'DiagnosticReport',
    searchParams: { patient: `Patient/${patient.id}`, status: 'final' },
  })) as unknown as Bundle;
  assert.equal(finals.total, 1);

  const order = (await fhir.read({
    resourceType: 'ServiceRequest',
    id: request.id!,
  })) as unknown as ServiceRequest;
  assert.equal(order.status, 'completed');
  assert.equal(order.extension?.[0]?.valueCode, 'final');

  // The rest-hook: one empty POST to the endpoint.
  const deadline = Date.now() + 8000;
  while (notifications.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(notifications, [{ method: 'POST', url: '/notify', body: '' }]);

  // What Lantern synthesises from the order, and the audit trail of it all.
  const practitioner = (await fhir.read({ resourceType: 'Practitioner', id: 'dr-careful' })) as unknown as {
    name: { family: string }[];
  };
  assert.equal(practitioner.name[0]!.family, 'Careful');
  const audit = (await fhir.search({
    resourceType: 'AuditEvent',
    searchParams: { subtype: 'order.place', outcome: '0' },
  })) as unknown as Bundle;
  assert.equal(audit.total, 1);
});
