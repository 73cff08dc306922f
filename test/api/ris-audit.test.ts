// Every RIS change leaves its audit record: one user performs each change over REST against `lantern serve`
// (catalogue, resources, templates, bookings, charges, critical results, report exports), then the audit
// trail (GET /api/audit) must hold exactly one successful record of each, naming that user and the target.
// And the patient's trail (GET /api/audit?patientId=, FHIR AuditEvent?entity-id=) holds every RIS access to
// their orders, bookings, MPPS, reports and charges, so an auditor can tell who read whose report.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { ok, restClient, userSession } from '../support/rest-client.js';
import {
  completedAttributes,
  inProgressAttributes,
  mppsCreate,
  mppsSet,
  quietDimse,
  sendDimse,
} from '../support/ris-doors.js';

interface AuditRecord {
  action: string;
  outcome: string;
  actor: { kind: string; id: string };
  patientId: string | null;
  studyInstanceUid: string | null;
  detail: Record<string, unknown> | null;
}

let dataDir: string;
let server: RunningLantern;
let headers: Record<string, string>;
const USER = 'ris-auditee';
const call = restClient(
  () => `${server.httpUrl}/api`,
  () => headers,
);

before(async () => {
  quietDimse();
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-ris-audit-'));
  // The modality reports its procedure step over MPPS (the worklist permission).
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,worklist',
  });
  headers = (await userSession(server, USER, ['administrator'])).headers;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('each RIS change leaves exactly one audit record with its actor and target', async () => {
  const DAY = '2031-06-02'; // a Monday; Berlin is UTC+2
  const patient = await ok(
    call<{ id: number }>('POST', '/patients', {
      patientId: 'AUD-1',
      issuerOfPatientId: 'HOSP',
      name: 'Audit^Ada',
    }),
    201,
  );
  const procedureBody = {
    code: 'XR-HAND-3V',
    codingScheme: '99LANTERN',
    meaning: 'XR Hand 3 views',
    modality: 'CR',
    bodyPart: 'HAND',
    durationMinutes: 10,
    charges: [{ code: '73130', codingScheme: 'C4', modifiers: [], quantity: 1 }],
  };
  const procedure = await ok(call<{ id: number }>('POST', '/procedures', procedureBody), 201);
  await ok(call('PUT', `/procedures/${procedure.id}`, { ...procedureBody, durationMinutes: 15 }));
  const resourceBody = {
    name: 'X-ray room 1',
    aeTitle: 'XR1',
    modality: 'CR',
    timeZone: 'Europe/Berlin',
    openingHours: [{ weekday: 1, opens: '08:00', closes: '16:00' }],
  };
  const resource = await ok(call<{ id: number }>('POST', '/resources', resourceBody), 201);
  await ok(call('PUT', `/resources/${resource.id}`, { ...resourceBody, stationName: 'XRAY1' }));
  const templateBody = {
    procedureId: procedure.id,
    name: 'Hand',
    sections: [{ title: 'Findings', text: '' }],
  };
  const template = await ok(call<{ id: number }>('POST', '/report-templates', templateBody), 201);
  await ok(call('PUT', `/report-templates/${template.id}`, { ...templateBody, name: 'Hand, 3 views' }));

  // A booking made, moved and cancelled.
  const booked = await ok(
    call<{ id: number }>('POST', '/orders', { patientRef: patient.id, procedureId: procedure.id }),
    201,
  );
  const booking = await ok(
    call<{ id: number }>('POST', '/bookings', {
      orderId: booked.id,
      resourceId: resource.id,
      start: `${DAY}T09:00:00+02:00`,
    }),
    201,
  );
  await ok(call('POST', `/bookings/${booking.id}/reschedule`, { start: `${DAY}T10:00:00+02:00` }));
  await ok(call('POST', `/bookings/${booking.id}/cancel`, { reason: 'patient unwell' }));

  // An exam performed, reported with a critical result, exported, charged and released.
  const exam = await ok(
    call<{ id: number; accessionNumber: string; studyInstanceUid: string }>('POST', '/orders', {
      patientRef: patient.id,
      procedureId: procedure.id,
    }),
    201,
  );
  await ok(call('POST', `/orders/${exam.id}/transitions`, { to: 'arrived' }));
  // The modality performs it: MPPS IN PROGRESS, then COMPLETED.
  const mppsUid = '1.2.826.0.1.3680043.8.498.8801';
  const step = {
    studyInstanceUid: exam.studyInstanceUid,
    accessionNumber: exam.accessionNumber,
    patientId: 'AUD-1',
    patientName: 'Audit^Ada',
    performedStepId: 'PPS-AUD-1',
    station: 'XR1',
    date: '20310602',
    time: '091000',
  };
  const performed = await sendDimse(server.dicomPort, 'XR1', [
    mppsCreate(mppsUid, { ...inProgressAttributes(step), Modality: 'CR' }),
    mppsSet(mppsUid, completedAttributes({ date: step.date, time: '091500', series: `${mppsUid}.1` })),
  ]);
  assert.deepEqual(
    performed.map((r) => r.status),
    [0, 0],
    JSON.stringify(performed),
  );
  await ok(call('POST', `/orders/${exam.id}/notes`, { text: 'Patient could not spread the fingers' }), 201);
  await ok(call('GET', '/reading-worklist'));
  await ok(call('POST', `/reading-worklist/${exam.id}/claim`));
  await ok(call('DELETE', `/reading-worklist/${exam.id}/claim`), 204);
  await ok(call('POST', `/orders/${exam.id}/report/drafts`, {}), 201);
  await ok(
    call('POST', `/orders/${exam.id}/report/critical-results`, {
      finding: 'Displaced scaphoid fracture',
      notified: { name: 'Dr Ortho', role: 'orthopaedics' },
      method: 'phone',
    }),
    201,
  );
  await ok(call('POST', `/orders/${exam.id}/report/sign`, { as: 'final' }));
  await ok(call('GET', `/orders/${exam.id}/report`));
  await ok(call('GET', `/orders/${exam.id}/report.txt`));
  await ok(call('GET', `/orders/${exam.id}/report.pdf`));
  await ok(
    call('PUT', `/orders/${exam.id}/charges`, {
      lines: [{ code: '73130', codingScheme: 'C4', modifiers: ['RT'], quantity: 1 }],
    }),
  );
  await ok(call('POST', '/charges/release', { orderIds: [exam.id] }));
  const period = { from: '2000-01-01', to: '2100-01-01' };
  await ok(call('GET', `/charges.csv?from=${period.from}&to=${period.to}`));
  // Reads of the orders, the booking, the notes, the linked studies and the charges.
  await ok(call('GET', `/orders/${exam.id}`));
  await ok(call('GET', `/orders?patientRef=${patient.id}`));
  await ok(call('GET', `/orders/${exam.id}/history`));
  await ok(call('GET', `/orders/${exam.id}/studies`));
  await ok(call('GET', `/orders/${exam.id}/notes`));
  await ok(call('GET', `/orders/${exam.id}/charges`));
  await ok(call('GET', `/bookings/${booking.id}`));

  // [action, what identifies the target in the record]
  const expected: [string, (r: AuditRecord) => boolean][] = [
    ['procedure.create', (r) => r.detail?.code === procedureBody.code],
    ['procedure.update', (r) => r.detail?.id === procedure.id],
    ['resource.create', (r) => r.detail?.name === resourceBody.name],
    ['resource.update', (r) => r.detail?.id === resource.id],
    ['report-template.create', (r) => r.detail?.name === templateBody.name],
    ['report-template.update', (r) => r.detail?.id === template.id],
    ['booking.reschedule', (r) => r.detail?.bookingId === booking.id],
    ['booking.cancel', (r) => r.detail?.bookingId === booking.id && r.detail.reason === 'patient unwell'],
    ['report.critical-result', (r) => r.detail?.orderId === exam.id],
    ['report.export', (r) => r.detail?.orderId === exam.id && r.detail.format === 'txt'],
    ['report.export', (r) => r.detail?.orderId === exam.id && r.detail.format === 'pdf'],
    ['charge.edit', (r) => r.detail?.orderId === exam.id],
    ['charge.release', (r) => JSON.stringify(r.detail?.orderIds) === JSON.stringify([exam.id])],
    ['charge.export', (r) => r.detail?.from === period.from && r.detail.to === period.to],
  ];
  for (const [action, isTarget] of expected) {
    const { records } = await ok(
      call<{ records: AuditRecord[] }>('GET', `/audit?action=${action}&limit=1000`),
    );
    const matching = records.filter(isTarget);
    assert.equal(matching.length, 1, `${action}: ${JSON.stringify(records)}`);
    const [record] = matching as [AuditRecord];
    assert.equal(record.outcome, 'success', action);
    assert.deepEqual(record.actor, { kind: 'user', id: USER }, action);
    // Records about a report name its exam's study, so the study's trail finds them.
    if (action.startsWith('report.')) assert.equal(record.studyInstanceUid, exam.studyInstanceUid, action);
  }

  // The patient's trail: every RIS access to Ada's orders names her (Patient ID AUD-1), so an auditor finds
  // who booked, performed, read, signed, exported and billed her exam. [action, a check of the record]
  const theExam = (r: AuditRecord) => r.detail?.orderId === exam.id;
  const trail: [string, (r: AuditRecord) => boolean][] = [
    ['order.place', theExam],
    ['order.read', theExam],
    ['order.search', (r) => r.detail?.returned === 2],
    ['order.history', theExam],
    ['order.transition', theExam],
    ['order.studies', theExam],
    ['booking.create', (r) => r.detail?.bookingId === booking.id],
    ['booking.read', (r) => r.detail?.bookingId === booking.id],
    ['booking.reschedule', (r) => r.detail?.bookingId === booking.id],
    ['booking.cancel', (r) => r.detail?.bookingId === booking.id],
    ['mpps.create', (r) => r.detail?.sopInstanceUid === mppsUid],
    ['mpps.update', (r) => r.detail?.sopInstanceUid === mppsUid],
    ['exam-note.add', theExam],
    ['exam-note.list', theExam],
    ['reading.worklist', (r) => r.detail?.returned === 1],
    ['reading.claim', theExam],
    ['reading.release', theExam],
    ['report.draft', theExam],
    ['report.critical-result', theExam],
    ['report.sign', theExam],
    ['report.read', theExam],
    ['report.export', (r) => theExam(r) && r.detail?.format === 'txt'],
    ['report.export', (r) => theExam(r) && r.detail?.format === 'pdf'],
    ['charge.read', theExam],
    ['charge.edit', theExam],
    ['charge.release', (r) => JSON.stringify(r.detail?.orderIds) === JSON.stringify([exam.id])],
    ['charge.export', (r) => r.detail?.from === period.from],
  ];
  for (const [action, isIt] of trail) {
    const { records } = await ok(
      call<{ records: AuditRecord[] }>('GET', `/audit?patientId=AUD-1&action=${action}&limit=1000`),
    );
    const found = records.filter((r) => r.outcome === 'success' && isIt(r));
    assert.ok(found.length > 0, `${action} is on the patient's trail: ${JSON.stringify(records)}`);
    for (const record of found) assert.equal(record.patientId, 'AUD-1', action);
    // What concerns the exam names its study too (here the scheduled one: no images are stored).
    const ofExam = found.find(theExam);
    if (ofExam) assert.equal(ofExam.studyInstanceUid, exam.studyInstanceUid, action);
  }

  // The FHIR door: a DiagnosticReport read is on the patient's trail as AuditEvent (entity-id = Patient ID).
  const fhir = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${server.httpUrl}/fhir/${path}`, { headers: server.auth });
    assert.equal(response.status, 200, path);
    return (await response.json()) as T;
  };
  await fhir(`DiagnosticReport/${exam.id}`);
  const events = await fhir<{
    entry?: {
      resource: { source: { site: string }; entity?: { what: { identifier?: { value?: string } } }[] };
    }[];
  }>('AuditEvent?entity-id=AUD-1&subtype=report.read&_count=100');
  const fhirReads = (events.entry ?? []).filter((e) => e.resource.source.site === 'fhir');
  assert.ok(fhirReads.length > 0, JSON.stringify(events));
  for (const { resource } of fhirReads) {
    assert.ok(
      resource.entity?.some((e) => e.what.identifier?.value === 'AUD-1'),
      JSON.stringify(resource),
    );
  }
});
