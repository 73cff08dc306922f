import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-databases.js';
import { buildAck, createMllpServer, decodeMessage, encodeMessageBytes } from '../../lib/hl7v2/index.js';
import { createContext } from '../../platform/context.js';
import { silentLogger } from '../../platform/log/index.js';
import { createMessageLog } from '../../platform/messages/index.js';
import { createOutboundAttempt } from './outbound-sender.js';
import { createReportNotifier } from './report-notifier.js';
import type { ReportDocument } from './oru-builder.js';

const ctx = createContext(silentLogger(), { kind: 'system', name: 'test' }, { door: 'cli' });
let t: TestDatabase;
after(() => t?.cleanup());

const document: ReportDocument = {
  patient: {
    patientId: 'P1',
    issuerOfPatientId: 'HOSP',
    name: 'Müller^Jürgen',
    birthDate: '19700101',
    sex: 'M',
  },
  order: {
    placerOrderNumber: 'PLC-1',
    accessionNumber: '2024050100001',
    procedure: { code: 'XR-CHEST-2V', codingScheme: '99LANTERN', meaning: 'Chest X-ray 2 views' },
  },
  report: {
    id: 7,
    version: 2,
    status: 'amended',
    text: 'FINDINGS: clear | no effusion\nIMPRESSION: normal ^ fine\n',
    signer: { id: 'R1', name: 'Reader^Rita' },
    signedAt: '2024-05-01T12:30:00Z',
  },
};

test('a report is queued once per destination as ORU^R01, sent over MLLP, retried on AE and recorded with its ACK', async () => {
  t = await openTestDatabase('sqlite');
  const log = createMessageLog(t.database, {
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    leaseMs: 1000,
  });
  const received: string[] = [];
  let answer = 'AE';
  const emr = createMllpServer({
    maxFrameBytes: 1 << 20,
    onMessage: async (bytes) => {
      const message = decodeMessage(bytes);
      received.push(bytes.toString('utf8'));
      return encodeMessageBytes(
        buildAck(message, { code: answer as 'AA', controlId: `E${received.length}` }),
        'UNICODE UTF-8',
      );
    },
  });
  const { port } = await emr.listen(0, '127.0.0.1');
  try {
    const destinations = [
      {
        name: 'EMR',
        host: '127.0.0.1',
        port,
        receivingApplication: 'EPIC',
        receivingFacility: 'HOSP',
        messages: ['ORU'],
      },
    ];
    const notify = createReportNotifier({ application: 'LANTERN', facility: 'RAD', destinations }, log);
    assert.equal((await notify(document)).length, 1);
    assert.equal((await notify(document)).length, 0, 'the same report version is queued once');
    const attempt = createOutboundAttempt(destinations, log, silentLogger(), undefined, 2000);

    const first = await log.claimNext('outbound');
    assert.equal((await attempt(first!)).state, 'failed', 'AE: tried again');
    answer = 'AA';
    await new Promise((r) => setTimeout(r, 5));
    const second = await log.claimNext('outbound');
    assert.equal((await attempt(second!)).state, 'processed');
    const sent = await log.get(ctx, second!.id);
    assert.deepEqual([sent.ackCode, sent.attempts], ['AA', 2]);
    assert.equal(decodeMessage(sent.ack!).segment('MSA')!.value(2), sent.controlId);

    const oru = decodeMessage(Buffer.from(received[1]!, 'utf8'));
    assert.deepEqual(oru.type, { code: 'ORU', trigger: 'R01', structure: 'ORU_R01' });
    assert.equal(oru.receivingApplication, 'EPIC');
    const pid = oru.segment('PID')!;
    assert.deepEqual(
      [pid.value(3, 1), pid.value(3, 4), pid.value(5, 1), pid.value(5, 2)],
      ['P1', 'HOSP', 'Müller', 'Jürgen'],
    );
    const obr = oru.segment('OBR')!;
    assert.deepEqual(
      [obr.value(2), obr.value(3), obr.value(4, 1), obr.value(25)],
      ['PLC-1', '2024050100001', 'XR-CHEST-2V', 'C'],
    );
    assert.deepEqual(obr.field(32).subcomponents(1), ['R1', 'Reader', 'Rita']);
    const obx = oru.segmentsNamed('OBX');
    assert.deepEqual(
      obx.map((s) => [s.value(2), s.value(5), s.value(11)]),
      [
        ['TX', 'FINDINGS: clear | no effusion', 'C'],
        ['TX', 'IMPRESSION: normal ^ fine', 'C'],
      ],
    );

    // A destination that refuses (AR) dead-letters at once; one that is down is retried, then dead-lettered.
    answer = 'AR';
    await notify({ ...document, report: { ...document.report, version: 3 } });
    assert.equal((await attempt((await log.claimNext('outbound'))!)).state, 'dead-letter');
  } finally {
    await emr.close();
  }
  await createReportNotifier(
    {
      application: 'LANTERN',
      facility: '',
      destinations: [
        {
          name: 'DOWN',
          host: '127.0.0.1',
          port,
          receivingApplication: '',
          receivingFacility: '',
          messages: ['ORU'],
        },
      ],
    },
    log,
  )(document);
  const down = createOutboundAttempt(
    [
      {
        name: 'DOWN',
        host: '127.0.0.1',
        port,
        receivingApplication: '',
        receivingFacility: '',
        messages: ['ORU'],
      },
    ],
    log,
    silentLogger(),
    undefined,
    500,
  );
  const states: string[] = [];
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 5));
    states.push((await down((await log.claimNext('outbound'))!)).state);
  }
  assert.deepEqual(states, ['failed', 'failed', 'dead-letter']);
});
