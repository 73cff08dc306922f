// SIU^S12–S15 against `lantern serve` over a real MLLP socket, node-hl7-client as the EMR's scheduler: new
// appointments book orders on resources (AIL-3 / AIG-3 by AE title or name, start from AIS-4), reschedules
// and modifications move them, cancellations free them; a taken slot and an unknown order get AE with ERR.
// Checks the ACKs and the orders' worklist steps through /api/orders.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Message, type InboundResponse } from 'node-hl7-client';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';
import { restClient } from '../support/rest-client.js';

let dataDir: string;
let server: RunningLantern;
let api: string;
let closePeer: () => Promise<void>;

interface Ack {
  code: string;
  text: string;
  /** ERR-2 as 'SCH-27' (segment, field position), ERR-3.1 (condition code). */
  errLocation: string;
  errCode: string;
}
let send: (text: string) => Promise<Ack>;

interface OrderBody {
  id: number;
  status: string;
  accessionNumber: string;
  placerOrderNumber: string;
  steps: { stationAeTitle: string | null; scheduledStart: string | null; bookingId: number | null }[];
}

const call = restClient(
  () => api,
  () => server.auth,
);

const er7 = (...segments: string[]) => segments.join('\r') + '\r';
const msh = (type: string, control: string) =>
  `MSH|^~\\&|SCHED|HOSP|LANTERN|RAD|20300501120000||${type}|${control}|P|2.5.1`;

/** A segment from its fields by number (the rest empty). */
function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

/** An SIU of `trigger` for the order with placer number `placer` and filler number `filler`. */
function siu(
  trigger: string,
  control: string,
  order: { placer?: string; filler?: string },
  booking: { start?: string; ail?: string; aig?: string; reason?: string } = {},
) {
  return er7(
    msh(`SIU^${trigger}^SIU_S12`, control),
    segment('SCH', {
      1: `APT-${control}`,
      2: `F-${control}`,
      6: booking.reason ?? '',
      11: `^^15^${booking.start ?? ''}`,
      26: order.placer ?? '',
      27: order.filler ?? '',
    }),
    'PID|1||S100^^^HOSP^MR||Termin^Tanja',
    'RGS|1',
    `AIS|1||CT-HEAD-WO^CT head without contrast^99LANTERN|${booking.start ?? ''}|||15|min`,
    ...(booking.aig ? [`AIG|1||${booking.aig}|||||${booking.start ?? ''}`] : []),
    ...(booking.ail ? [`AIL|1||${booking.ail}||||${booking.start ?? ''}`] : []),
  );
}

async function orderByPlacer(placer: string): Promise<OrderBody> {
  const { body } = await call<{ orders: OrderBody[] }>('GET', '/orders?limit=100');
  const order = body.orders.find((o) => o.placerOrderNumber === placer);
  assert.ok(order, `order ${placer}`);
  return (await call<OrderBody>('GET', `/orders/${order.id}`)).body;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-hl7-siu-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir, LANTERN_HL7_MAX_ATTEMPTS: '2', ...OPEN_DOORS });
  api = `${server.httpUrl}/api`;
  assert.equal((await call('POST', '/procedures/defaults')).status, 200);
  for (const [name, aeTitle] of [
    ['CT room 1', 'CT1'],
    ['CT room 2', 'CT2'],
  ]) {
    const created = await call('POST', '/resources', {
      name,
      aeTitle,
      modality: 'CT',
      timeZone: 'Europe/Berlin',
      openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '16:00' })),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }

  const peer = new Client({ host: '127.0.0.1' });
  const waiting: ((ack: Ack) => void)[] = [];
  const connection = peer.createConnection(
    { port: server.hl7Port, waitAck: true },
    (res: InboundResponse) => {
      const ack = res.getMessage();
      waiting.shift()?.({
        code: ack.get('MSA.1').toString(),
        text: ack.get('MSA.3').toString(),
        errLocation: [ack.get('ERR.2.1').toString(), ack.get('ERR.2.3').toString()].filter(Boolean).join('-'),
        errCode: ack.get('ERR.3.1').toString(),
      });
    },
  );
  send = async (text) => {
    const answer = new Promise<Ack>((resolve) => waiting.push(resolve));
    await connection.sendMessage(new Message({ text }));
    return answer;
  };
  closePeer = () => connection.close();

  // The patient and two CT orders, as the EMR sends them before it books.
  assert.equal(
    (
      await send(
        er7(msh('ADT^A04^ADT_A01', 'A04-S'), 'EVN|A04', 'PID|1||S100^^^HOSP^MR||Termin^Tanja||19800101|F'),
      )
    ).code,
    'AA',
  );
  for (const placer of ['PLC-S1', 'PLC-S2']) {
    const orm = er7(
      msh('ORM^O01^ORM_O01', `ORM-${placer}`),
      'PID|1||S100^^^HOSP^MR||Termin^Tanja',
      `ORC|NW|${placer}`,
      `OBR|1|${placer}||CT-HEAD-WO^CT head without contrast^99LANTERN`,
    );
    assert.equal((await send(orm)).code, 'AA');
  }
});

