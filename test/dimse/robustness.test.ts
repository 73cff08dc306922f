// A misbehaving peer never takes lantern serve down nor costs stored data: each case ends with the right
// A-ABORT or a close, and afterwards DCMTK's echoscu and storescu are still served.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from '../../src/lib/dimse/index.js';
import { encodeAssociate } from '../../src/lib/dimse/pdu-codec.js';
import { DICOM_APPLICATION_CONTEXT, PduType } from '../../src/lib/dimse/pdu-types.js';
import { runTool } from '../support/dcmtk.js';
import { runLantern } from '../support/lantern-cli.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const VERIFICATION = '1.2.840.10008.1.1';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

let dataDir: string;
let server: RunningLantern;

const associateRq = encodeAssociate({
  type: PduType.AssociateRq,
  protocolVersion: 1,
  calledAeTitle: 'LANTERN',
  callingAeTitle: 'RAW',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
  userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3', roleSelections: [] },
});

/** Writes `steps` (bytes, a pause in ms, or 'end') and resolves with everything received until the close. */
function rawPeer(steps: Array<Uint8Array | number | 'end'>): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = netConnect(server.dicomPort, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 20_000);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received));
    });
    socket.on('connect', async () => {
      for (const step of steps) {
        if (step === 'end') socket.end();
        else if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
        else if (!socket.destroyed) socket.write(step);
      }
    });
  });
}

/** The PDU types in a byte stream: 0x02 A-ASSOCIATE-AC, 0x07 A-ABORT … */
function pduTypes(bytes: Buffer): number[] {
  const types: number[] = [];
  for (let at = 0; at + 6 <= bytes.length; at += 6 + bytes.readUInt32BE(at + 2)) types.push(bytes[at]!);
  return types;
}

const pdu = (type: number, length: number, body: Uint8Array = new Uint8Array(0)) => {
  const header = Buffer.alloc(6);
  header[0] = type;
  header.writeUInt32BE(length, 2);
  return Buffer.concat([header, body]);
};

async function stillServing(): Promise<void> {
  const echo = await runTool('echoscu', ['-aec', 'LANTERN', '127.0.0.1', String(server.dicomPort)]);
  assert.equal(echo.code, 0, `echoscu after the attack: ${echo.output}`);
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-robust-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_IDLE_TIMEOUT_SECONDS: '2',
    ...OPEN_DOORS,
  });
  const stored = await runTool('storescu', [
    '-aec',
    'LANTERN',
    '127.0.0.1',
    String(server.dicomPort),
    CT_SMALL,
  ]);
  assert.equal(stored.code, 0, stored.output);
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('misbehaving peers against lantern serve', () => {
  test('random bytes are answered with an abort or a close', async () => {
    for (let i = 0; i < 10; i++) {
      const answer = await rawPeer([randomBytes(200 + i * 50), 100, 'end']);
      assert.ok(
        pduTypes(answer).every((type) => type === 0x07 || type === 0x03),
        'only A-ABORT or A-ASSOCIATE-RJ',
      );
    }
    await stillServing();
  });

  test('an unknown PDU type and a truncated association request', async () => {
    assert.deepEqual(pduTypes(await rawPeer([pdu(0x09, 4, new Uint8Array(4)), 500])), [0x07]);
    await rawPeer([associateRq.subarray(0, 40), 'end']);
    await stillServing();
  });

  test('a PDU far beyond the negotiated maximum is aborted', async () => {
    const answer = await rawPeer([associateRq, 200, pdu(0x04, 512 * 1024 * 1024), 500]);
    assert.deepEqual(pduTypes(answer), [0x02, 0x07], 'associated, then aborted');
    await stillServing();
  });

  test('a peer that stalls mid-PDU is cut off by the idle timeout', async () => {
    const started = Date.now();
    await rawPeer([associateRq, 200, pdu(0x04, 1000).subarray(0, 6), new Uint8Array(10)]);
    assert.ok(Date.now() - started < 15_000, 'the server closed the stalled association');
    await stillServing();
  });

  test('100 associations at once each get their echo', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const association = await connect({
          host: '127.0.0.1',
          port: server.dicomPort,
          callingAeTitle: `PEER${i}`,
          calledAeTitle: 'LANTERN',
          presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
        });
        const { status } = await association.echo();
        await association.release();
        return status;
      }),
    );
    assert.deepEqual(new Set(results), new Set([0]));
  });

  test('after all of it, what was stored is intact and more can be stored', async () => {
    await stillServing();
    const stored = await runTool('storescu', [
      '-aec',
      'LANTERN',
      '127.0.0.1',
      String(server.dicomPort),
      CT_SMALL,
    ]);
    assert.equal(stored.code, 0);
    const verify = await runLantern(['verify', '--no-progress'], { LANTERN_DATA_DIR: dataDir });
    assert.match(verify.stdout, /Checked 1 indexed instances and 1 stored files/);
    assert.match(verify.stdout, /Index and storage agree/);
  });
});
