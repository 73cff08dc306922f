// The RIS day driven by HL7 against `lantern serve`: node-hl7-client as the EMR sends ADT^A04 and ORM^O01
// (NW, XO); the exam is done and reported over REST; the final report and its amendment arrive as ORU^R01
// at a test MLLP listener (lib/hl7v2's) configured as hl7.destinations, whose ACKs are recorded on the
// outbound messages. Then A40 merges a second patient, with a stored study, an order and a report, into
// the first, and DCMTK findscu (C-FIND) shows the study under the surviving identity.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Message, type InboundResponse } from 'node-hl7-client';
import {
  buildAck,
  createMllpServer,
  decodeMessage,
  type Hl7Message,
  type MllpServer,
} from '../../src/lib/hl7v2/index.js';
import { runTool } from '../support/dcmtk.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient } from '../support/rest-client.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';

let dataDir: string;
let server: RunningLantern;
let api: string;
let emr: MllpServer;
/** ORU^R01 messages the test listener received, in order. */
const results: Hl7Message[] = [];
let send: (text: string) => Promise<{ code: string; text: string }>;
let closePeer: () => Promise<void>;

const call = restClient(
  () => api,
  () => server.auth,
);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface OrderBody {
  id: number;
  patientRef: number;
  accessionNumber: string;
  studyInstanceUid: string;
  placerOrderNumber: string;
  priority: string;
  reason: string | null;
  status: string;
  procedure: { code: string };
  orderingProvider: { id: string | null; name: string | null };
}
interface MessageBody {
  id: number;
  state: string;
  messageType: string;
  controlId: string;
  ackCode: string | null;
  peer: string;
  outcome: string | null;
}

const msh = (type: string, control: string) =>
  `MSH|^~\\&|EPIC|HOSP|LANTERN|RAD|20240501120000||${type}|${control}|P|2.5.1||||||UNICODE UTF-8`;
const er7 = (...segments: string[]) => segments.join('\r') + '\r';

async function patientByMrn(mrn: string) {
  const { body } = await call<{ patients: { id: number; patientId: string; mergedInto?: number }[] }>(
    'GET',
    `/patients?identifier=${encodeURIComponent(`HOSP|${mrn}`)}&includeMerged=true`,
  );
  return body.patients[0];
}

async function ordersOf(patientRef: number): Promise<OrderBody[]> {
  return (await call<{ orders: OrderBody[] }>('GET', `/orders?patientRef=${patientRef}`)).body.orders;
}

async function toCompleted(orderId: number) {
  for (const to of ['arrived', 'in-progress', 'completed']) {
    const moved = await call('POST', `/orders/${orderId}/transitions`, { to });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  }
}

async function signFinal(orderId: number, findings: string) {
  const draft = await call('POST', `/orders/${orderId}/report/drafts`, {
    sections: [
      { title: 'Findings', text: findings },
      { title: 'Impression', text: 'No acute disease.' },
    ],
  });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  const signed = await call('POST', `/orders/${orderId}/report/sign`, {
    as: 'final',
    signer: { name: 'Attending^Ann' },
  });
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
}

/** The next ORU^R01 the test listener receives about `accession`. */
const resultFor = (accession: string, status: string) =>
  until(`the ORU^R01 of ${accession} (${status})`, async () =>
    results.find((m) => m.segment('OBR')?.value(3) === accession && m.segment('OBR')?.value(25) === status),
  );

