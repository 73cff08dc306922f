/* eslint-disable max-lines -- one exam's whole day, step by step, as the issue's acceptance reads */
// The RIS acceptance test (issue 5): one exam's whole day over the real doors of one `lantern serve`.
// The clerk registers the patient and places the order (REST) and books a slot on the CT room; the CT
// modality finds it on the Modality Worklist (DCMTK findscu -W), reports the procedure step (MPPS N-CREATE,
// N-SET COMPLETED with dcmjs-dimse, as DCMTK has no MPPS tool) and sends the images (DCMTK storescu) built
// from the worklist answer; the study links to the order, shows on the reading worklist, is claimed,
// reported, signed final and amended; the charges appear and are released. Every transition is in the
// order's history and in the audit trail (read from the database after the server stops). Then the
// refusals: an overlapping booking, signing a cancelled exam, MPPS for an unknown step; each a clear error
// that changes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { assertProblem, restClient, userSession, type Problem } from '../support/rest-client.js';
import {
  dumped,
  completedAttributes,
  inProgressAttributes,
  mppsCreate,
  mppsSet,
  quietDimse,
  readAuditTrail,
  sendDimse,
  waitFor,
  worklistMatches as findWorklist,
  type AuditRecord,
  type ChargesBody,
  type HistoryEntry,
  type OrderBody,
  type ReadingBody,
  type ReportBody,
  type ReportVersion,
} from '../support/ris-doors.js';
import { syntheticUid, writeSyntheticStudy } from '../support/synthetic-ct.js';

// A Monday well ahead; the CT room is open 08:00–16:00 Europe/Berlin (UTC+2 in June).
const DAY = '2031-06-02';
const DA = DAY.replace(/-/g, '');
const local = (hhmm: string) => `${DAY}T${hhmm}:00+02:00`;
const STATION = 'CT1';
const PATIENT = { patientId: 'DAY-1', issuerOfPatientId: 'HOSP', name: 'Day^Dora' };

let dataDir: string;
let server: RunningLantern;
let api: string;
let patientRef: number;
let resourceId: number;
let procedureId: number;
/** The exam of the day, and what the modality learnt from the worklist. */
let exam: OrderBody;
let fromWorklist: { studyInstanceUid: string; patientId: string; patientName: string; accession: string };
const mppsUid = '1.2.826.0.1.3680043.8.498.7100';
let studyUid: string;
let images: { studyInstanceUid: string; files: string[] };
let finalVersion: ReportVersion;
/** The exam's history once amended: the refusals must leave it exactly so. */
let dayHistory: HistoryEntry[];
/** The second order, cancelled. */
let other: OrderBody;

// The day's people: the administrator sets up the catalogue and the room; the clerk registers, orders, books
// and bills; the radiologist reads and reports. Each is a user of their role, logged in.
const call = restClient(
  () => api,
  () => server.auth,
);
let clerkUser: { id: string; headers: Record<string, string> };
let radiologistUser: { id: string; headers: Record<string, string> };
const clerk = restClient(
  () => api,
  () => clerkUser.headers,
);
const radiologist = restClient(
  () => api,
  () => radiologistUser.headers,
);
const getOrder = async (id: number) => (await call<OrderBody>('GET', `/orders/${id}`)).body;
const history = async (id: number) =>
  (await call<{ history: HistoryEntry[] }>('GET', `/orders/${id}/history`)).body.history;
const worklistMatches = (keys: string[]) => findWorklist(server.dicomPort, STATION, keys);
const dimse = (list: Parameters<typeof sendDimse>[2]) => sendDimse(server.dicomPort, STATION, list);

