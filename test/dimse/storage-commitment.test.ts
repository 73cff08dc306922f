// Storage commitment (PS3.4 J) against lantern serve, with Lantern's own SCU as the modality: instances
// stored with C-STORE are committed by N-ACTION, and the result comes back as an N-EVENT-REPORT.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeDataset, readDataset, scanHeader, type DataElements } from '../../src/lib/dicom/index.js';
import {
  acceptRoleSelections,
  connect,
  createDimseServer,
  selectPresentationContexts,
  type DimseClient,
  type EventReportRequest,
} from '../../src/lib/dimse/index.js';
import { runLantern } from '../support/lantern-cli.js';
import { OPEN_DOORS, startServe, type RunningLantern } from '../support/lantern-server.js';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const COMMITMENT = '1.2.840.10008.1.20.1';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** N-ACTION storage commitment request (PS3.4 J.3.2) for [SOP class, SOP instance] pairs. */
function requestCommitment(association: DimseClient, transactionUid: string, references: [string, string][]) {
  const actionInformation = encodeDataset(
    {
      '00081195': { vr: 'UI', Value: [transactionUid] },
      '00081199': {
        vr: 'SQ',
        Value: references.map(([sopClassUid, sopInstanceUid]): DataElements => ({
          '00081150': { vr: 'UI', Value: [sopClassUid] },
          '00081155': { vr: 'UI', Value: [sopInstanceUid] },
        })),
      },
    },
    EXPLICIT_LE,
  );
  return association.action({
    sopClassUid: COMMITMENT,
    sopInstanceUid: '1.2.840.10008.1.20.1.1',
    actionTypeId: 1,
    actionInformation,
  });
}

let dataDir: string;
let server: RunningLantern;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-commit-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir, ...OPEN_DOORS });
});
after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('a stored instance is committed, an unknown one is reported failed, on the same association', async () => {
  const file = readFileSync(CT_SMALL);
  const header = scanHeader(file);
  const reports: EventReportRequest[] = [];
  let reported!: () => void;
  const gotReport = new Promise<void>((resolve) => (reported = resolve));
  const association = await connect({
    host: '127.0.0.1',
    port: server.dicomPort,
    callingAeTitle: 'MODALITY',
    calledAeTitle: 'LANTERN',
    presentationContexts: [
      { abstractSyntax: header.sopClassUid!, transferSyntaxes: [header.transferSyntaxUid] },
      { abstractSyntax: COMMITMENT, transferSyntaxes: [EXPLICIT_LE] },
    ],
    handlers: {
      eventReport: (request) => {
        reports.push(request);
        reported();
        return 0;
      },
    },
  });
  try {
    const stored = await association.store({
      sopClassUid: header.sopClassUid!,
      sopInstanceUid: header.sopInstanceUid!,
      transferSyntaxUid: header.transferSyntaxUid,
      data: file.subarray(header.datasetOffset),
    });
    assert.equal(stored.status, 0);

    const missing = '1.2.826.0.1.3680043.2.1125.404';
    const action = await requestCommitment(association, '1.2.826.0.1.3680043.2.1125.777', [
      [header.sopClassUid!, header.sopInstanceUid!],
      [header.sopClassUid!, missing],
    ]);
    assert.equal(action.status, 0);
    await gotReport;
    const [report] = reports;
    assert.equal(report!.eventTypeId, 2, 'some instances failed');
    const event = readDataset(report!.eventInformation!, { transferSyntaxUid: EXPLICIT_LE }).elements;
    assert.deepEqual(event['00081195']?.Value, ['1.2.826.0.1.3680043.2.1125.777']);
    const committed = (event['00081199']?.Value ?? []) as DataElements[];
    const failed = (event['00081198']?.Value ?? []) as DataElements[];
    assert.deepEqual(
      committed.map((item) => item['00081155']?.Value?.[0]),
      [header.sopInstanceUid],
    );
    assert.deepEqual(
      failed.map((item) => item['00081155']?.Value?.[0]),
      [missing],
    );
    assert.equal(Number(failed[0]!['00081197']?.Value?.[0]), 0x0112);
  } finally {
    await association.release();
  }
});

test('when the requestor has gone, the result comes on a new association to its AE from the AE table', async () => {
  const header = scanHeader(readFileSync(CT_SMALL));
  let reported!: (request: EventReportRequest) => void;
  const gotReport = new Promise<EventReportRequest>((resolve) => (reported = resolve));
  // The modality's own SCP, which takes the N-EVENT-REPORT.
  const modality = createDimseServer({
    negotiate: (request) => ({
      accept: {
        presentationContexts: selectPresentationContexts(request.presentationContexts, () => [EXPLICIT_LE]),
        roleSelections: acceptRoleSelections(
          request,
          selectPresentationContexts(request.presentationContexts, () => [EXPLICIT_LE]),
        ),
      },
    }),
    handlers: {
      eventReport: (request) => {
        reported(request);
        return 0;
      },
    },
  });
  const { port } = await modality.listen(0, '127.0.0.1');
  try {
    const added = await runLantern(['ae', 'add', 'MODALITY2', '127.0.0.1', String(port)], {
      LANTERN_DATA_DIR: dataDir,
    });
    assert.equal(added.code, 0, added.stderr);
    const association = await connect({
      host: '127.0.0.1',
      port: server.dicomPort,
      callingAeTitle: 'MODALITY2',
      calledAeTitle: 'LANTERN',
      presentationContexts: [{ abstractSyntax: COMMITMENT, transferSyntaxes: [EXPLICIT_LE] }],
    });
    const action = await requestCommitment(association, '1.2.826.0.1.3680043.2.1125.778', [
      [header.sopClassUid!, header.sopInstanceUid!],
    ]);
    assert.equal(action.status, 0);
    await association.release();
    const report = await gotReport;
    assert.equal(report.eventTypeId, 1, 'everything committed');
    const event = readDataset(report.eventInformation!, { transferSyntaxUid: EXPLICIT_LE }).elements;
    assert.deepEqual(event['00081195']?.Value, ['1.2.826.0.1.3680043.2.1125.778']);
  } finally {
    await modality.close();
  }
});