const obxText = (oru: Hl7Message) => oru.segments.filter((s) => s.name === 'OBX').map((s) => s.value(5));

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-hl7-day-'));
  // The EMR's result interface: acknowledges every ORU with AA (original mode).
  emr = createMllpServer({
    maxFrameBytes: 1 << 20,
    onMessage: async (bytes) => {
      const message = decodeMessage(bytes);
      results.push(message);
      return Buffer.from(buildAck(message, { code: 'AA', controlId: `EMR${results.length}` }));
    },
  });
  const { port } = await emr.listen(0, '127.0.0.1');
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_HL7_DESTINATIONS: JSON.stringify([
      { name: 'emr', host: '127.0.0.1', port, receivingApplication: 'EPIC', receivingFacility: 'HOSP' },
    ]),
    ...OPEN_DOORS,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query',
    LANTERN_RIS_STUDY_STABLE_SECONDS: '1',
  });
  api = `${server.httpUrl}/api`;
  assert.equal((await call('POST', '/procedures/defaults')).status, 200);

  const peer = new Client({ host: '127.0.0.1' });
  const waiting: ((ack: { code: string; text: string }) => void)[] = [];
  const connection = peer.createConnection(
    { port: server.hl7Port, waitAck: true },
    (res: InboundResponse) => {
      const ack = res.getMessage();
      waiting.shift()?.({ code: ack.get('MSA.1').toString(), text: ack.get('MSA.3').toString() });
    },
  );
  send = async (text) => {
    const answer = new Promise<{ code: string; text: string }>((resolve) => waiting.push(resolve));
    await connection.sendMessage(new Message({ text }));
    return answer;
  };
  closePeer = () => connection.close();
});

