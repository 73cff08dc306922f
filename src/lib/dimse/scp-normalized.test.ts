// N-CREATE and N-SET between our SCU and SCP: the instance UID the SCP chooses comes back in the
// response, data sets reach the handler byte for byte, error fields travel, and a missing handler is
// "No such SOP Class"; dcmjs-dimse (an independent implementation) checks the wire format.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dcmjsDimse, { type requests as Requests, type responses as Responses } from 'dcmjs-dimse';
import { connect } from './dimse-client.js';
import type { DimseServer } from './dimse-server.js';
import type { CreateRequest, SetRequest } from './scp-handlers.js';
import { Status } from './status-codes.js';
import type { DimseClient } from './scu-operations.js';
import { EXPLICIT_LE, encodeDataSet, startServer } from './test-support.js';

const MPPS = '1.2.840.10008.3.1.2.3.3';
const OTHER_N_CLASS = '1.2.840.10008.5.1.1.40'; // Printer: accepted here, but no handler serves it

describe('N-CREATE and N-SET', () => {
  let server: DimseServer;
  let port = 0;
  let client: DimseClient;
  const created: CreateRequest[] = [];
  const set: SetRequest[] = [];

  before(async () => {
    ({ server, port } = await startServer({
      create: (request) => {
        created.push(request);
        if (request.sopInstanceUid === '1.2.3.999')
          return { status: Status.DuplicateSopInstance, errorComment: 'exists' };
        return {
          status: Status.Success,
          sopInstanceUid: request.sopInstanceUid ?? '1.2.3.42',
          attributes: request.attributes,
        };
      },
      set: (request) => {
        set.push(request);
        if (request.sopInstanceUid === '1.2.3.7')
          return {
            status: Status.ProcessingFailure,
            errorId: 0xa710,
            errorComment: 'may no longer be updated',
          };
        return Status.Success;
      },
    }));
    client = await connect({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'SCU',
      calledAeTitle: 'SCP',
      presentationContexts: [MPPS, OTHER_N_CLASS].map((abstractSyntax) => ({
        abstractSyntax,
        transferSyntaxes: [EXPLICIT_LE],
      })),
    });
  });
  after(async () => {
    await client.release();
    await server.close();
  });

  const status = encodeDataSet(EXPLICIT_LE, [[0x00400252, 'CS', 'IN PROGRESS']]);

  it('creates with the requestor’s instance UID and returns the attribute list', async () => {
    const response = await client.create({
      sopClassUid: MPPS,
      sopInstanceUid: '1.2.3.1',
      attributes: status,
    });
    assert.equal(response.status, Status.Success);
    assert.equal(response.sopInstanceUid, '1.2.3.1');
    assert.equal(response.command.affectedSopClassUid, MPPS);
    assert.deepEqual(Buffer.from(response.attributes!), status);
    assert.deepEqual(Buffer.from(created.at(-1)!.attributes!), status);
    assert.equal(created.at(-1)!.transferSyntaxUid, EXPLICIT_LE);
  });

  it('lets the SCP choose the instance UID when the requestor names none', async () => {
    const response = await client.create({ sopClassUid: MPPS, attributes: status });
    assert.equal(created.at(-1)!.sopInstanceUid, undefined);
    assert.equal(response.sopInstanceUid, '1.2.3.42');
  });

  it('carries failure statuses with their comment and error id', async () => {
    const duplicate = await client.create({
      sopClassUid: MPPS,
      sopInstanceUid: '1.2.3.999',
      attributes: status,
    });
    assert.equal(duplicate.status, Status.DuplicateSopInstance);
    assert.equal(duplicate.errorComment, 'exists');
    const refused = await client.set({ sopClassUid: MPPS, sopInstanceUid: '1.2.3.7', modifications: status });
    assert.equal(refused.status, Status.ProcessingFailure);
    assert.equal(refused.command.errorId, 0xa710);
    assert.equal(refused.command.affectedSopInstanceUid, '1.2.3.7');
  });

  it('sets with the requested instance and its modification list', async () => {
    const response = await client.set({
      sopClassUid: MPPS,
      sopInstanceUid: '1.2.3.1',
      modifications: status,
    });
    assert.equal(response.status, Status.Success);
    assert.equal(set.at(-1)!.sopInstanceUid, '1.2.3.1');
    assert.equal(set.at(-1)!.sopClassUid, MPPS);
    assert.deepEqual(Buffer.from(set.at(-1)!.modifications!), status);
  });

  it('answers "No such SOP Class" without a handler', async () => {
    const { server: bare, port: barePort } = await startServer({});
    try {
      const other = await connect({
        host: '127.0.0.1',
        port: barePort,
        callingAeTitle: 'SCU',
        calledAeTitle: 'SCP',
        presentationContexts: [{ abstractSyntax: MPPS, transferSyntaxes: [EXPLICIT_LE] }],
      });
      assert.equal(
        (await other.create({ sopClassUid: MPPS, attributes: status })).status,
        Status.NoSuchSopClass,
      );
      assert.equal(
        (await other.set({ sopClassUid: MPPS, sopInstanceUid: '1.2', modifications: status })).status,
        Status.NoSuchSopClass,
      );
      await other.release();
    } finally {
      await bare.close();
    }
  });

  it('interoperates with dcmjs-dimse as the SCU', async () => {
    const { Client, Dataset, log, requests } = dcmjsDimse;
    log.setLevel('error');
    const createRequest = new requests.NCreateRequest(MPPS, '1.2.3.77');
    createRequest.setDataset(new Dataset({ PerformedProcedureStepStatus: 'IN PROGRESS' }));
    const setRequest = new requests.NSetRequest(MPPS, '1.2.3.77');
    setRequest.setDataset(new Dataset({ PerformedProcedureStepStatus: 'COMPLETED' }));
    const statuses: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const peer = new Client();
      for (const request of [createRequest, setRequest] as Requests.Request[]) {
        request.on('response', (response: Responses.Response) => statuses.push(response.getStatus()));
        peer.addRequest(request);
      }
      peer.on('networkError', reject);
      peer.on('closed', () => resolve());
      peer.send('127.0.0.1', port, 'DCMJS', 'SCP');
    });
    assert.deepEqual(statuses, [Status.Success, Status.Success]);
    assert.equal(created.at(-1)!.sopInstanceUid, '1.2.3.77');
    assert.equal(set.at(-1)!.sopInstanceUid, '1.2.3.77');
    assert.ok(Buffer.from(set.at(-1)!.modifications!).includes('COMPLETED'));
  });
});
