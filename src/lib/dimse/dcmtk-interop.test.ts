// Interoperability with DCMTK 3.6.7 over real sockets on 127.0.0.1: echoscu, storescu, findscu, getscu,
// movescu against our SCP; our SCU against storescp and our own SCP.
import assert from 'node:assert/strict';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { readDataset } from '../dicom/index.js';
import { connect } from './dimse-client.js';
import type { DimseServer } from './dimse-server.js';
import type { FindMatch, StoreRequest } from './scp-handlers.js';
import { Status } from './status-codes.js';
import {
  CT_IMAGE_STORAGE,
  EXPLICIT_LE,
  MR_IMAGE_STORAGE,
  STUDY_ROOT_GET,
  TEST_FILES,
  VERIFICATION,
  collect,
  dataSetOfFile,
  encodeDataSet,
  runTool,
  startServer,
  startStorescp,
  tempDir,
  withoutTrailingPadding,
  writeWithDataSet,
} from './test-support.js';

const CT = join(TEST_FILES, 'CT_small.dcm');
const MR = join(TEST_FILES, 'MR_small.dcm');
const uidOf = (file: string): string =>
  String(readDataset(readFileSync(file)).elements['00080018']?.Value?.[0] ?? '');

async function writeStream(path: string, data: AsyncIterable<Uint8Array>): Promise<void> {
  const out = createWriteStream(path);
  for await (const chunk of data) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
}

