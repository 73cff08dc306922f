// kill -9 during a burst: 1,000 ADT messages over 4 MLLP connections (each waiting for its ACK before the
// next), `lantern serve` SIGKILLed mid-burst, restarted on the same data folder. Every message that got an
// AA must be in the message log (by control ID) and processed exactly once: one processed row, and one
// patient row per message (each message registers its own patient). Messages without an ACK may or may
// not be there (the sender would resend them), but none may be processed twice either.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../src/platform/db/index.js';
import { listEvents, type StoredEvent } from '../../src/platform/events/index.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';
import { adtMessage, sendBurst } from './adt-burst.js';

const COUNT = 1000;
const KILL_AFTER = 300;

let dataDir: string;
let server: RunningLantern | undefined;

after(async () => {
  await server?.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

interface MessageBody {
  controlId: string;
  state: string;
  attempts: number;
}

test('kill -9 mid-burst: every message that got an AA is stored and processed exactly once after restart', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-hl7-crash-'));
  const env = { LANTERN_DATA_DIR: dataDir, LANTERN_HL7_ACK_WAIT_MS: '0', ...OPEN_DOORS };
  server = await startServe(env);
  const first = server;
  let acked = 0;
  const burst = await sendBurst({
    port: first.hl7Port,
    count: COUNT,
    connections: 4,
    message: (i) => adtMessage(`CRASH-${i}`, `K${i}`),
    onAck: () => {
      if (++acked === KILL_AFTER) first.process.kill('SIGKILL');
    },
  });
  await first.stop('SIGKILL');
  const accepted = burst.acks.flatMap((code, i) => (code === 'AA' ? [i] : []));
  assert.ok(accepted.length >= KILL_AFTER, `${accepted.length} ACKed before the kill`);
  assert.ok(accepted.length < COUNT, 'the kill came mid-burst');
  assert.ok(
    burst.acks.every((code) => code === undefined || code === 'AA'),
    'no refusals',
  );

  server = await startServe(env);
  const api = `${server.httpUrl}/api`;
  const auth = server.auth;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${api}${path}`, { headers: auth });
    assert.equal(response.status, 200, path);
    return (await response.json()) as T;
  };
  // The worker takes up what was stored but not processed when the process died.
  const deadline = Date.now() + 15_000;
  let counts: { inbound: Record<string, number> };
  for (;;) {
    counts = await get<{ inbound: Record<string, number> }>('/hl7/messages/counts');
    if ((counts.inbound.pending ?? 0) + (counts.inbound.failed ?? 0) === 0) break;
    assert.ok(Date.now() < deadline, `still waiting: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stored: MessageBody[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await get<{ messages: MessageBody[] }>(`/hl7/messages?limit=1000&offset=${offset}`);
    stored.push(...page.messages);
    if (page.messages.length < 1000) break;
  }
  const byControl = new Map<string, MessageBody[]>();
  for (const m of stored) byControl.set(m.controlId, [...(byControl.get(m.controlId) ?? []), m]);
  assert.equal(counts.inbound['dead-letter'] ?? 0, 0);
  for (const i of accepted) {
    const rows = byControl.get(`CRASH-${i}`) ?? [];
    assert.equal(rows.length, 1, `CRASH-${i} (ACKed) is stored once`);
    assert.equal(rows[0]!.state, 'processed', `CRASH-${i} is processed`);
  }
  // Exactly once: each stored message registered its patient once (one row, one patient.created) and
  // caused no update (a message run again after the crash finds nothing to change); unstored ones, nothing.
  const { patients } = await get<{ patients: { id: number; patientId: string }[] }>(
    '/patients?name=Burst*&limit=1000',
  );
  const ids = patients.map((p) => p.patientId);
  assert.equal(new Set(ids).size, ids.length, 'no patient twice');
  const storedIndexes = [...byControl.keys()].map((c) => Number(c.replace('CRASH-', '')));
  assert.deepEqual(
    ids.map((id) => Number(id.slice(1))).sort((a, b) => a - b),
    storedIndexes.sort((a, b) => a - b),
    'a patient for each stored message, and none for the others',
  );
  const database = openDatabase({
    url: process.env.LANTERN_DATABASE_URL ?? '',
    dataDir,
    sqliteSynchronous: 'normal',
  });
  try {
    const events: StoredEvent[] = [];
    for (let page = await listEvents(database, { limit: 1000 }); page.length > 0;) {
      events.push(...page);
      page = await listEvents(database, { sinceId: page[page.length - 1]!.id, limit: 1000 });
    }
    const refs = new Set(patients.map((p) => String(p.id)));
    const created = events.filter((e) => e.type === 'patient.created' && refs.has(e.subject));
    const updated = events.filter((e) => e.type === 'patient.updated' && refs.has(e.subject));
    assert.equal(created.length, patients.length, 'one patient.created per patient');
    assert.deepEqual(updated, [], 'no message processed twice');
  } finally {
    await database.close();
  }
});
