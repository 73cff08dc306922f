// Every RIS change leaves its audit record: one user performs each change over REST against `lantern serve`
// (catalogue, resources, templates, bookings, charges, critical results, report exports), then the audit
// trail (GET /api/audit) must hold exactly one successful record of each, naming that user and the target.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient, userSession, type Reply } from '../support/rest-client.js';

interface AuditRecord {
  action: string;
  outcome: string;
  actor: { kind: string; id: string };
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
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-ris-audit-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  headers = (await userSession(server, USER, ['administrator'])).headers;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The call's reply, which must have the given status. */
async function ok<T>(reply: Promise<Reply<T>>, status = 200): Promise<T> {
  const done = await reply;
  assert.equal(done.status, status, JSON.stringify(done.body) ?? done.bytes.toString().slice(0, 200));
  return done.body;
}

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
    call<{ id: number; studyInstanceUid: string }>('POST', '/orders', {
      patientRef: patient.id,
      procedureId: procedure.id,
    }),
    201,
  );
  for (const to of ['arrived', 'in-progress', 'completed'])
    await ok(call('POST', `/orders/${exam.id}/transitions`, { to }));
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
});
