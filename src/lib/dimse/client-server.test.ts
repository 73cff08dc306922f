// Our SCU against our SCP: streamed C-STORE with backpressure, C-FIND cancelled by an AbortSignal,
// N-ACTION answered by an N-EVENT-REPORT on the same association, handler failures, and A-ABORT.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from './dimse-client.js';
import type { DimseServer } from './dimse-server.js';
import { DimseError } from './errors.js';
import type { ScpAssociation } from './scp-handlers.js';
import { Status } from './status-codes.js';
import type { DimseClient } from './scu-operations.js';
import {
  CT_IMAGE_STORAGE,
  EXPLICIT_LE,
  STUDY_ROOT_FIND,
  VERIFICATION,
  encodeDataSet,
  sleep,
  startServer,
} from './test-support.js';

const COMMITMENT = '1.2.840.10008.1.20.1';
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

describe('our SCU against our SCP', () => {
  let server: DimseServer;
  let port = 0;
  let client: DimseClient;
  let storedBytes = Buffer.alloc(0);
  let maxBehind = 0;
  let consumed = 0;
  let findCancelled = false;
  let serverClosed: Promise<unknown> = Promise.resolve();
  const events: number[] = [];

  before(async () => {
    ({ server, port } = await startServer(
      {
        store: async (request) => {
          if (request.sopInstanceUid === 'throw') throw new Error('handler bug');
          const parts: Uint8Array[] = [];
          for await (const chunk of request.data) {
            parts.push(chunk);
            consumed += chunk.length;
            await sleep(1); // a slow disk: the socket must be paused, not the data buffered
          }
          storedBytes = Buffer.concat(parts);
          return Status.Success;
        },
        find: async function* (request) {
          for (let i = 0; ; i++) {
            if (request.signal.aborted) {
              findCancelled = true;
              return;
            }
            yield encodeDataSet(request.transferSyntaxUid, [[0x00100020, 'LO', `ID${i}`]]);
            await sleep(2);
          }
        },
        action: async (request) => {
          const association: ScpAssociation = request.association;
          // PS3.4 J.3.3: the result may come on the same association while it is open.
          setTimeout(() => {
            association
              .sendEventReport({
                sopClassUid: COMMITMENT,
                sopInstanceUid: COMMITMENT_INSTANCE,
                eventTypeId: 1,
                eventInformation: request.actionInformation,
              })
              .catch(() => undefined);
          }, 5);
          return Status.Success;
        },
      },
      { dataHighWaterMark: 64 * 1024, onAssociation: (_info, closed) => (serverClosed = closed) },
    ));
    client = await connect({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'SCP',
      maxPduLength: 32768,
      presentationContexts: [VERIFICATION, CT_IMAGE_STORAGE, STUDY_ROOT_FIND, COMMITMENT].map(
        (abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [EXPLICIT_LE] }),
      ),
      handlers: { eventReport: (request) => (events.push(request.eventTypeId), Status.Success) },
    });
  });
  after(() => server.close());

  it('reports the negotiation result', async () => {
    assert.equal(client.presentationContexts.length, 4);
    assert.ok(client.presentationContexts.every((context) => context.transferSyntax === EXPLICIT_LE));
    assert.equal(client.info.peerMaxPduLength, 262144);
    assert.equal((await client.echo()).status, Status.Success);
  });

  it('streams a large C-STORE to a slow handler without buffering it', async () => {
    const bytes = Buffer.alloc(16 << 20);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(i, i);
    const before = process.memoryUsage().arrayBuffers;
    let sent = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += 65_536) {
        sent += 65_536;
        maxBehind = Math.max(maxBehind, sent - consumed);
        yield bytes.subarray(at, at + 65_536);
      }
    }
    const response = await client.store({
      sopClassUid: CT_IMAGE_STORAGE,
      sopInstanceUid: '1.2.3.4',
      transferSyntaxUid: EXPLICIT_LE,
      data: source(),
    });
    assert.equal(response.status, Status.Success);
    assert.deepEqual(storedBytes, bytes);
    // Sender and consumer stay within socket buffers plus the high-water mark of each other.
    assert.ok(maxBehind < bytes.length / 2, `sender ran ${maxBehind} bytes ahead`);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
  });

  it('sends a lent data set whole, each buffer given back only once the socket has sent its bytes', async () => {
    const CHUNK = 100_003; // odd, so chunks and PDUs never line up
    const total = 160 * CHUNK;
    const expected = Buffer.alloc(total);
    for (let i = 0; i < total; i++) expected[i] = (i * 7 + (i >> 11)) & 0xff;
    const free: Buffer[] = [];
    let allocated = 0;
    let released = 0;
    async function* lent() {
      for (let at = 0; at < total; at += CHUNK) {
        const buffer = free.pop() ?? (allocated++, Buffer.alloc(CHUNK));
        expected.copy(buffer, 0, at, at + CHUNK);
        let given = false;
        yield {
          bytes: buffer,
          release: () => {
            assert.equal(given, false, 'released twice');
            given = true;
            released++;
            // Reused at once: a buffer given back before the socket sent it would corrupt what arrives.
            buffer.fill(0xee);
            free.push(buffer);
          },
        };
      }
    }
    const response = await client.store({
      sopClassUid: CT_IMAGE_STORAGE,
      sopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: EXPLICIT_LE,
      data: { lentChunks: lent() },
    });
    assert.equal(response.status, Status.Success);
    assert.ok(storedBytes.equals(expected), 'the data set arrived changed');
    assert.equal(released, 160);
    // The connection waits for the socket above 2 MiB: a few dozen buffers at most, not one a chunk.
    assert.ok(allocated < 40, `${allocated} buffers for 160 chunks`);
  });

  it('answers a throwing handler with ProcessingFailure and keeps the association', async () => {
    const response = await client.store({
      sopClassUid: CT_IMAGE_STORAGE,
      sopInstanceUid: 'throw',
      transferSyntaxUid: EXPLICIT_LE,
      data: Buffer.alloc(1000),
    });
    assert.equal(response.status, Status.ProcessingFailure);
    assert.equal((await client.echo()).status, Status.Success);
  });

  it('cancels a C-FIND through an AbortSignal (C-CANCEL, final status Cancel)', async () => {
    const controller = new AbortController();
    const operation = client.find(STUDY_ROOT_FIND, encodeDataSet(EXPLICIT_LE, [[0x00100020, 'LO', '']]), {
      signal: controller.signal,
    });
    let count = 0;
    for await (const identifier of operation) {
      assert.ok(Buffer.from(identifier).includes('ID'));
      if (++count === 3) controller.abort();
    }
    assert.equal((await operation.final).status, Status.Cancel);
    assert.ok(findCancelled);
    assert.equal((await client.echo()).status, Status.Success);
  });

  it('gets N-EVENT-REPORT after N-ACTION on the same association', async () => {
    const response = await client.action({
      sopClassUid: COMMITMENT,
      sopInstanceUid: COMMITMENT_INSTANCE,
      actionTypeId: 1,
      actionInformation: encodeDataSet(EXPLICIT_LE, [[0x00081195, 'UI', '1.2.3']]),
    });
    assert.equal(response.status, Status.Success);
    for (let i = 0; i < 100 && events.length === 0; i++) await sleep(5);
    assert.deepEqual(events, [1]);
  });

  it('fails pending operations with DimseError after abort', async () => {
    const pending = client.store({
      sopClassUid: CT_IMAGE_STORAGE,
      sopInstanceUid: '1.2.3.5',
      transferSyntaxUid: EXPLICIT_LE,
      data: (async function* () {
        yield Buffer.alloc(100);
        await sleep(50);
        yield Buffer.alloc(100);
      })(),
    });
    client.abort();
    await assert.rejects(pending, (error: unknown) => error instanceof DimseError);
    const closed = await serverClosed;
    assert.ok(closed instanceof DimseError && closed.code === 'aborted');
    await assert.rejects(client.echo(), DimseError);
  });
});
