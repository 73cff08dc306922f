// Outbound order status (ORM^O01 / OMI^O23 with ORC-1 SC) against `lantern serve`: two test MLLP listeners
// stand for the EMR (takes OMI) and a departmental system (takes ORM, answers AE once). node-hl7-client sends
// the ADT and ORM that create the orders; booking and the exam's progress go through the REST API. Checks the
// messages each listener received (ORC-5, ORC-25, TQ1, OBR, IPC), their order, and the retry and ACKs recorded.
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
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient } from '../support/rest-client.js';

let dataDir: string;
let server: RunningLantern;
let api: string;
let closePeer: () => Promise<void>;
let send: (text: string) => Promise<string>;
const listeners: MllpServer[] = [];
/** What each listener received, in order. */
const received: Record<'emr' | 'dept', Hl7Message[]> = { emr: [], dept: [] };
let deptRefusals = 1;

const call = restClient(
  () => api,
  () => server.auth,
);

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const er7 = (...segments: string[]) => segments.join('\r') + '\r';
const msh = (type: string, control: string) =>
  `MSH|^~\\&|EPIC|HOSP|LANTERN|RAD|20300501120000||${type}|${control}|P|2.5.1`;

interface OrderBody {
  id: number;
  accessionNumber: string;
  placerOrderNumber: string;
  studyInstanceUid: string;
}

async function listen(name: 'emr' | 'dept') {
  const listener = createMllpServer({
    maxFrameBytes: 1 << 20,
    onMessage: async (bytes) => {
      const message = decodeMessage(bytes);
      // The departmental system is busy once: AE, so Lantern has to try that message again.
      if (name === 'dept' && deptRefusals-- > 0)
        return Buffer.from(
          buildAck(message, { code: 'AE', text: 'busy, try again', controlId: `${name}-AE` }),
        );
      received[name].push(message);
      return Buffer.from(buildAck(message, { code: 'AA', controlId: `${name}-${received[name].length}` }));
    },
  });
  listeners.push(listener);
  return (await listener.listen(0, '127.0.0.1')).port;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-hl7-status-'));
  const [emrPort, deptPort] = [await listen('emr'), await listen('dept')];
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_HL7_RETRY_DELAY_MS: '100',
    LANTERN_HL7_RETRY_MAX_DELAY_MS: '200',
    LANTERN_HL7_DESTINATIONS: JSON.stringify([
      {
        name: 'emr',
        host: '127.0.0.1',
        port: emrPort,
        receivingApplication: 'EPIC',
        messages: ['ORU', 'OMI'],
      },
      { name: 'dept', host: '127.0.0.1', port: deptPort, receivingApplication: 'DEPT', messages: ['ORM'] },
    ]),
    ...OPEN_DOORS,
  });
  api = `${server.httpUrl}/api`;
  assert.equal((await call('POST', '/procedures/defaults')).status, 200);
  const resource = await call('POST', '/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    timeZone: 'UTC',
    openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
  });
  assert.equal(resource.status, 201);

  const peer = new Client({ host: '127.0.0.1' });
  const waiting: ((code: string) => void)[] = [];
  const connection = peer.createConnection({ port: server.hl7Port, waitAck: true }, (res: InboundResponse) =>
    waiting.shift()?.(res.getMessage().get('MSA.1').toString()),
  );
  send = async (text) => {
    const answer = new Promise<string>((resolve) => waiting.push(resolve));
    await connection.sendMessage(new Message({ text }));
    return answer;
  };
  closePeer = () => connection.close();
  assert.equal(
    await send(
      er7(msh('ADT^A04^ADT_A01', 'A04-T'), 'EVN|A04', 'PID|1||T100^^^HOSP^MR||Status^Stefan||19750505|M'),
    ),
    'AA',
  );
  for (const placer of ['PLC-T1', 'PLC-T2']) {
    const orm = er7(
      msh('ORM^O01^ORM_O01', `ORM-${placer}`),
      'PID|1||T100^^^HOSP^MR||Status^Stefan',
      `ORC|NW|${placer}`,
      `OBR|1|${placer}||CT-HEAD-WO^CT head without contrast^99LANTERN`,
    );
    assert.equal(await send(orm), 'AA');
  }
  // Nothing more goes in over MLLP: the peer is closed now rather than left waiting through the tests.
  await closePeer();
  closePeer = async () => undefined;
});

