// The HL7 v2 door against `lantern serve` over real MLLP sockets: node-hl7-client as the EMR for ADT and
// ORM, Lantern's own MLLP client for ACK details, and raw sockets for garbage. Checks the ACKs and what the
// messages did, through /api/patients, /api/orders and /api/hl7/messages.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Message, type InboundResponse } from 'node-hl7-client';
import { connectMllp, decodeMessage } from '../../src/lib/hl7v2/index.js';
import { runLantern } from '../support/lantern-cli.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';

let dataDir: string;
let server: RunningLantern;
let api: string;
let peer: Client;
let send: (text: string) => Promise<{ code: string; text: string }>;
let closePeer: () => Promise<void>;

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${api}${path}`, { headers: server.auth });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return (await response.json()) as T;
}

async function post<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    ...(body === undefined
      ? { headers: server.auth }
      : {
          headers: { ...server.auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

interface PatientBody {
  id: number;
  patientId: string;
  name?: { dicom: string } | string;
  birthDate?: string;
  sex?: string;
  address?: string;
  phone?: string;
  otherIds: { value: string; issuer: string; type: string }[];
  mergedInto?: number;
}
interface MessageBody {
  id: number;
  state: string;
  attempts: number;
  lastError: string | null;
  outcome: string | null;
  messageType: string;
  controlId: string;
  duplicateOf: number | null;
}

const msh = (type: string, control: string, charset = '') =>
  `MSH|^~\\&|EPIC|HOSP|LANTERN|RAD|20240501120000||${type}|${control}|P|2.5.1||||||${charset}`;
const er7 = (...segments: string[]) => segments.join('\r') + '\r';

async function patientByMrn(mrn: string): Promise<PatientBody | undefined> {
  const { patients } = await get<{ patients: PatientBody[] }>(
    `/patients?identifier=${encodeURIComponent(`HOSP|${mrn}`)}&includeMerged=true`,
  );
  return patients[0];
}

const nameOf = (p: PatientBody | undefined) => (typeof p?.name === 'string' ? p.name : p?.name?.dicom);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-hl7-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_HL7_MAX_ATTEMPTS: '3',
    LANTERN_HL7_RETRY_DELAY_MS: '100',
    LANTERN_HL7_RETRY_MAX_DELAY_MS: '200',
    LANTERN_HL7_MAX_MESSAGE_BYTES: '65536',
    ...OPEN_DOORS,
  });
  api = `${server.httpUrl}/api`;
  assert.equal((await post('/procedures/defaults')).status, 200);

  // node-hl7-client as the EMR: one connection, ACKs handed back in order.
  peer = new Client({ host: '127.0.0.1' });
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
  await rm(dataDir, { recursive: true, force: true });
});

test('ADT^A04 then ORM^O01 NW create the patient (escapes, repetitions, UTF-8 name) and the order', async () => {
  const a04 = er7(
    msh('ADT^A04^ADT_A01', 'A04-1', 'UNICODE UTF-8'),
    'EVN|A04|20240501120000',
    'PID|1||P100^^^HOSP^MR~99887766^^^NATION^NI||Müller^Jürgen^K||19700102|M|||Haupt\\S\\straße 1^^Köln^^50667||0221 555 1234~0228 777',
  );
  assert.deepEqual(await send(a04), { code: 'AA', text: '' });
  const patient = await patientByMrn('P100');
  assert.ok(patient, 'registered');
  assert.equal(nameOf(patient), 'Müller^Jürgen^K');
  assert.equal(patient.birthDate, '19700102');
  assert.equal(patient.sex, 'M');
  assert.equal(patient.address, 'Haupt^straße 1, Köln, 50667');
  assert.equal(patient.phone, '0221 555 1234');
  assert.deepEqual(patient.otherIds, [{ value: '99887766', issuer: 'NATION', type: 'NI' }]);

  const orm = er7(
    msh('ORM^O01^ORM_O01', 'ORM-1'),
    'PID|1||P100^^^HOSP^MR||Müller^Jürgen',
    'ORC|NW|PLC-1|||||^^^^^S|||||1234^House^Gregory',
    'OBR|1|PLC-1||XR-CHEST-2V^Chest X-ray 2 views^99LANTERN|||||||||||||||||||||||||||Cough\\T\\fever',
  );
  assert.equal((await send(orm)).code, 'AA');
  const { orders } = await get<{
    orders: {
      placerOrderNumber: string;
      priority: string;
      status: string;
      procedure: { code: string };
      reason: string;
      orderingProvider: { id: string; name: string };
    }[];
  }>(`/orders?patientRef=${patient.id}`);
  assert.equal(orders.length, 1);
  assert.equal(orders[0]!.placerOrderNumber, 'PLC-1');
  assert.equal(orders[0]!.procedure.code, 'XR-CHEST-2V');
  assert.equal(orders[0]!.priority, 'STAT');
  assert.equal(orders[0]!.status, 'ordered');
  assert.deepEqual(orders[0]!.orderingProvider, { id: '1234', name: 'House^Gregory' });

  // The same control ID again: acknowledged, recorded as a duplicate, not processed twice.
  const again = await send(orm);
  assert.equal(again.code, 'AA');
  assert.match(again.text, /duplicate of message \d+/);
  assert.equal((await get<{ orders: unknown[] }>(`/orders?patientRef=${patient.id}`)).orders.length, 1);
  const duplicates = await get<{ total: number; messages: MessageBody[] }>('/hl7/messages?state=duplicate');
  assert.equal(duplicates.total, 1);
  assert.equal(duplicates.messages[0]!.controlId, 'ORM-1');

  // A08 updates; an 8859/1 message with the same name arrives as the same text.
  const a08 = er7(
    msh('ADT^A08^ADT_A01', 'A08-1', '8859/1'),
    'EVN|A08',
    'PID|1||P100^^^HOSP^MR||Müller^Jürgen^K||19700103',
  );
  const client = await connectMllp({ host: '127.0.0.1', port: server.hl7Port, timeoutMs: 5000 });
  const ack = decodeMessage(await client.send(Buffer.from(a08, 'latin1')));
  assert.equal(ack.segment('MSA')!.value(1), 'AA');
  assert.equal(ack.characterSet.term, '8859/1');
  const updated = await patientByMrn('P100');
  assert.equal(updated?.birthDate, '19700103');
  assert.equal(nameOf(updated), 'Müller^Jürgen^K');
  assert.equal(updated?.phone, '0221 555 1234', 'fields the A08 left empty are kept');
  await client.close();
});

test('refusals: unknown message type → AR, unknown procedure → AE naming OBR-4, garbage → AR or a closed connection', async () => {
  const client = await connectMllp({ host: '127.0.0.1', port: server.hl7Port, timeoutMs: 5000 });
  const ack = async (text: string) => decodeMessage(await client.send(Buffer.from(text, 'utf8')));
  const unknown = await ack(er7(msh('ZZZ^Z01', 'Z-1'), 'PID|1||P100^^^HOSP'));
  assert.equal(unknown.segment('MSA')!.value(1), 'AR');
  assert.equal(unknown.segment('MSA')!.value(2), 'Z-1');
  assert.equal(unknown.segment('ERR')!.value(3), '200');
  assert.match(unknown.segment('ERR')!.value(8), /ZZZ\^Z01 is not supported/);
  const siu = await ack(er7(msh('ADT^A99', 'Z-2'), 'PID|1||P100^^^HOSP'));
  assert.equal(siu.segment('ERR')!.value(3), '201');

  const badProcedure = await ack(
    er7(
      msh('ORM^O01', 'ORM-BAD'),
      'PID|1||P100^^^HOSP^MR',
      'ORC|NW|PLC-9',
      'OBR|1|PLC-9||NOPE^Unknown exam^99LANTERN',
    ),
  );
  const msa = badProcedure.segment('MSA')!;
  assert.equal(msa.value(1), 'AE');
  assert.match(msa.value(3), /procedure NOPE \(99LANTERN\) \(OBR-4\) is not in the catalogue/);
  assert.deepEqual(badProcedure.segment('ERR')!.field(2).components(), ['OBR', '1', '4']);
  assert.equal(badProcedure.segment('ERR')!.value(3), '103');
  const dead = await get<{ messages: MessageBody[] }>('/hl7/messages?state=dead-letter&controlId=ORM-BAD');
  assert.equal(dead.messages[0]?.attempts, 1, 'a permanent failure is not retried');

  // A frame without MSH gets AR; an oversize frame and bytes outside frames close their connection.
  const noMsh = decodeMessage(await client.send(Buffer.from('PID|1||X\r')));
  assert.equal(noMsh.segment('MSA')!.value(1), 'AR');
  for (const junk of [
    Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(70_000, 65)]),
  ]) {
    const raw = connect(server.hl7Port, '127.0.0.1');
    raw.on('error', () => undefined);
    await new Promise((r) => raw.once('connect', r));
    const closed = new Promise((r) => raw.once('close', r));
    raw.write(junk);
    await closed;
  }
  // Half a frame, then the client goes away.
  const half = connect(server.hl7Port, '127.0.0.1');
  await new Promise((r) => half.once('connect', r));
  half.end(Buffer.from('\x0bMSH|^~\\&|EPIC|HOSP'));
  // The listener still serves.
  const alive = await ack(er7(msh('ADT^A08', 'A08-ALIVE'), 'PID|1||P100^^^HOSP^MR'));
  assert.equal(alive.segment('MSA')!.value(1), 'AA');
  await client.close();
});

test('an order for an unknown patient is retried, dead-lettered with its reason, and replayed once the patient exists', async () => {
  const orm = er7(
    msh('ORM^O01', 'ORM-LATE'),
    'PID|1||P300^^^HOSP^MR||Late^Larry',
    'ORC|NW|PLC-300',
    'OBR|1|PLC-300||CT-HEAD-WO^^99LANTERN',
  );
  const client = await connectMllp({ host: '127.0.0.1', port: server.hl7Port, timeoutMs: 5000 });
  const ack = decodeMessage(await client.send(Buffer.from(orm)));
  assert.equal(ack.segment('MSA')!.value(1), 'AA', 'stored: Lantern owns it now');
  assert.equal(ack.segment('ERR')!.value(4), 'W');
  assert.match(ack.segment('MSA')!.value(3), /will be retried/);
  const dead = await until('the dead letter', async () => {
    const { messages } = await get<{ messages: MessageBody[] }>('/hl7/messages?controlId=ORM-LATE');
    return messages[0]?.state === 'dead-letter' ? messages[0] : undefined;
  });
  assert.equal(dead.attempts, 3);
  assert.match(dead.lastError ?? '', /patient \(PID-3\) P300 not found/);
  const counts = await get<{ inbound: Record<string, number> }>('/hl7/messages/counts');
  assert.ok(counts.inbound['dead-letter']! >= 2);

  const cli = await runLantern(['hl7', 'list', '--state', 'dead-letter'], { LANTERN_DATA_DIR: dataDir });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /ORM-LATE/);
  assert.match(cli.stdout, /inbound: .*dead-letter [1-9]/);

  const a04 = er7(msh('ADT^A04', 'A04-300'), 'PID|1||P300^^^HOSP^MR||Late^Larry');
  assert.equal(
    decodeMessage(await client.send(Buffer.from(a04)))
      .segment('MSA')!
      .value(1),
    'AA',
  );
  const replayed = await post<MessageBody>(`/hl7/messages/${dead.id}/replay`);
  assert.equal(replayed.status, 200);
  assert.equal(replayed.body.state, 'pending');
  const processed = await until('the replay', async () => {
    const m = await get<MessageBody>(`/hl7/messages/${dead.id}`);
    return m.state === 'processed' ? m : undefined;
  });
  assert.match(processed.outcome ?? '', /order \d+ \(\d+\) placed/);
  const patient = await patientByMrn('P300');
  assert.equal((await get<{ orders: unknown[] }>(`/orders?patientRef=${patient!.id}`)).orders.length, 1);
  assert.equal(
    (await post(`/hl7/messages/${dead.id}/resend`)).status,
    400,
    'inbound messages are replayed, not resent',
  );
  await client.close();
});

test('A40 merges the MRG-1 patient into the PID patient; a resent A40 changes nothing', async () => {
  assert.equal((await send(er7(msh('ADT^A04', 'A04-200'), 'PID|1||P200^^^HOSP^MR||Dup^Jurgen'))).code, 'AA');
  const a40 = er7(
    msh('ADT^A40^ADT_A39', 'A40-1'),
    'EVN|A40',
    'PID|1||P100^^^HOSP^MR||Müller^Jürgen',
    'MRG|P200^^^HOSP^MR',
  );
  assert.equal((await send(a40)).code, 'AA');
  const survivor = await patientByMrn('P100');
  const merged = await patientByMrn('P200');
  assert.equal(merged?.mergedInto, survivor?.id);
  assert.equal((await send(a40.replace('A40-1', 'A40-2'))).code, 'AA');
  const { messages } = await get<{ messages: MessageBody[] }>('/hl7/messages?controlId=A40-2');
  assert.match(messages[0]!.outcome ?? '', /already merged/);
});

test('malformed: bad delimiters → AR 102 and stored as rejected; a truncated frame and a 10 MB frame close only their connection', async () => {
  const client = await connectMllp({ host: '127.0.0.1', port: server.hl7Port, timeoutMs: 5000 });
  for (const [control, text] of [
    [
      'BAD-DELIM-1',
      `MSH|^^\\&|EPIC|HOSP|LANTERN|RAD|20240501||ADT^A04|BAD-DELIM-1|P|2.5.1\rPID|1||P1^^^HOSP\r`,
    ],
    ['BAD-DELIM-2', `MSH^|~\\&|EPIC|HOSP|LANTERN|RAD|20240501||ADT^A04|BAD-DELIM-2|P|2.5.1\r`],
  ] as const) {
    const ack = decodeMessage(await client.send(Buffer.from(text)));
    assert.equal(ack.segment('MSA')!.value(1), 'AR', control);
    assert.equal(ack.segment('ERR')!.value(3), '102', control);
    assert.match(ack.segment('MSA')!.value(3), /MSH-[12]/);
  }
  const { messages } = await get<{ messages: (MessageBody & { lastError: string })[] }>(
    '/hl7/messages?state=rejected&limit=100',
  );
  assert.ok(
    messages.some((m) => /delimiters repeat/.test(m.lastError)),
    'kept as rejected, with the reason',
  );

  const closedAfter = async (chunks: Buffer[]) => {
    const raw = connect(server.hl7Port, '127.0.0.1');
    raw.on('error', () => undefined);
    await new Promise((r) => raw.once('connect', r));
    const closed = new Promise<Buffer>((resolve) => {
      const got: Buffer[] = [];
      raw.on('data', (c: Buffer) => got.push(c));
      raw.once('close', () => resolve(Buffer.concat(got)));
    });
    for (const chunk of chunks) raw.write(chunk);
    return closed;
  };
  // A frame cut short by the start of the next one: the framer cannot know where the first ended.
  const truncated = await closedAfter([
    Buffer.from(`\x0b${msh('ADT^A08', 'TRUNC-1')}\rPID|1||P100^^^HOSP`),
    Buffer.from(`\x0b${msh('ADT^A08', 'TRUNC-2')}\rPID|1||P100^^^HOSP^MR\r\x1c\r`),
  ]);
  assert.equal(truncated.length, 0, 'nothing acknowledged');
  // 10 MB in one frame, far over hl7.maxMessageBytes (64 KB here): closed without buffering it all.
  const big = Buffer.alloc(10 * 1024 * 1024, 'A');
  big[0] = 0x0b;
  assert.equal((await closedAfter([big])).length, 0);
  const { total } = await get<{ total: number }>('/hl7/messages?controlId=TRUNC-2');
  assert.equal(total, 0, 'nothing of the truncated stream was stored');

  // The listener still serves, on the client's connection that stayed open and on a new one.
  const alive = await client.send(Buffer.from(er7(msh('ADT^A08', 'A08-ALIVE-2'), 'PID|1||P100^^^HOSP^MR')));
  assert.equal(decodeMessage(alive).segment('MSA')!.value(1), 'AA');
  await client.close();
  assert.equal((await send(er7(msh('ADT^A08', 'A08-ALIVE-3'), 'PID|1||P100^^^HOSP^MR'))).code, 'AA');
});
