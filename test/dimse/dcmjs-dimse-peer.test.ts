// dcmjs-dimse as the peer: a second, independent DICOM network implementation (besides DCMTK) echoes,
// stores CT_small.dcm and finds its study again through `lantern serve`.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import dcmjsDimse, { type requests as Requests, type responses as Responses } from 'dcmjs-dimse';
import { startServe, type RunningLantern } from '../support/lantern-server.js';

const { Client, constants, log, requests } = dcmjsDimse;
const { CEchoRequest, CFindRequest, CStoreRequest } = requests;
type Request = Requests.Request;
type Response = Responses.Response;

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const CT_SMALL_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';

let dataDir: string;
let server: RunningLantern;

before(async () => {
  // Its info log narrates every PDU, and its own dcmjs warns of each private element it re-encodes.
  log.setLevel('warn');
  const requireFromDimse = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'));
  (requireFromDimse('dcmjs') as { log: { setLevel(level: string): void } }).log.setLevel('error');
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-dcmjs-dimse-'));
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query,retrieve',
  });
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends one request on its own association; resolves with every response once the association is released. */
function send(request: Request): Promise<Response[]> {
  return new Promise((resolve, reject) => {
    const responses: Response[] = [];
    const client = new Client();
    request.on('response', (response: Response) => responses.push(response));
    client.addRequest(request);
    client.on('associationRejected', (result: unknown) =>
      reject(new Error(`association rejected: ${JSON.stringify(result)}`)),
    );
    client.on('networkError', (error: Error) => reject(error));
    client.on('closed', () => resolve(responses));
    client.send('127.0.0.1', server.dicomPort, 'DCMJSDIMSE', 'LANTERN', { connectTimeout: 10_000 });
  });
}

/** Every response but the last is pending; the last is success. */
function assertSucceeded(responses: Response[]): void {
  assert.ok(responses.length > 0, 'a response');
  assert.equal(responses.at(-1)!.getStatus(), constants.Status.Success);
  for (const response of responses.slice(0, -1)) assert.equal(response.getStatus(), constants.Status.Pending);
}

test('C-ECHO', async () => {
  const responses = await send(new CEchoRequest());
  assert.equal(responses.length, 1);
  assertSucceeded(responses);
});

test('C-STORE of CT_small.dcm, then C-FIND at STUDY level by PatientID returns the study', async () => {
  assertSucceeded(await send(new CStoreRequest(CT_SMALL)));

  const found = await send(
    CFindRequest.createStudyFindRequest({
      PatientID: '1CT1',
      PatientName: '',
      StudyInstanceUID: '',
      StudyDate: '',
      NumberOfStudyRelatedInstances: '',
    }),
  );
  assertSucceeded(found);
  const matches = found.filter((response) => response.hasDataset()).map((r) => r.getDataset()!.getElements());
  assert.equal(matches.length, 1);
  const [study] = matches as Record<string, unknown>[];
  assert.equal(study!.StudyInstanceUID, CT_SMALL_STUDY);
  assert.equal(study!.PatientID, '1CT1');
  assert.equal(personName(study!.PatientName), 'CompressedSamples^CT1');
  assert.equal(study!.StudyDate, '20040119');
  assert.equal(Number(study!.NumberOfStudyRelatedInstances), 1);
});

test('C-FIND for another patient finds nothing', async () => {
  const found = await send(
    CFindRequest.createStudyFindRequest({ PatientID: 'NOBODY', StudyInstanceUID: '' }),
  );
  assert.equal(found.length, 1);
  assertSucceeded(found);
  assert.equal(found[0]!.hasDataset(), false);
});

/** dcmjs (as dcmjs-dimse uses it) gives person names as [{ Alphabetic }] or a plain string. */
function personName(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null
    ? String((first as { Alphabetic?: unknown }).Alphabetic)
    : String(first);
}