describe('DCMTK interoperability', () => {
  const tmp = tempDir();
  const large = join(tmp.path, 'large.dcm');
  let server: DimseServer;
  let port = 0;
  const received = join(tmp.path, 'received');
  const findRequests: Uint8Array[] = [];
  let cancelled = false;
  let storeCount = 0;
  const moveTargets = new Map<string, number>();

  before(async () => {
    // A 5 MB instance: CT_small plus a private OB element, so storescu sends it in many PDUs.
    const big = Buffer.alloc(5 << 20, 7);
    const header = Buffer.alloc(12);
    header.writeUInt16LE(0x7fe1, 0);
    header.writeUInt16LE(0x1000, 2);
    header.write('OB', 4, 'latin1');
    header.writeUInt32LE(big.length, 8);
    const creator = Buffer.from([
      0xe1,
      0x7f,
      0x10,
      0x00,
      0x4c,
      0x4f,
      0x0a,
      0x00,
      ...Buffer.from('DIMSETEST '),
    ]);
    writeWithDataSet(
      CT,
      Buffer.concat([withoutTrailingPadding(dataSetOfFile(CT)), creator, header, big]),
      large,
    );
    const { mkdirSync } = await import('node:fs');
    mkdirSync(received);
    ({ server, port } = await startServer({
      store: async (request: StoreRequest) => {
        await writeStream(
          join(received, `${String(++storeCount).padStart(3, '0')}-${request.sopInstanceUid}`),
          request.data,
        );
        return Status.Success;
      },
      find: async function* (request): AsyncGenerator<FindMatch> {
        findRequests.push(request.identifier);
        const forCancel =
          readDataset(request.identifier, { transferSyntaxUid: request.transferSyntaxUid }).elements[
            '00100020'
          ]?.Value?.[0] === 'CANCELME';
        const total = forCancel ? 1000 : 2;
        for (let i = 0; i < total; i++) {
          if (request.signal.aborted) {
            cancelled = true;
            return;
          }
          yield encodeDataSet(request.transferSyntaxUid, [
            [0x00080052, 'CS', 'STUDY'],
            [0x00100010, 'PN', `Doe^Patient${i + 1}`],
            [0x0020000d, 'UI', `1.2.3.${i + 1}`],
          ]);
          if (forCancel) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      get: async (request) => {
        request.setRemaining(2);
        for (const file of [CT, MR]) {
          const sopClassUid = file === CT ? CT_IMAGE_STORAGE : MR_IMAGE_STORAGE;
          await request.store({
            sopClassUid,
            sopInstanceUid: uidOf(file),
            transferSyntaxUid: EXPLICIT_LE,
            data: dataSetOfFile(file),
          });
        }
      },
      move: async (request) => {
        const destinationPort = moveTargets.get(request.destination);
        if (destinationPort === undefined) return { status: Status.MoveDestinationUnknown };
        const files = [CT, MR];
        const client = await connect({
          host: '127.0.0.1',
          port: destinationPort,
          callingAeTitle: 'OURSCP',
          calledAeTitle: request.destination,
          presentationContexts: [CT_IMAGE_STORAGE, MR_IMAGE_STORAGE].map((abstractSyntax) => ({
            abstractSyntax,
            transferSyntaxes: [EXPLICIT_LE],
          })),
        });
        let completed = 0;
        let failed = 0;
        for (const [index, file] of files.entries()) {
          const response = await client.store({
            sopClassUid: index === 0 ? CT_IMAGE_STORAGE : MR_IMAGE_STORAGE,
            sopInstanceUid: uidOf(file),
            transferSyntaxUid: EXPLICIT_LE,
            data: dataSetOfFile(file),
            moveOriginator: {
              aeTitle: request.association.info.callingAeTitle,
              messageId: request.messageId,
            },
          });
          if (response.status === Status.Success) completed++;
          else failed++;
          request.report({ remaining: files.length - index - 1, completed, failed, warning: 0 });
        }
        await client.release();
        return { completed, failed, warning: 0 };
      },
    }));
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it('answers echoscu', async () => {
    const result = await runTool('echoscu', ['-aec', 'ANY', '127.0.0.1', String(port)]);
    assert.equal(result.code, 0, result.stderr);
  });

  it('our echo reaches storescp', async () => {
    const scp = await startStorescp(tmp.path);
    try {
      const client = await connect({
        host: '127.0.0.1',
        port: scp.port,
        callingAeTitle: 'OURSCU',
        calledAeTitle: 'STORESCP',
        presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] }],
      });
      assert.equal((await client.echo()).status, Status.Success);
      await client.release();
    } finally {
      scp.stop();
    }
  });

  it('receives storescu instances as streams, byte for byte (small and multi-PDU)', async () => {
    const result = await runTool('storescu', ['-R', '-aec', 'ANY', '127.0.0.1', String(port), CT, MR, large]);
    assert.equal(result.code, 0, result.stderr);
    const stored = readdirSync(received).sort();
    assert.equal(stored.length, 3);
    [CT, MR, large].forEach((file, index) => {
      const bytes = readFileSync(join(received, stored[index] ?? ''));
      // storescu drops the trailing (FFFC,FFFC) padding of CT_small and MR_small; all else must be equal.
      assert.deepEqual(bytes, Buffer.from(withoutTrailingPadding(dataSetOfFile(file))), file);
    });
  });

  it('our store reaches storescp +B with our data set bytes', async () => {
    const dir = tempDir();
    const scp = await startStorescp(dir.path);
    try {
      const client = await connect({
        host: '127.0.0.1',
        port: scp.port,
        callingAeTitle: 'OURSCU',
        calledAeTitle: 'STORESCP',
        presentationContexts: [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] }],
      });
      const bytes = dataSetOfFile(large);
      // Stream in odd-sized slices to exercise PDV coalescing.
      async function* slices(): AsyncGenerator<Uint8Array> {
        for (let at = 0; at < bytes.length; at += 100_003) yield bytes.subarray(at, at + 100_003);
      }
      const response = await client.store({
        sopClassUid: CT_IMAGE_STORAGE,
        sopInstanceUid: uidOf(CT),
        transferSyntaxUid: EXPLICIT_LE,
        data: slices(),
      });
      assert.equal(response.status, Status.Success);
      await client.release();
      const [written] = readdirSync(dir.path);
      assert.ok(written);
      assert.deepEqual(dataSetOfFile(join(dir.path, written)), Buffer.from(bytes));
    } finally {
      scp.stop();
      dir.remove();
    }
  });

  it('answers findscu -S and -P with two matches', async () => {
    for (const model of ['-S', '-P']) {
      const result = await runTool('findscu', [
        '-v',
        model,
        '-aec',
        'ANY',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'PatientName',
        '-k',
        'StudyInstanceUID',
        '127.0.0.1',
        String(port),
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /Doe\^Patient1/);
      assert.match(result.stderr, /Doe\^Patient2/);
      assert.doesNotMatch(result.stderr, /Patient3/);
    }
    const identifier = readDataset(findRequests[0] as Uint8Array, {
      transferSyntaxUid: EXPLICIT_LE,
    }).elements;
    assert.equal(identifier['00080052']?.Value?.[0], 'STUDY');
    assert.ok('00100010' in identifier);
  });

  it('stops a C-FIND on findscu --cancel', async () => {
    const result = await runTool('findscu', [
      '-v',
      '-S',
      '--cancel',
      '2',
      '-aec',
      'ANY',
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      'PatientID=CANCELME',
      '127.0.0.1',
      String(port),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Cancel/);
    assert.ok(cancelled);
  });

  it('serves getscu: two C-STORE sub-operations on the same association', async () => {
    const dir = tempDir();
    try {
      const result = await runTool('getscu', [
        '-S',
        '+B',
        '-aec',
        'ANY',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'StudyInstanceUID=1.2.3',
        '-od',
        dir.path,
        '127.0.0.1',
        String(port),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const files = readdirSync(dir.path).sort();
      assert.equal(files.length, 2, files.join());
      const byUid = new Map(files.map((name) => [uidOf(join(dir.path, name)), name]));
      for (const file of [CT, MR]) {
        assert.deepEqual(dataSetOfFile(join(dir.path, byUid.get(uidOf(file)) ?? '')), dataSetOfFile(file));
      }
    } finally {
      dir.remove();
    }
  });

  it('our get receives the sub-operations as streams', async () => {
    const client = await connect({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'OURSCU',
      calledAeTitle: 'ANY',
      presentationContexts: [STUDY_ROOT_GET, CT_IMAGE_STORAGE, MR_IMAGE_STORAGE].map((abstractSyntax) => ({
        abstractSyntax,
        transferSyntaxes: [EXPLICIT_LE],
      })),
      roleSelections: [CT_IMAGE_STORAGE, MR_IMAGE_STORAGE].map((sopClassUid) => ({
        sopClassUid,
        scuRole: false,
        scpRole: true,
      })),
    });
    const got = new Map<string, Buffer>();
    const pendings: number[] = [];
    const result = await client.get(
      STUDY_ROOT_GET,
      encodeDataSet(EXPLICIT_LE, [
        [0x00080052, 'CS', 'STUDY'],
        [0x0020000d, 'UI', '1.2.3'],
      ]),
      {
        transferSyntaxUid: EXPLICIT_LE,
        onStore: async (request) => {
          got.set(request.sopInstanceUid, await collect(request.data));
          return Status.Success;
        },
        onPending: (progress) => pendings.push(progress.remaining ?? -1),
      },
    );
    await client.release();
    assert.equal(result.status, Status.Success);
    assert.equal(result.completed, 2);
    assert.deepEqual(pendings, [1, 0]);
    for (const file of [CT, MR]) assert.deepEqual(got.get(uidOf(file)), Buffer.from(dataSetOfFile(file)));
  });

  it('serves movescu: sub-operations over our SCU to a storescp', async () => {
    const dir = tempDir();
    const scp = await startStorescp(dir.path, 'MOVEDEST');
    moveTargets.set('MOVEDEST', scp.port);
    try {
      const result = await runTool('movescu', [
        '-v',
        '-S',
        '-aec',
        'ANY',
        '-aem',
        'MOVEDEST',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'StudyInstanceUID=1.2.3',
        '127.0.0.1',
        String(port),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const files = readdirSync(dir.path);
      assert.equal(files.length, 2);
      const byUid = new Map(files.map((name) => [uidOf(join(dir.path, name)), name]));
      for (const file of [CT, MR]) {
        assert.deepEqual(dataSetOfFile(join(dir.path, byUid.get(uidOf(file)) ?? '')), dataSetOfFile(file));
      }
      const unknown = await runTool('movescu', [
        '-S',
        '-aec',
        'ANY',
        '-aem',
        'NOWHERE',
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        'StudyInstanceUID=1.2.3',
        '127.0.0.1',
        String(port),
      ]);
      assert.match(unknown.stderr, /MoveDestinationUnknown/);
    } finally {
      scp.stop();
      dir.remove();
    }
  });
});