before(async () => {
  quietDimse();
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-exam-day-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,worklist',
    LANTERN_RIS_STUDY_STABLE_SECONDS: '1',
  });
  api = `${server.httpUrl}/api`;
  clerkUser = await userSession(server, 'desk1', ['clerk']);
  radiologistUser = await userSession(server, 'reader1', ['radiologist'], 'Dr Reader');
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the clerk registers the patient, places the order and books a slot on the CT room', async () => {
  const patient = await clerk<{ id: number }>('POST', '/patients', {
    ...PATIENT,
    birthDate: '19650412',
    sex: 'F',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  patientRef = patient.body.id;
  const procedure = await call<{ id: number }>('POST', '/procedures', {
    code: 'CT-ABD-DAY',
    codingScheme: '99LANTERN',
    meaning: 'CT Abdomen with contrast',
    modality: 'CT',
    bodyPart: 'ABDOMEN',
    durationMinutes: 30,
    charges: [
      { code: '74160', codingScheme: 'C4', modifiers: ['26'], quantity: 1 },
      { code: 'Q9967', codingScheme: 'HCPCS', quantity: 100 },
    ],
  });
  assert.equal(procedure.status, 201, JSON.stringify(procedure.body));
  procedureId = procedure.body.id;
  const resource = await call<{ id: number }>('POST', '/resources', {
    name: 'CT room 1',
    aeTitle: STATION,
    modality: 'CT',
    stationName: 'CTROOM1',
    timeZone: 'Europe/Berlin',
    openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
  });
  assert.equal(resource.status, 201, JSON.stringify(resource.body));
  resourceId = resource.body.id;

  const placed = await clerk<OrderBody>('POST', '/orders', {
    patientRef,
    procedureId,
    priority: 'URGENT',
    reason: 'Right lower quadrant pain',
    orderingProvider: { name: 'Ref^Rita' },
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  exam = placed.body;
  assert.equal(exam.status, 'ordered');
  assert.match(exam.accessionNumber, /^\d{13}$/);

  // The 09:00 slot of the day, as the booking screen offers it.
  const slots = await clerk<{ slots: { start: string; end: string; available: boolean }[] }>(
    'GET',
    `/resources/${resourceId}/slots?date=${DAY}`,
  );
  assert.equal(slots.status, 200, JSON.stringify(slots.body));
  assert.equal(slots.body.slots.length, 16, 'eight opening hours in 30-minute slots');
  const nine = slots.body.slots.find((s) => Date.parse(s.start) === Date.parse(local('09:00')));
  assert.ok(nine?.available, JSON.stringify(slots.body.slots));
  const booking = await clerk<{ id: number; status: string }>('POST', '/bookings', {
    orderId: exam.id,
    resourceId,
    start: nine.start,
  });
  assert.equal(booking.status, 201, JSON.stringify(booking.body));
  assert.equal(booking.body.status, 'booked');
  const scheduled = await getOrder(exam.id);
  assert.equal(scheduled.status, 'scheduled');
  assert.equal(scheduled.steps[0]!.stationAeTitle, STATION);
  assert.equal(Date.parse(scheduled.steps[0]!.scheduledStart!), Date.parse(local('09:00')));
  const after = await clerk<{ slots: { start: string; available: boolean }[] }>(
    'GET',
    `/resources/${resourceId}/slots?date=${DAY}`,
  );
  assert.equal(after.body.slots.find((s) => s.start === nine.start)!.available, false);
});

test('the modality finds the exam on its worklist (findscu -W)', async () => {
  const keys = [
    `ScheduledProcedureStepSequence[0].ScheduledStationAETitle=${STATION}`,
    `ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${DA}`,
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime',
    'ScheduledProcedureStepSequence[0].Modality=CT',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID',
    'AccessionNumber',
    'PatientName',
    'PatientID',
    'IssuerOfPatientID',
    'StudyInstanceUID',
    'RequestedProcedureID',
    'RequestedProcedureDescription',
    'RequestedProcedureCodeSequence',
    'RequestedProcedurePriority',
    'ReferringPhysicianName',
  ];
  const matches = await worklistMatches(keys);
  assert.equal(matches.length, 1, matches.join('\n'));
  const [match] = matches as [string];
  assert.equal(dumped(match, '0008,0050'), exam.accessionNumber);
  assert.equal(dumped(match, '0040,1001'), exam.accessionNumber, 'Requested Procedure ID');
  assert.equal(dumped(match, '0010,0020'), PATIENT.patientId);
  assert.equal(dumped(match, '0010,0021'), PATIENT.issuerOfPatientId);
  assert.equal(dumped(match, '0010,0010'), PATIENT.name);
  assert.equal(dumped(match, '0020,000d'), exam.studyInstanceUid);
  assert.equal(dumped(match, '0040,0001'), STATION, 'Scheduled Station AE Title');
  assert.equal(dumped(match, '0040,0002'), DA);
  assert.equal(dumped(match, '0040,0003'), '090000', 'on the room clock');
  assert.equal(dumped(match, '0008,0060'), 'CT');
  assert.equal(dumped(match, '0008,0090'), 'Ref^Rita');
  assert.equal(dumped(match, '0040,1003'), 'HIGH', 'URGENT is HIGH in DICOM');
  // Requested Procedure Code Sequence (0032,1064): the catalogue's code, scheme and meaning.
  const codeSequence = match.slice(match.indexOf('(0032,1064)'));
  assert.ok(codeSequence.length > 0, match);
  assert.equal(dumped(codeSequence, '0008,0100'), 'CT-ABD-DAY');
  assert.equal(dumped(codeSequence, '0008,0102'), '99LANTERN');
  assert.equal(dumped(codeSequence, '0008,0104'), 'CT Abdomen with contrast');
  fromWorklist = {
    studyInstanceUid: dumped(match, '0020,000d')!,
    patientId: dumped(match, '0010,0020')!,
    patientName: dumped(match, '0010,0010')!,
    accession: dumped(match, '0008,0050')!,
  };
});

test('MPPS N-CREATE moves the exam to in-progress, N-SET COMPLETED to completed', async () => {
  const [created] = await dimse([
    mppsCreate(
      mppsUid,
      inProgressAttributes({
        studyInstanceUid: fromWorklist.studyInstanceUid,
        accessionNumber: fromWorklist.accession,
        patientId: fromWorklist.patientId,
        patientName: fromWorklist.patientName,
        performedStepId: 'PPS-DAY-1',
        station: STATION,
        date: DA,
        time: '090200',
      }),
    ),
  ]);
  assert.equal(created?.status, 0x0000, JSON.stringify(created));
  assert.equal((await getOrder(exam.id)).status, 'in-progress');
  // Started: no other modality picks it from the worklist again.
  assert.deepEqual(await worklistMatches([`AccessionNumber=${exam.accessionNumber}`]), []);

  // The scanner acquires one series, from what the worklist told it.
  images = await writeSyntheticStudy(join(dataDir, 'modality-out'), {
    seed: 7100,
    patientId: fromWorklist.patientId,
    patientName: fromWorklist.patientName,
    studyInstanceUid: fromWorklist.studyInstanceUid,
    accessionNumber: fromWorklist.accession,
    studyDate: DA,
    series: 1,
    instancesPerSeries: 3,
    rows: 64,
    columns: 64,
  });
  studyUid = images.studyInstanceUid;
  assert.equal(studyUid, exam.studyInstanceUid);

  const [completed] = await dimse([
    mppsSet(
      mppsUid,
      completedAttributes({ date: DA, time: '091800', series: syntheticUid(`${studyUid}/series/1`) }),
    ),
  ]);
  assert.equal(completed?.status, 0x0000, JSON.stringify(completed));
  const order = await getOrder(exam.id);
  assert.equal(order.status, 'completed');
  assert.equal(order.steps[0]!.status, 'COMPLETED');
  // Completion bills the exam.
  assert.equal((await clerk<ChargesBody>('GET', `/orders/${exam.id}/charges`)).body.status, 'open');
});

test('storescu sends the images; the study links to the order by its accession number', async () => {
  const peer = ['-aet', STATION, '-aec', 'LANTERN', '127.0.0.1', String(server.dicomPort)];
  const sent = await runTool('storescu', [...peer, ...images.files]);
  assert.equal(sent.code, 0, sent.output);
  const studies = await waitFor('the study link', async () => {
    const body = (
      await clerk<{ studies: { studyInstanceUid: string; matchedBy: string }[] }>(
        'GET',
        `/orders/${exam.id}/studies`,
      )
    ).body;
    return body.studies.length > 0 ? body.studies : undefined;
  });
  assert.deepEqual(
    studies.map((s) => [s.studyInstanceUid, s.matchedBy]),
    [[studyUid, 'accession']],
  );
  // MPPS had completed it already: the images change no state.
  assert.equal((await getOrder(exam.id)).status, 'completed');
  assert.equal(
    (await clerk<{ total: number }>('GET', '/unmatched-studies')).body.total,
    0,
    'nothing waits for a clerk',
  );
});

test('the exam is on the reading worklist and a radiologist claims it', async () => {
  const list = await radiologist<ReadingBody>('GET', '/reading-worklist?modality=CT');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const entry = list.body.entries.find((e) => e.orderId === exam.id);
  assert.ok(entry, JSON.stringify(list.body));
  assert.deepEqual(
    [entry.accessionNumber, entry.studyInstanceUid, entry.status, entry.priority, entry.claim],
    [exam.accessionNumber, studyUid, 'completed', 'URGENT', null],
  );
  assert.equal(entry.patient.patientId, PATIENT.patientId);
  const claimed = await radiologist<{ by: string; expiresAt: string }>(
    'POST',
    `/reading-worklist/${exam.id}/claim`,
  );
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  assert.equal(claimed.body.by, 'user:reader1');
  const shown = await radiologist<ReadingBody>('GET', '/reading-worklist');
  assert.equal(shown.body.entries.find((e) => e.orderId === exam.id)!.claim?.by, 'user:reader1');
});

test('the radiologist drafts, signs final, then amends: a new version, the old one kept', async () => {
  const draft = await radiologist<ReportBody>('POST', `/orders/${exam.id}/report/drafts`, {
    sections: [
      { title: 'Findings', text: '' },
      { title: 'Impression', text: '' },
    ],
  });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  assert.equal(draft.body.current.status, 'draft');
  const sections = [
    { title: 'Findings', text: 'Thickened appendix, 11 mm, with periappendiceal fat stranding.' },
    { title: 'Impression', text: 'Acute appendicitis.' },
  ];
  const edited = await radiologist<ReportBody>('PUT', `/orders/${exam.id}/report/draft`, { sections });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.deepEqual(edited.body.current.sections, sections);

  // Signed under the account's name: the logged-in radiologist names nobody.
  const signed = await radiologist<ReportBody>('POST', `/orders/${exam.id}/report/sign`, { as: 'final' });
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
  assert.equal(signed.body.orderStatus, 'final');
  assert.equal(signed.body.current.status, 'final');
  assert.deepEqual(signed.body.current.signer, { id: 'reader1', name: 'Dr Reader' });
  assert.ok(signed.body.current.signedAt);
  finalVersion = signed.body.current;
  assert.equal((await getOrder(exam.id)).status, 'final');
  // Signed final: off the reading worklist, the claim cleared.
  const list = await radiologist<ReadingBody>('GET', '/reading-worklist');
  assert.ok(list.body.entries.every((e) => e.orderId !== exam.id));

  const corrected = [sections[0]!, { title: 'Impression', text: 'Acute appendicitis, no abscess.' }];
  const amendment = await radiologist<ReportBody>('POST', `/orders/${exam.id}/report/amend`, {
    kind: 'amendment',
    reason: 'abscess question answered',
    sections: corrected,
  });
  assert.equal(amendment.status, 201, JSON.stringify(amendment.body));
  assert.deepEqual(
    amendment.body.versions.map((v) => [v.version, v.kind, v.status]),
    [
      [1, 'original', 'final'],
      [2, 'amendment', 'draft'],
    ],
  );
  const amended = await radiologist<ReportBody>('POST', `/orders/${exam.id}/report/sign`, { as: 'final' });
  assert.equal(amended.status, 200, JSON.stringify(amended.body));
  assert.equal(amended.body.orderStatus, 'amended');
  assert.deepEqual(
    amended.body.versions.map((v) => [v.version, v.kind, v.status]),
    [
      [1, 'original', 'final'],
      [2, 'amendment', 'final'],
    ],
  );
  assert.equal(amended.body.current.reason, 'abscess question answered');
  assert.deepEqual(amended.body.current.sections, corrected);
  assert.deepEqual(amended.body.versions[0], finalVersion, 'the signed version 1 is kept as it was');
  const report = await radiologist<ReportBody>('GET', `/orders/${exam.id}/report`);
  assert.deepEqual(report.body.versions, amended.body.versions);
});

test('the charge lines from the catalogue appear and are released', async () => {
  const charges = await clerk<ChargesBody>('GET', `/orders/${exam.id}/charges`);
  assert.equal(charges.status, 200, JSON.stringify(charges.body));
  assert.equal(charges.body.status, 'open');
  assert.deepEqual(
    charges.body.lines.map((l) => [l.code, l.codingScheme, l.modifiers, l.quantity, l.releasedAt]),
    [
      ['74160', 'C4', ['26'], 1, null],
      ['Q9967', 'HCPCS', [], 100, null],
    ],
  );
  const released = await clerk<{ released: ChargesBody[] }>('POST', '/charges/release', {
    orderIds: [exam.id],
  });
  assert.equal(released.status, 200, JSON.stringify(released.body));
  assert.equal(released.body.released[0]!.status, 'released');
  const locked = await clerk<ChargesBody>('GET', `/orders/${exam.id}/charges`);
  assert.equal(locked.body.status, 'released');
  assert.ok(locked.body.lines.every((l) => l.releasedAt !== null));
});

test("every transition is in the order's history, with its actor and reason", async () => {
  dayHistory = await history(exam.id);
  assert.deepEqual(
    dayHistory.map((h) => [h.from, h.to, `${h.actor.kind}:${h.actor.id}`]),
    [
      [null, 'ordered', 'user:desk1'],
      ['ordered', 'scheduled', 'user:desk1'],
      ['scheduled', 'arrived', `ae:${STATION}`],
      ['arrived', 'in-progress', `ae:${STATION}`],
      ['in-progress', 'completed', `ae:${STATION}`],
      ['completed', 'final', 'user:reader1'],
      ['final', 'amended', 'user:reader1'],
    ],
  );
  assert.match(dayHistory[3]!.reason ?? '', /MPPS PPS-DAY-1 IN PROGRESS on CT1/);
  assert.match(dayHistory[4]!.reason ?? '', /MPPS PPS-DAY-1 COMPLETED on CT1/);
  assert.match(dayHistory[5]!.reason ?? '', /signed final by Dr Reader/);
  const times = dayHistory.map((h) => Date.parse(h.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'in time order',
  );
});

test('refused: an overlapping booking, signing a cancelled exam; nothing changes', async () => {
  const placed = await clerk<OrderBody>('POST', '/orders', {
    patientRef,
    procedureId,
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  other = placed.body;

  // 09:15 overlaps the exam's 09:00–09:30 on the same room.
  const overlap = await clerk<Problem>('POST', '/bookings', {
    orderId: other.id,
    resourceId,
    start: local('09:15'),
  });
  assertProblem(overlap, 409, /CT room 1 is already booked/);
  const untouched = await getOrder(other.id);
  assert.equal(untouched.status, 'ordered');
  assert.equal(untouched.steps[0]!.scheduledStart, null);
  assert.equal((await history(other.id)).length, 1);

  const booked = await clerk('POST', '/bookings', { orderId: other.id, resourceId, start: local('11:00') });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  const cancelled = await clerk<OrderBody>('POST', `/orders/${other.id}/transitions`, {
    to: 'cancelled',
    reason: 'patient declined',
  });
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  const before = await history(other.id);
  assert.deepEqual(
    before.map((h) => h.to),
    ['ordered', 'scheduled', 'cancelled'],
  );

  const sign = await radiologist<Problem>('POST', `/orders/${other.id}/report/sign`, { as: 'final' });
  assertProblem(sign, 409, /order is cancelled/);
  const draft = await radiologist<Problem>('POST', `/orders/${other.id}/report/drafts`, {});
  assertProblem(draft, 409, /order is cancelled/);
  assert.equal((await radiologist('GET', `/orders/${other.id}/report`)).status, 404);
  assert.equal((await getOrder(other.id)).status, 'cancelled');
  assert.deepEqual(await history(other.id), before);
  assert.equal((await clerk<ChargesBody>('GET', `/orders/${other.id}/charges`)).body.status, 'none');
  // The cancelled order's slot is free again.
  const slots = await clerk<{ slots: { start: string; available: boolean }[] }>(
    'GET',
    `/resources/${resourceId}/slots?date=${DAY}`,
  );
  const eleven = slots.body.slots.find((s) => Date.parse(s.start) === Date.parse(local('11:00')));
  assert.equal(eleven?.available, true);
});

test('refused: MPPS N-SET for an unknown step or an ended one, N-CREATE for a cancelled exam', async () => {
  const [unknown, ended, forCancelled] = await dimse([
    mppsSet('1.2.826.0.1.3680043.8.498.7199', { PerformedProcedureStepStatus: 'COMPLETED' }),
    mppsSet(mppsUid, {
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepEndDate: DA,
      PerformedProcedureStepEndTime: '092000',
    }),
    mppsCreate(
      '1.2.826.0.1.3680043.8.498.7102',
      inProgressAttributes({
        studyInstanceUid: other.studyInstanceUid,
        accessionNumber: other.accessionNumber,
        patientId: PATIENT.patientId,
        patientName: PATIENT.name,
        performedStepId: 'PPS-DAY-2',
        station: STATION,
        date: DA,
        time: '110000',
      }),
    ),
  ]);
  assert.equal(unknown?.status, 0x0112, 'No such SOP Instance');
  assert.match(unknown?.errorComment ?? '', /not found/);
  assert.equal(ended?.status, 0x0110, 'Processing failure');
  assert.match(ended?.errorComment ?? '', /no longer be updated/);
  assert.equal(forCancelled?.status, 0x0110, JSON.stringify(forCancelled));
  assert.match(forCancelled?.errorComment ?? '', /cancelled/);

  assert.equal((await getOrder(exam.id)).status, 'amended');
  assert.deepEqual(await history(exam.id), dayHistory);
  assert.equal((await getOrder(other.id)).status, 'cancelled');
  assert.equal((await history(other.id)).length, 3);
});

test('the audit trail holds every step of the day and every refusal', async () => {
  await server.stop();
  const rows = readAuditTrail(dataDir);
  const concerns = (row: AuditRecord, order: OrderBody) =>
    row.studyInstanceUid === order.studyInstanceUid ||
    row.detail.orderId === order.id ||
    (Array.isArray(row.detail.orderIds) && row.detail.orderIds.includes(order.id));

  // The changes to the exam, in order: one audited call for each step of its history.
  const changes = rows.filter(
    (r) =>
      concerns(r, exam) &&
      r.outcome === 'success' &&
      /^(order\.(place|transition)|booking\.(create|reschedule|cancel)|mpps\.(create|update)|study\.link|reading\.claim|report\.(draft|edit|sign|amend)|charge\.(edit|release))$/.test(
        r.action,
      ),
  );
  assert.deepEqual(
    changes.map((r) => [r.action, r.actor]),
    [
      ['order.place', 'user:desk1'], // → ordered
      ['booking.create', 'user:desk1'], // → scheduled
      ['mpps.create', `ae:${STATION}`], // → arrived, in-progress
      ['mpps.update', `ae:${STATION}`], // → completed
      ['study.link', 'system:ris:study-linking'],
      ['reading.claim', 'user:reader1'],
      ['report.draft', 'user:reader1'],
      ['report.edit', 'user:reader1'],
      ['report.sign', 'user:reader1'], // → final
      ['report.amend', 'user:reader1'],
      ['report.sign', 'user:reader1'], // → amended
      ['charge.release', 'user:desk1'],
    ],
  );
  const [, , created, updated] = changes;
  assert.deepEqual([created!.detail.status, updated!.detail.status], ['IN PROGRESS', 'COMPLETED']);
  assert.equal(created!.door, 'dimse');
  const signs = changes.filter((r) => r.action === 'report.sign');
  assert.deepEqual(
    signs.map((r) => [r.detail.version, r.detail.status]),
    [
      [1, 'final'],
      [2, 'final'],
    ],
  );
  // Reads are audited too: the worklist query, the history, the charges.
  for (const action of ['worklist.query', 'order.read', 'order.history', 'order.studies', 'charge.read']) {
    assert.ok(
      rows.some((r) => r.action === action && r.outcome === 'success'),
      `an audited ${action}`,
    );
  }

  // The refusals, each a failure with its reason.
  const failures = rows.filter((r) => r.outcome === 'failure');
  const failed = (action: string, reason: RegExp) =>
    assert.ok(
      failures.some((r) => r.action === action && reason.test(String(r.detail.reason))),
      `a failed ${action} (${reason}) in ${JSON.stringify(failures.map((r) => [r.action, r.detail.reason]))}`,
    );
  failed('booking.create', /already booked/);
  failed('report.sign', /order is cancelled/);
  failed('report.draft', /order is cancelled/);
  failed('mpps.update', /not found/);
  failed('mpps.update', /no longer be updated/);
  failed('mpps.create', /cancelled/);
  // And the cancelled order's own path: placed, booked, cancelled.
  assert.deepEqual(
    rows
      .filter(
        (r) =>
          concerns(r, other) &&
          r.outcome === 'success' &&
          /^(order\.(place|transition)|booking\.create)$/.test(r.action),
      )
      .map((r) => r.action),
    ['order.place', 'booking.create', 'order.transition'],
  );
});