after(async () => {
  await closePeer?.();
  await server?.stop();
  await Promise.all(listeners.map((l) => l.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function orderByPlacer(placer: string): Promise<OrderBody> {
  const { body } = await call<{ orders: OrderBody[] }>('GET', '/orders?limit=100');
  const order = body.orders.find((o) => o.placerOrderNumber === placer);
  assert.ok(order, placer);
  return order;
}

const statusOf = (m: Hl7Message) => [
  m.segment('ORC')?.value(1),
  m.segment('ORC')?.value(5),
  m.segment('ORC')?.value(25),
];

test('booking, arrival, the exam and its completion go out as OMI^O23 and ORM^O01 with ORC-5, in order', async () => {
  const order = await orderByPlacer('PLC-T1');
  const resources = await call<{ resources: { id: number }[] }>('GET', '/resources');
  const booked = await call('POST', '/bookings', {
    orderId: order.id,
    resourceId: resources.body.resources[0]!.id,
    start: '2030-05-06T09:00:00Z',
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  for (const to of ['arrived', 'in-progress', 'completed']) {
    const moved = await call('POST', `/orders/${order.id}/transitions`, { to });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  }
  const mine = (m: Hl7Message) => m.segment('ORC')?.value(3) === order.accessionNumber;
  const omi = await until('four OMI^O23 at the EMR', () => {
    const got = received.emr.filter(mine);
    return got.length >= 4 ? got : undefined;
  });
  assert.deepEqual(
    omi.map((m) => [m.type.code, m.type.trigger]),
    Array(4).fill(['OMI', 'O23']),
  );
  assert.deepEqual(omi.map(statusOf), [
    ['SC', 'SC', ''],
    ['SC', 'IP', 'arrived'],
    ['SC', 'IP', 'in-progress'],
    ['SC', 'CM', ''],
  ]);
  const scheduled = omi[0]!;
  assert.equal(scheduled.segment('PID')?.value(3), 'T100');
  assert.equal(scheduled.segment('ORC')?.value(2), 'PLC-T1');
  assert.equal(scheduled.segment('TQ1')?.value(7), '20300506090000+0000');
  assert.equal(scheduled.segment('TQ1')?.value(8), '20300506091500+0000');
  assert.equal(scheduled.segment('OBR')?.value(4), 'CT-HEAD-WO');
  const ipc = scheduled.segment('IPC')!;
  assert.deepEqual(
    [ipc.value(1), ipc.value(3), ipc.value(5), ipc.value(9)],
    [order.accessionNumber, order.studyInstanceUid, 'CT', 'CT1'],
  );

  // The departmental system answered AE to the first one: retried, then the same four in the same order.
  const orm = await until('four ORM^O01 at the department', () => {
    const got = received.dept.filter(mine);
    return got.length >= 4 ? got : undefined;
  });
  assert.deepEqual(
    orm.map((m) => [m.type.code, m.segment('ORC')?.value(5)]),
    [
      ['ORM', 'SC'],
      ['ORM', 'IP'],
      ['ORM', 'IP'],
      ['ORM', 'CM'],
    ],
  );
  assert.equal(orm[0]!.segment('IPC'), undefined, 'ORM^O01 has no IPC segment');
  // The listener has a message before Lantern records its ACK: wait until all four are recorded as sent.
  type Sent = { peer: string; messageType: string; state: string; attempts: number; ackCode: string };
  const toDept = await until('the four ORM^O01 recorded as sent', async () => {
    const { body } = await call<{ messages: Sent[] }>('GET', '/hl7/messages?direction=outbound&limit=100');
    const sent = body.messages.filter((m) => m.peer === 'dept');
    return sent.length === 4 && sent.every((m) => m.state === 'processed') ? sent : undefined;
  });
  assert.equal(toDept.length, 4, 'the ORU-less department gets order status only');
  assert.ok(toDept.every((m) => m.ackCode === 'AA' && m.messageType === 'ORM^O01'));
  assert.equal(Math.max(...toDept.map((m) => m.attempts)), 2, 'one was sent twice');
});

test('a cancelled order goes out as ORC-5 CA with the reason; placing an order sends nothing', async () => {
  const order = await orderByPlacer('PLC-T2');
  const cancelled = await call('POST', `/orders/${order.id}/transitions`, {
    to: 'cancelled',
    reason: 'patient declined',
  });
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  const mine = (m: Hl7Message) => m.segment('ORC')?.value(3) === order.accessionNumber;
  const omi = await until('the OMI^O23 of the cancellation', () => received.emr.find(mine));
  assert.deepEqual(statusOf(omi), ['SC', 'CA', '']);
  assert.equal(omi.segment('ORC')?.value(16, 2), 'patient declined');
  assert.equal(omi.segment('TQ1'), undefined, 'never booked');
  await until('the ORM^O01 of the cancellation', () => received.dept.find(mine));
  assert.equal(
    received.emr.filter(mine).length,
    1,
    'only the cancellation: placing the order (ordered) is not sent',
  );
});