after(async () => {
  await closePeer?.();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('S12 books the order on the resource AIL-3 names, at AIS-4 in the resource’s zone; a resend changes nothing', async () => {
  const { accessionNumber } = await orderByPlacer('PLC-S1');
  // 10:00 in Berlin (summer time, no offset sent) is 08:00 UTC; the order named by its filler number.
  const s12 = siu('S12', 'S12-1', { filler: accessionNumber }, { start: '20300506100000', ail: '^CT1' });
  assert.deepEqual(await send(s12), { code: 'AA', text: '', errLocation: '', errCode: '' });
  const booked = await orderByPlacer('PLC-S1');
  assert.equal(booked.status, 'scheduled');
  assert.equal(booked.steps[0]!.stationAeTitle, 'CT1');
  assert.equal(booked.steps[0]!.scheduledStart, '2030-05-06T08:00:00.000Z');

  // The scheduler sends it again under a new control ID: success, still one booking.
  const resent = siu('S12', 'S12-1b', { filler: accessionNumber }, { start: '20300506100000', ail: '^CT1' });
  assert.equal((await send(resent)).code, 'AA');
  const again = await orderByPlacer('PLC-S1');
  assert.equal(again.steps[0]!.bookingId, booked.steps[0]!.bookingId);
});

test('S12 in a taken slot is AE (ERR 206) and the other order stays unbooked; an unknown order is AE naming SCH-27', async () => {
  // PLC-S2 by its placer number (SCH-26), the same room and time as PLC-S1.
  const clash = await send(
    siu('S12', 'S12-2', { placer: 'PLC-S2' }, { start: '20300506100500', ail: '^CT1' }),
  );
  assert.equal(clash.code, 'AE');
  assert.match(clash.text, /already booked/);
  assert.equal(clash.errCode, '206');
  assert.equal((await orderByPlacer('PLC-S2')).status, 'ordered');

  const unknown = await send(
    siu('S12', 'S12-3', { filler: 'NO-SUCH-ORDER' }, { start: '20300506110000', ail: '^CT1' }),
  );
  assert.equal(unknown.code, 'AE');
  assert.match(unknown.text, /no order with filler order number 'NO-SUCH-ORDER'/);
  assert.equal(unknown.errCode, '204');
  assert.match(unknown.errLocation, /^SCH-27$/);

  const noRoom = await send(
    siu('S12', 'S12-4', { placer: 'PLC-S2' }, { start: '20300506110000', ail: '^MR9' }),
  );
  assert.equal(noRoom.code, 'AE');
  assert.match(noRoom.text, /no resource with the AE title or name 'MR9' \(AIL-3\)/);
  const badTime = await send(siu('S12', 'S12-5', { placer: 'PLC-S2' }, { start: '2030-05-06', ail: '^CT1' }));
  assert.equal(badTime.code, 'AE');
  assert.match(badTime.errLocation, /^AIS-4$/);
});

test('S13 reschedules to another resource (AIG-3, offset sent), S14 modifies the time, S15 cancels', async () => {
  const { accessionNumber } = await orderByPlacer('PLC-S1');
  const s13 = siu(
    'S13',
    'S13-1',
    { filler: accessionNumber },
    { start: '20300506110000+0200', aig: 'CT2^CT room 2' },
  );
  assert.equal((await send(s13)).code, 'AA');
  let order = await orderByPlacer('PLC-S1');
  assert.equal(order.status, 'scheduled');
  assert.deepEqual(
    [order.steps[0]!.stationAeTitle, order.steps[0]!.scheduledStart],
    ['CT2', '2030-05-06T09:00:00.000Z'],
  );

  // The freed CT1 slot can now take PLC-S2.
  assert.equal(
    (await send(siu('S12', 'S12-6', { placer: 'PLC-S2' }, { start: '20300506100000', ail: '^CT1' }))).code,
    'AA',
  );
  assert.equal((await orderByPlacer('PLC-S2')).status, 'scheduled');

  const s14 = siu('S14', 'S14-1', { filler: accessionNumber }, { start: '20300506123000', aig: 'CT2' });
  assert.equal((await send(s14)).code, 'AA');
  order = await orderByPlacer('PLC-S1');
  assert.equal(order.steps[0]!.scheduledStart, '2030-05-06T10:30:00.000Z');

  const s15 = siu('S15', 'S15-1', { filler: accessionNumber }, { reason: '^Patient request' });
  assert.equal((await send(s15)).code, 'AA');
  order = await orderByPlacer('PLC-S1');
  assert.equal(order.status, 'ordered');
  assert.deepEqual([order.steps[0]!.stationAeTitle, order.steps[0]!.bookingId], [null, null]);
  const history = await call<{ history: { to: string; reason: string | null }[] }>(
    'GET',
    `/orders/${order.id}/history`,
  );
  assert.equal(history.body.history.at(-1)!.reason, 'Patient request');
  // Cancelled again: nothing left to cancel, still success.
  assert.equal((await send(siu('S15', 'S15-2', { filler: accessionNumber }))).code, 'AA');
});
