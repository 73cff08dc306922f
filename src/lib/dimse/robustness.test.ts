// A misbehaving peer never takes the server down: each case ends with the right A-ABORT or close, and
// echoscu is still answered afterwards. Also association rejection and 100 simultaneous associations.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect } from './dimse-client.js';
import type { DimseServer } from './dimse-server.js';
import { DimseError } from './errors.js';
import { encodeAssociate } from './pdu-codec.js';
import { AbortReason, DICOM_APPLICATION_CONTEXT, PduType, RejectReason, RejectSource } from './pdu-types.js';
import { Status } from './status-codes.js';
import { EXPLICIT_LE, VERIFICATION, acceptAll, runTool, startServer } from './test-support.js';

const associateRq = encodeAssociate({
  type: PduType.AssociateRq,
  protocolVersion: 1,
  calledAeTitle: 'OURAE',
  callingAeTitle: 'RAW',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
  userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3', roleSelections: [] },
});

/** Writes `steps` (bytes, a pause in ms, or 'end') to a raw socket and returns all bytes received until close. */
function rawPeer(port: number, steps: Array<Uint8Array | number | 'end'>): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received)));
    socket.on('connect', async () => {
      for (const step of steps) {
        if (step === 'end') socket.end();
        else if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
        else if (!socket.destroyed) socket.write(step);
      }
    });
  });
}

/** The PDU types in a received byte stream, with the abort reason of an A-ABORT. */
function pduTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 6 <= bytes.length; at += 6 + bytes.readUInt32BE(at + 2)) {
    const type = bytes[at] ?? 0;
    types.push(type === PduType.Abort ? `abort:${bytes[at + 9]}` : String(type));
  }
  return types;
}

describe('robustness', () => {
  let server: DimseServer;
  let port = 0;

  before(async () => {
    ({ server, port } = await startServer(
      { echo: () => Status.Success },
      {
        negotiate: (request) =>
          request.calledAeTitle === 'OURAE'
            ? acceptAll()(request)
            : {
                reject: {
                  result: 1,
                  source: RejectSource.ServiceUser,
                  reason: RejectReason.CalledAeTitleNotRecognized,
                },
              },
        // Short enough to see them fire, long enough that 100 associations at once on a loaded machine are
        // not cut by ARTIM before their A-ASSOCIATE-RQ is read.
        timeouts: { artimMs: 1500, idleMs: 2000 },
        maxPduLength: 16384,
      },
    ));
  });
  after(() => server.close());

  async function stillServes(): Promise<void> {
    const result = await runTool('echoscu', ['-aec', 'OURAE', '127.0.0.1', String(port)]);
    assert.equal(result.code, 0, result.stderr);
  }

  it('survives a truncated PDU followed by a close', async () => {
    const received = await rawPeer(port, [associateRq.subarray(0, 30), 20, 'end']).catch(() =>
      Buffer.alloc(0),
    );
    assert.equal(received.length, 0);
    await stillServes();
  });

  it('aborts a P-DATA-TF longer than the negotiated maximum', async () => {
    const header = Buffer.from([PduType.PDataTf, 0, 0x7f, 0xff, 0xff, 0xff]);
    const received = await rawPeer(port, [associateRq, 50, header]);
    assert.deepEqual(pduTypes(received), ['2', `abort:${AbortReason.InvalidPduParameterValue}`]);
    await stillServes();
  });

  it('aborts an unknown PDU type with reason "unrecognized PDU"', async () => {
    const received = await rawPeer(port, [Buffer.from([0x09, 0, 0, 0, 0, 4, 1, 2, 3, 4])]);
    assert.deepEqual(pduTypes(received), [`abort:${AbortReason.UnrecognizedPdu}`]);
    await stillServes();
  });

  it('aborts P-DATA-TF before association as an unexpected PDU', async () => {
    const received = await rawPeer(port, [Buffer.from([4, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 3, 0, 0])]);
    assert.deepEqual(pduTypes(received), [`abort:${AbortReason.UnexpectedPdu}`]);
  });

  it('survives random bytes', async () => {
    for (let i = 0; i < 20; i++) await rawPeer(port, [randomBytes(2048), 10]);
    await stillServes();
  });

  it('closes a peer that stalls mid-PDU (idle timeout) and one that never associates (ARTIM)', async () => {
    const started = Date.now();
    const stalled = await rawPeer(port, [associateRq, 50, Buffer.from([4, 0, 0, 0])]);
    assert.deepEqual(pduTypes(stalled), ['2', `abort:${AbortReason.NotSpecified}`]);
    const silent = await rawPeer(port, []);
    assert.equal(silent.length, 0);
    assert.ok(Date.now() - started < 15_000); // closed by the server's timers, not by the peer giving up
    await stillServes();
  });

  it('rejects a wrong called AE title (echoscu and our SCU)', async () => {
    const result = await runTool('echoscu', ['-aec', 'WRONG', '127.0.0.1', String(port)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Association Rejected/);
    await assert.rejects(
      connect({
        host: '127.0.0.1',
        port,
        callingAeTitle: 'US',
        calledAeTitle: 'WRONG',
        presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
      }),
      (error: unknown) =>
        error instanceof DimseError &&
        error.code === 'rejected' &&
        error.reject?.reason === RejectReason.CalledAeTitleNotRecognized,
    );
    await stillServes();
  });

  it('serves 100 associations opened at once, each with an echo', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const client = await connect({
          host: '127.0.0.1',
          port,
          callingAeTitle: 'MANY',
          calledAeTitle: 'OURAE',
          presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
        });
        const { status } = await client.echo();
        await client.release();
        return status;
      }),
    );
    assert.deepEqual(new Set(results), new Set([Status.Success]));
    await stillServes();
  });
});