after(async () => {
  await closePeer?.();
  await server?.stop();
  await emr?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('ADT^A04 and ORM^O01 NW, XO changes the order, the final report and its amendment go out as ORU^R01', async () => {
  const a04 = er7(
    msh('ADT^A04^ADT_A01', 'DAY-A04-1'),
    'EVN|A04|20240501120000',
    'PID|1||D100^^^HOSP^MR||Öberg^Åsa||19800214|F',
  );
  assert.deepEqual(await send(a04), { code: 'AA', text: '' });
  const patient = await patientByMrn('D100');
  assert.ok(patient, 'registered by A04');

  const nw = er7(
    msh('ORM^O01^ORM_O01', 'DAY-ORM-1'),
    'PID|1||D100^^^HOSP^MR||Öberg^Åsa',
    'ORC|NW|PLC-D1|||||^^^^^R|||||77^Wilson^James',
    'OBR|1|PLC-D1||XR-CHEST-2V^Chest X-ray 2 views^99LANTERN|||||||||||||||||||||||||||Cough',
  );
  assert.equal((await send(nw)).code, 'AA');
  const [placed] = await ordersOf(patient.id);
  assert.ok(placed);
  assert.deepEqual(
    [placed.placerOrderNumber, placed.priority, placed.status, placed.reason],
    ['PLC-D1', 'ROUTINE', 'ordered', 'Cough'],
  );

  // XO before the exam starts: priority, reason, provider and procedure change; history says what.
  const xo = er7(
    msh('ORM^O01^ORM_O01', 'DAY-ORM-2'),
    'PID|1||D100^^^HOSP^MR',
    `ORC|XO|PLC-D1|${placed.accessionNumber}||||^^^^^S|||||88^Cuddy^Lisa`,
    'OBR|1|PLC-D1||CT-HEAD-WO^CT head^99LANTERN|||||||||||||||||||||||||||Fall with head strike',
  );
  assert.deepEqual(await send(xo), { code: 'AA', text: '' });
  const [changed] = await ordersOf(patient.id);
  assert.equal(changed!.id, placed.id);
  assert.deepEqual(
    [changed!.priority, changed!.reason, changed!.procedure.code, changed!.orderingProvider],
    ['STAT', 'Fall with head strike', 'CT-HEAD-WO', { id: '88', name: 'Cuddy^Lisa' }],
  );
  const { body: history } = await call<{ history: { reason: string | null }[] }>(
    'GET',
    `/orders/${placed.id}/history`,
  );
  assert.ok(
    history.history.some((h) =>
      /changed: priority ROUTINE → STAT; reason; ordering provider; procedure/.test(h.reason ?? ''),
    ),
    JSON.stringify(history),
  );

  await toCompleted(placed.id);
  // Too late for XO once the exam has been done: AE, and the order stays as it was.
  const late = await send(xo.replace('DAY-ORM-2', 'DAY-ORM-3').replace('^^^^^S', '^^^^^R'));
  assert.equal(late.code, 'AE');
  assert.match(late.text, /only orders not yet in progress change/);
  assert.equal((await ordersOf(patient.id))[0]!.priority, 'STAT');

  await signFinal(placed.id, 'Normal brain.\nNo haemorrhage; ventricles “normal” | size.');
  const oru = await resultFor(placed.accessionNumber, 'F');
  assert.equal(oru.type.code, 'ORU');
  assert.equal(oru.type.trigger, 'R01');
  assert.equal(oru.receivingApplication, 'EPIC');
  const pid = oru.segment('PID')!;
  assert.deepEqual(
    [pid.value(3, 1), pid.value(3, 4), pid.value(5, 1), pid.value(5, 2)],
    ['D100', 'HOSP', 'Öberg', 'Åsa'],
  );
  const obr = oru.segment('OBR')!;
  assert.deepEqual(
    [obr.value(2), obr.value(3), obr.value(4, 1)],
    ['PLC-D1', placed.accessionNumber, 'CT-HEAD-WO'],
  );
  const lines = obxText(oru);
  assert.ok(lines.includes('Normal brain.'), lines.join('\n'));
  assert.ok(lines.includes('No haemorrhage; ventricles “normal” | size.'), 'escapes survive the round trip');
  assert.ok(lines.includes('No acute disease.'));
  assert.ok(lines.some((l) => /Signed final by Attending\^Ann/.test(l)));
  assert.ok(oru.segments.filter((s) => s.name === 'OBX').every((s) => s.value(11) === 'F'));

  // The EMR's ACK is recorded on the outbound message.
  const sent = await until('the recorded ACK', async () => {
    const { body } = await call<{ messages: MessageBody[] }>('GET', '/hl7/messages?direction=outbound');
    const message = body.messages.find((m) => m.controlId === oru.controlId);
    return message?.state === 'processed' ? message : undefined;
  });
  assert.deepEqual([sent.messageType, sent.ackCode, sent.peer], ['ORU^R01', 'AA', 'emr']);

  // An amendment goes out as a corrected result (OBR-25 and OBX-11 C).
  const amend = await call('POST', `/orders/${placed.id}/report/amend`, {
    kind: 'amendment',
    reason: 'laterality',
    sections: [
      { title: 'Findings', text: 'Normal brain. Small left frontal scalp haematoma.' },
      { title: 'Impression', text: 'No acute intracranial disease.' },
    ],
  });
  assert.equal(amend.status, 201, JSON.stringify(amend.body));
  const signed = await call('POST', `/orders/${placed.id}/report/sign`, {
    as: 'final',
    signer: { name: 'Attending^Ann' },
  });
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
  const corrected = await resultFor(placed.accessionNumber, 'C');
  assert.ok(obxText(corrected).includes('Normal brain. Small left frontal scalp haematoma.'));
  assert.ok(corrected.segments.filter((s) => s.name === 'OBX').every((s) => s.value(11) === 'C'));
  // One ORU per signed version, even though the subscriber polls again and again.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(results.filter((m) => m.segment('OBR')?.value(3) === placed.accessionNumber).length, 2);
});

test('A40 moves the merged patient’s study, order and report to the survivor; C-FIND shows the survivor', async () => {
  assert.equal(
    (await send(er7(msh('ADT^A04', 'DAY-A04-2'), 'PID|1||D200^^^HOSP^MR||Duplicate^Asa||19800214|F'))).code,
    'AA',
  );
  const duplicate = (await patientByMrn('D200'))!;
  const nw = er7(
    msh('ORM^O01', 'DAY-ORM-4'),
    'PID|1||D200^^^HOSP^MR',
    'ORC|NW|PLC-D2',
    'OBR|1|PLC-D2||XR-CHEST-2V^^99LANTERN',
  );
  assert.equal((await send(nw)).code, 'AA');
  const [order] = await ordersOf(duplicate.id);
  assert.ok(order);

  await toCompleted(order.id);
  // Images of the duplicate identity, with the order's accession number but the modality's own Study
  // Instance UID, stored over DIMSE; they link to the order by accession.
  const study = await writeSyntheticStudy(join(dataDir, 'images'), {
    patientId: 'D200',
    patientName: 'Duplicate^Asa',
    accessionNumber: order.accessionNumber,
    series: 1,
    instancesPerSeries: 1,
    rows: 16,
    columns: 16,
    seed: 7,
  });
  const issuer = await runTool('dcmodify', ['-nb', '-i', '(0010,0021)=HOSP', ...study.files]);
  assert.equal(issuer.code, 0, issuer.output);
  const stored = await runTool('storescu', [
    '-aet',
    'CT1',
    '-aec',
    'LANTERN',
    '127.0.0.1',
    String(server.dicomPort),
    ...study.files,
  ]);
  assert.equal(stored.code, 0, stored.output);
  assert.notEqual(study.studyInstanceUid, order.studyInstanceUid);
  await until('the study link', async () => {
    const { body } = await call<{ studies: { studyInstanceUid: string }[] }>(
      'GET',
      `/orders/${order.id}/studies`,
    );
    return body.studies.length ? body.studies : undefined;
  });
  await signFinal(order.id, 'Clear lungs.');
  const final = await resultFor(order.accessionNumber, 'F');
  // The result names the study that was stored, not the UID the worklist offered.
  assert.ok(obxText(final).includes(`Study UID:   ${study.studyInstanceUid}`), obxText(final).join('\n'));
  assert.ok(!obxText(final).some((l) => l.includes(order.studyInstanceUid)));

  const a40 = er7(
    msh('ADT^A40^ADT_A39', 'DAY-A40-1'),
    'EVN|A40',
    'PID|1||D100^^^HOSP^MR||Öberg^Åsa',
    'MRG|D200^^^HOSP^MR',
  );
  assert.equal((await send(a40)).code, 'AA');
  const survivor = (await patientByMrn('D100'))!;
  assert.equal((await patientByMrn('D200'))!.mergedInto, survivor.id);
  const moved = await call<OrderBody>('GET', `/orders/${order.id}`);
  assert.equal(moved.body.patientRef, survivor.id, 'the order follows');
  const report = await call<{ patientRef: number }>('GET', `/orders/${order.id}/report`);
  assert.equal(report.body.patientRef, survivor.id, 'the report follows');

  const find = await runTool('findscu', [
    '-S',
    '-aet',
    'WORKSTATION',
    '-aec',
    'LANTERN',
    '-k',
    'QueryRetrieveLevel=STUDY',
    '-k',
    `StudyInstanceUID=${study.studyInstanceUid}`,
    '-k',
    'PatientID=',
    '-k',
    'IssuerOfPatientID=',
    '-k',
    'PatientName=',
    '127.0.0.1',
    String(server.dicomPort),
  ]);
  assert.equal(find.code, 0, find.output);
  assert.match(find.output, /\(0010,0020\) LO \[D100\s*\]/);
  assert.match(find.output, /\(0010,0010\) PN \[.*berg\^.*sa\s*\]/);
  assert.doesNotMatch(find.output, /D200/);
  // The report sent after the merge names the survivor.
  const addendum = await call('POST', `/orders/${order.id}/report/amend`, {
    kind: 'addendum',
    reason: 'comparison',
    addendum: 'Compared with prior: unchanged.',
  });
  assert.equal(addendum.status, 201, JSON.stringify(addendum.body));
  assert.equal(
    (await call('POST', `/orders/${order.id}/report/sign`, { as: 'final', signer: { name: 'Ann' } })).status,
    200,
  );
  const after = await resultFor(order.accessionNumber, 'C');
  assert.equal(after.segment('PID')!.value(3, 1), 'D100');
});
