// The RIS's DICOM doors against `lantern serve`: findscu -W finds an order booked over REST (Modality
// Worklist, K.6 return keys); dcmjs-dimse's MPPS moves it to in-progress, completed or discontinued, and
// refusals change nothing; storescu of images with the accession links the study once stable, and images
// with an unknown accession wait in /api/unmatched-studies until a clerk links them.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { requests as Requests } from 'dcmjs-dimse';
import { storeFolder } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient } from '../support/rest-client.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';
import {
  completedAttributes,
  dumpedSequence,
  inProgressAttributes,
  mppsCreate,
  mppsSet,
  quietDimse,
  sendDimse,
  waitFor,
  worklistMatches,
  type DimseReply,
  type HistoryEntry,
  type OrderBody,
} from '../support/ris-doors.js';

let dataDir: string;
let server: RunningLantern;
let api: string;
let patientRef: number;
let procedureId: number;
let resourceId: number;

const call = restClient(
  () => api,
  () => server.auth,
);

// A Monday in the future; the CT room is open 08:00–16:00 Europe/Berlin (UTC+2 in June).
const DAY = '2031-06-02';

/** An order for the patient (MWL-1 unless named), booked on the CT room at `hhmm` local time. */
async function bookedOrder(hhmm: string, patient = patientRef, referrer = 'Ref^Rita'): Promise<OrderBody> {
  const order = await call<OrderBody>('POST', '/orders', {
    patientRef: patient,
    procedureId,
    orderingProvider: { name: referrer },
  });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const booking = await call('POST', '/bookings', {
    orderId: order.body.id,
    resourceId,
    start: `${DAY}T${hhmm}:00+02:00`,
  });
  assert.equal(booking.status, 201, JSON.stringify(booking.body));
  return order.body;
}

const orderStatus = async (id: number) => (await call<OrderBody>('GET', `/orders/${id}`)).body.status;
const orderHistory = async (id: number) =>
  (await call<{ history: HistoryEntry[] }>('GET', `/orders/${id}/history`)).body.history;

before(async () => {
  quietDimse();
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-mwl-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,worklist',
    LANTERN_RIS_STUDY_STABLE_SECONDS: '1',
  });
  api = `${server.httpUrl}/api`;
  const patient = await call<{ id: number }>('POST', '/patients', {
    patientId: 'MWL-1',
    issuerOfPatientId: 'HOSP',
    name: 'Worklist^Wanda',
    birthDate: '19700315',
    sex: 'F',
  });
  assert.equal(patient.status, 201);
  patientRef = patient.body.id;
  const seeded = await call<{ added: { id: number; code: string }[] }>('POST', '/procedures/defaults');
  procedureId = seeded.body.added.find((p) => p.code === 'CT-HEAD-WO')!.id;
  const resource = await call<{ id: number }>('POST', '/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    stationName: 'CTROOM1',
    timeZone: 'Europe/Berlin',
    openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
  });
  assert.equal(resource.status, 201);
  resourceId = resource.body.id;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** findscu -W with the given -k keys; the responses as dcmdump-style text, one string per match. */
const findWorklist = (keys: string[]) => worklistMatches(server.dicomPort, 'CT1', keys);

