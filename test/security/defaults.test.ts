// Secure by default, as a fresh install meets it: `lantern serve` with no DIMSE or HL7 security setting
// answers a stranger's C-ECHO but refuses its C-STORE (nothing stored), and answers an HL7 sender nobody
// listed with AR whose text names hl7.allowedSenders (no patient made).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { auditRows, hl7Message, lastSeq } from './security-support.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

let dataDir: string;
let server: RunningLantern;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-defaults-'));
  // Only what every test server has (free ports, the HTTP administrator key to look inside): no door settings.
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const peer = (callingAe: string) => [
  '-aec',
  'LANTERN',
  '-aet',
  callingAe,
  '127.0.0.1',
  String(server.dicomPort),
];

test('an unknown AE: C-ECHO is answered, C-STORE is refused and nothing is stored', async () => {
  const echo = await runTool('echoscu', peer('STRANGER'));
  assert.equal(echo.code, 0, echo.output);

  const since = lastSeq(dataDir);
  const store = await runTool('storescu', [...peer('STRANGER'), CT_SMALL]);
  assert.notEqual(store.code, 0, store.output);
  assert.match(store.output, /No presentation context|No Acceptable Presentation Contexts/i);
  const rows = auditRows(dataDir, since);
  assert.equal(rows.filter((row) => row.action === 'instance.store').length, 0, 'nothing stored');
  const denials = rows.filter((row) => row.action === 'security.deny');
  assert.equal(denials.length, 1, JSON.stringify(rows));
  assert.equal(denials[0]!.actorId, 'STRANGER');
  assert.deepEqual(denials[0]!.detail.granted, ['echo']);
  // storescu proposes every storage class it knows; CT Image Storage, the file's, is among those refused.
  assert.ok((denials[0]!.detail.refused as string[]).includes('1.2.840.10008.5.1.4.1.1.2'));

  const studies = await fetch(`${server.httpUrl}/api/studies`, { headers: server.auth });
  assert.equal(studies.status, 200);
  assert.equal(((await studies.json()) as { total: number }).total, 0);
});

/** One MLLP frame; resolves with the ACK's segments. */
function exchange(message: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.hl7Port, '127.0.0.1', () => socket.write(`\x0b${message}\x1c\r`));
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (!reply.includes('\x1c\r')) return;
      socket.end();
      resolve(reply.slice(reply.indexOf('\x0b') + 1, reply.indexOf('\x1c\r')).split('\r'));
    });
    socket.on('error', reject);
    socket.setTimeout(15_000, () => socket.destroy(new Error('no ACK')));
  });
}

test('an HL7 sender nobody listed gets AR naming hl7.allowedSenders; no patient is made', async () => {
  const since = lastSeq(dataDir);
  const ack = await exchange(hl7Message('EMR^HOSP', 'ADT^A04^ADT_A01', 'DEFAULT-1', 'DEFAULT-P1'));
  const msa = ack.find((segment) => segment.startsWith('MSA|'))!.split('|');
  assert.equal(msa[1], 'AR');
  assert.equal(msa[2], 'DEFAULT-1');
  assert.match(ack.join('\r'), /hl7\.allowedSenders is empty/);
  const rows = auditRows(dataDir, since);
  assert.equal(rows.filter((row) => row.action.startsWith('patient.')).length, 0, JSON.stringify(rows));
  const denials = rows.filter((row) => row.action === 'security.deny');
  assert.equal(denials.length, 1, JSON.stringify(rows));
  assert.equal(denials[0]!.actorId, 'EMR@HOSP');
  assert.equal(denials[0]!.door, 'hl7');
});