test('findscu -W finds the booked order by station AE title, with the K.6 return keys', async () => {
  const order = await bookedOrder('09:00');
  const matches = await findWorklist([
    'ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT1',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime',
    'ScheduledProcedureStepSequence[0].Modality',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID',
    `AccessionNumber=${order.accessionNumber}`,
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'StudyInstanceUID',
    'RequestedProcedureID',
    'RequestedProcedureDescription',
    'RequestedProcedureCodeSequence',
    'ReferringPhysicianName',
  ]);
  assert.equal(matches.length, 1, matches.join('\n'));
  const [match] = matches as [string];
  assert.match(match, new RegExp(`\\(0008,0050\\) SH \\[${order.accessionNumber} ?\\]`));
  assert.match(match, /\(0010,0010\) PN \[Worklist\^Wanda ?\]/);
  assert.match(match, /\(0010,0020\) LO \[MWL-1 ?\]/);
  assert.match(
    match,
    // A UI of odd length is padded with a NUL (PS3.5 6.2), which findscu may print.
    new RegExp(`\\(0020,000d\\) UI \\[${order.studyInstanceUid.replace(/\./g, '\\.')}[ \\u0000]?\\]`),
  );
  assert.match(match, /\(0040,0001\) AE \[CT1 ?\]/);
  // 09:00 in Berlin: the room's wall clock, as the modality shows it.
  assert.match(match, /\(0040,0002\) DA \[20310602 ?\]/);
  assert.match(match, /\(0040,0003\) TM \[090000 ?\]/);
  assert.match(match, /\(0008,0060\) CS \[CT ?\]/);
  // Requested Procedure Code Sequence: the catalogue's code, scheme and meaning.
  assert.match(match, /\(0008,0100\) SH \[CT-HEAD-WO ?\]/);
  assert.match(match, /\(0008,0102\) SH \[99LANTERN ?\]/);
  assert.match(match, /\(0032,1060\) LO \[CT Head/);
  assert.match(match, /\(0008,0090\) PN \[Ref\^Rita ?\]/);

  // Other stations, dates and names do not see it; a wildcard name and a date range do.
  assert.equal(
    (await findWorklist(['ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT2', 'AccessionNumber']))
      .length,
    0,
  );
  const byDate = await findWorklist([
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20310601-20310602',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime=0800-0930',
    'PatientName=worklist*',
    `AccessionNumber=${order.accessionNumber}`,
  ]);
  assert.equal(byDate.length, 1);
  assert.equal(
    (await findWorklist([`AccessionNumber=${order.accessionNumber}`, 'PatientName=Other*'])).length,
    0,
  );
});

test('findscu -W by Patient ID returns the K.6 keys a modality needs; another modality finds nothing', async () => {
  const patient = await call<{ id: number }>('POST', '/patients', {
    patientId: 'MWL-2',
    issuerOfPatientId: 'HOSP',
    name: 'Keys^Kai',
    birthDate: '19851224',
    sex: 'M',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  const { accessionNumber, studyInstanceUid } = await bookedOrder('15:00', patient.body.id, 'Sender^Sid');

  const matches = await findWorklist([
    'PatientID=MWL-2',
    'PatientName',
    'PatientBirthDate',
    'PatientSex',
    'AccessionNumber',
    'ReferringPhysicianName',
    'StudyInstanceUID',
    'RequestedProcedureID',
    'RequestedProcedureCodeSequence',
    'ScheduledProcedureStepSequence[0].Modality',
    'ScheduledProcedureStepSequence[0].ScheduledStationAETitle',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStatus',
    'ScheduledProcedureStepSequence[0].ScheduledProcedureStepDescription',
    'ScheduledProcedureStepSequence[0].ScheduledProtocolCodeSequence',
  ]);
  assert.equal(matches.length, 1, matches.join('\n'));
  const [match] = matches as [string];
  assert.match(match, /\(0010,0020\) LO \[MWL-2 ?\]/);
  assert.match(match, /\(0010,0010\) PN \[Keys\^Kai ?\]/);
  assert.match(match, /\(0010,0030\) DA \[19851224 ?\]/, "Patient's Birth Date");
  assert.match(match, /\(0010,0040\) CS \[M ?\]/, "Patient's Sex");
  assert.match(match, new RegExp(`\\(0008,0050\\) SH \\[${accessionNumber} ?\\]`), 'Accession Number');
  assert.match(match, /\(0008,0090\) PN \[Sender\^Sid ?\]/, 'Referring Physician');
  assert.match(
    match,
    new RegExp(`\\(0020,000d\\) UI \\[${studyInstanceUid.replace(/\./g, '\\.')}[ \\u0000]?\\]`),
    'Study Instance UID',
  );
  // Lantern is the filler: the Requested Procedure ID is the accession number.
  assert.match(match, new RegExp(`\\(0040,1001\\) SH \\[${accessionNumber} ?\\]`), 'Requested Procedure ID');
  const requested = dumpedSequence(match, '0032,1064');
  assert.match(requested, /\(0008,0100\) SH \[CT-HEAD-WO ?\]/);
  assert.match(requested, /\(0008,0102\) SH \[99LANTERN ?\]/);
  assert.match(requested, /\(0008,0104\) LO \[CT Head without contrast ?\]/);
  const step = dumpedSequence(match, '0040,0100');
  assert.match(step, /\(0008,0060\) CS \[CT ?\]/);
  assert.match(step, /\(0040,0001\) AE \[CT1 ?\]/);
  assert.match(step, /\(0040,0009\) SH \[1 ?\]/, 'Scheduled Procedure Step ID');
  assert.match(step, /\(0040,0020\) CS \[SCHEDULED ?\]/, 'Scheduled Procedure Step Status');
  assert.match(
    step,
    /\(0040,0007\) LO \[CT Head without contrast ?\]/,
    'Scheduled Procedure Step Description',
  );
  const protocol = dumpedSequence(match, '0040,0008');
  assert.match(protocol, /\(0008,0100\) SH \[CT-HEAD-WO ?\]/, 'Scheduled Protocol Code Sequence');
  assert.match(protocol, /\(0008,0102\) SH \[99LANTERN ?\]/);

  // The same patient on another modality's worklist: nothing. Another patient's ID: nothing either.
  const onMr = await findWorklist([
    'PatientID=MWL-2',
    'ScheduledProcedureStepSequence[0].Modality=MR',
    'AccessionNumber',
  ]);
  assert.equal(onMr.length, 0, onMr.join('\n'));
  assert.equal((await findWorklist(['PatientID=MWL-404', 'AccessionNumber'])).length, 0);
  // And the first patient's ID does not find this order.
  const first = await findWorklist(['PatientID=MWL-1', 'AccessionNumber']);
  assert.ok(first.length > 0);
  assert.ok(first.every((m) => !m.includes(accessionNumber)));
});

/** Sends requests on one association as the CT room's AE (dcmjs-dimse). */
function sendMpps(list: Requests.Request[]): Promise<DimseReply[]> {
  return sendDimse(server.dicomPort, 'CT1', list);
}

// The MPPS data sets of test/support, for this file's patient and the CT room.
const inProgress = (order: OrderBody, extra: Record<string, unknown> = {}) => ({
  ...inProgressAttributes({
    studyInstanceUid: order.studyInstanceUid,
    accessionNumber: order.accessionNumber,
    patientId: 'MWL-1',
    patientName: 'Worklist^Wanda',
    performedStepId: 'PPS-1',
    station: 'CT1',
    date: '20310602',
    time: '090500',
  }),
  ...extra,
});
const completed = completedAttributes({
  date: '20310602',
  time: '091500',
  series: '1.2.826.0.1.3680043.8.498.1',
});

test('MPPS: N-CREATE moves the order to in-progress, N-SET COMPLETED to completed; refusals change nothing', async () => {
  const order = await bookedOrder('10:00');
  const other = await bookedOrder('11:00');
  const uid = '1.2.826.0.1.3680043.8.498.100';
  const responses = await sendMpps([
    // Refused: created as COMPLETED (0106), no Performed Station AE Title (0120), then the real one.
    mppsCreate(
      '1.2.826.0.1.3680043.8.498.101',
      inProgress(other, { PerformedProcedureStepStatus: 'COMPLETED' }),
    ),
    mppsCreate('1.2.826.0.1.3680043.8.498.102', { ...inProgress(other), PerformedStationAETitle: undefined }),
    mppsCreate(uid, inProgress(order)),
    mppsCreate(uid, inProgress(order)),
    mppsSet(uid, { PerformedProcedureStepDescription: 'Head, plain' }),
    mppsSet('1.2.826.0.1.3680043.8.498.199', completed),
    mppsSet(uid, { PerformedProcedureStepStatus: 'DONE' }),
  ]);
  assert.deepEqual(
    responses.map((r) => r.status),
    [0x0106, 0x0120, 0x0000, 0x0111, 0x0000, 0x0112, 0x0106],
    JSON.stringify(responses),
  );
  assert.equal(await orderStatus(order.id), 'in-progress');
  assert.equal(await orderStatus(other.id), 'scheduled');

  const [done, again] = await sendMpps([
    mppsSet(uid, completed),
    mppsSet(uid, {
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepEndDate: '20310602',
      PerformedProcedureStepEndTime: '091600',
    }),
  ]);
  assert.equal(done!.status, 0x0000);
  assert.equal(again!.status, 0x0110);
  assert.match(again!.errorComment ?? '', /no longer be updated/);
  assert.equal(await orderStatus(order.id), 'completed');
  const history = await orderHistory(order.id);
  assert.deepEqual(
    history.map((h) => h.to),
    ['ordered', 'scheduled', 'arrived', 'in-progress', 'completed'],
  );
  assert.match(history.at(-1)!.reason ?? '', /MPPS PPS-1 COMPLETED on CT1/);
});

test('MPPS DISCONTINUED: N-CREATE then N-SET DISCONTINUED leaves the order discontinued, in its history', async () => {
  const order = await bookedOrder('12:30');
  const uid = '1.2.826.0.1.3680043.8.498.200';
  const responses = await sendMpps([
    mppsCreate(uid, inProgress(order, { PerformedProcedureStepID: 'PPS-2' })),
    mppsSet(uid, {
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepEndDate: '20310602',
      PerformedProcedureStepEndTime: '124000',
    }),
  ]);
  assert.deepEqual(
    responses.map((r) => r.status),
    [0x0000, 0x0000],
    JSON.stringify(responses),
  );
  assert.equal(await orderStatus(order.id), 'discontinued');
  const history = await orderHistory(order.id);
  assert.deepEqual(
    history.map((h) => [h.from, h.to]),
    [
      [null, 'ordered'],
      ['ordered', 'scheduled'],
      ['scheduled', 'arrived'],
      ['arrived', 'in-progress'],
      ['in-progress', 'discontinued'],
    ],
  );
  assert.match(history.at(-1)!.reason ?? '', /MPPS PPS-2 DISCONTINUED on CT1/);
  // Off the worklist: a discontinued exam is not performed again from it.
  assert.equal((await findWorklist([`AccessionNumber=${order.accessionNumber}`])).length, 0);
});

test('MPPS naming an unknown accession is refused (0106); naming no scheduled step is unscheduled', async () => {
  const order = await bookedOrder('12:00');
  const reference = (accession: string, step: string) => ({
    ...inProgress(order),
    ScheduledStepAttributesSequence: [
      {
        StudyInstanceUID: '1.2.826.0.1.3680043.8.498.301',
        AccessionNumber: accession,
        ScheduledProcedureStepID: step,
      },
    ],
  });
  const [unknown, forgotten, unscheduled] = await sendMpps([
    mppsCreate('1.2.826.0.1.3680043.8.498.302', reference('NOSUCHACC', '1')),
    // Refused creations leave no step behind: an N-SET of it finds none.
    mppsSet('1.2.826.0.1.3680043.8.498.302', completed),
    // The unscheduled case (IHE SWF): the modality names no scheduled step at all.
    mppsCreate('1.2.826.0.1.3680043.8.498.300', reference('', '')),
  ]);
  assert.equal(unknown!.status, 0x0106);
  assert.match(unknown!.errorComment ?? '', /no scheduled procedure step has accession number 'NOSUCHACC'/);
  assert.equal(forgotten!.status, 0x0112);
  assert.equal(unscheduled!.status, 0x0000);
  assert.equal(await orderStatus(order.id), 'scheduled');
});

async function storeStudy(folder: string, options: { accessionNumber: string; seed: number }) {
  const study = await writeSyntheticStudy(join(dataDir, folder), {
    ...options,
    patientId: 'MWL-1',
    patientName: 'Worklist^Wanda',
    series: 1,
    instancesPerSeries: 2,
    rows: 32,
    columns: 32,
  });
  await storeFolder(server.dicomPort, join(dataDir, folder), 'CT1');
  return study.studyInstanceUid;
}

test('images with the accession number link to the order once stable and complete it', async () => {
  const order = await bookedOrder('13:00');
  const studyUid = await storeStudy('linked', { accessionNumber: order.accessionNumber, seed: 41 });
  const studies = await waitFor('the link', async () => {
    const body = (
      await call<{ studies: { studyInstanceUid: string; matchedBy: string }[] }>(
        'GET',
        `/orders/${order.id}/studies`,
      )
    ).body;
    return body.studies.length > 0 ? body.studies : undefined;
  });
  assert.deepEqual(
    studies.map((s) => [s.studyInstanceUid, s.matchedBy]),
    [[studyUid, 'accession']],
  );
  // No MPPS for this order: the stable study completes it, through arrived and in-progress.
  assert.equal(await orderStatus(order.id), 'completed');
});

test('images with an unknown accession wait in /api/unmatched-studies until a clerk links them', async () => {
  const order = await bookedOrder('14:00');
  const studyUid = await storeStudy('unmatched', { accessionNumber: 'UNKNOWN-77', seed: 42 });
  type List = {
    total: number;
    studies: { studyInstanceUid: string; reason: string; accessionNumber: string }[];
  };
  const queued = await waitFor('the queue entry', async () => {
    const body = (await call<List>('GET', '/unmatched-studies')).body;
    return body.studies.find((s) => s.studyInstanceUid === studyUid);
  });
  assert.equal(queued.accessionNumber, 'UNKNOWN-77');
  assert.match(queued.reason, /no order has accession number UNKNOWN-77/);
  assert.equal(await orderStatus(order.id), 'scheduled');

  assert.equal((await call('POST', `/unmatched-studies/${studyUid}/link`, { orderId: 999999 })).status, 404);
  const linked = await call<{ status: string }>('POST', `/unmatched-studies/${studyUid}/link`, {
    orderId: order.id,
  });
  assert.equal(linked.status, 200, JSON.stringify(linked.body));
  assert.equal(linked.body.status, 'linked');
  assert.equal(
    (await call('POST', `/unmatched-studies/${studyUid}/link`, { orderId: order.id })).status,
    409,
  );
  assert.equal(
    (await call<List>('GET', '/unmatched-studies')).body.studies.some((s) => s.studyInstanceUid === studyUid),
    false,
  );
  const studies = (await call<{ studies: { matchedBy: string }[] }>('GET', `/orders/${order.id}/studies`))
    .body.studies;
  assert.deepEqual(
    studies.map((s) => s.matchedBy),
    ['clerk'],
  );
  assert.equal(await orderStatus(order.id), 'completed');
});
