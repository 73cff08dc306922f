import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import type { DataElements, DicomJson } from '../lib/dicom/index.js';
import { publishEvent } from '../platform/events/index.js';
import { silentLogger } from '../platform/log/index.js';
import { createStudyLinking, type Order, type Procedure } from './index.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

// MPPS and study linking on the database: orders follow MPPS through the state machine, a refused MPPS
// changes nothing, stable studies link by accession or Study Instance UID or wait for a clerk.
const text = (vr: string, value: string) => ({ vr, Value: [value] });
const mpps = (order: Order, extra: DataElements = {}): DataElements => ({
  '00400270': {
    vr: 'SQ',
    Value: [
      { '0020000D': text('UI', order.studyInstanceUid), '00080050': text('SH', order.accessionNumber) },
    ],
  },
  '00400253': text('SH', 'PPS1'),
  '00400241': text('AE', 'CT1'),
  '00080060': text('CS', 'CT'),
  '00400244': text('DA', '20310602'),
  '00400245': text('TM', '0905'),
  '00400252': text('CS', 'IN PROGRESS'),
  ...extra,
});
const ended = (status: string, series = true): DataElements => ({
  '00400252': text('CS', status),
  '00400250': text('DA', '20310602'),
  '00400251': text('TM', '0915'),
  ...(series ? { '00400340': { vr: 'SQ', Value: [{ '0020000E': text('UI', '1.2.3.4') }] } } : {}),
});

for (const dialect of testDialects()) {
  describe(`MPPS and study linking on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let ct: Procedure;
    const studies = new Map<string, DicomJson>();
    const place = async (patientId = 'P1') =>
      f.ris.orders.place(f.ctx, { patientRef: await f.patient(patientId), procedureId: ct.id });
    const status = async (order: Order) => (await f.ris.orders.get(f.ctx, order.id)).status;

    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      ct = (await f.ris.procedures.seedDefaults(f.ctx)).find((p) => p.code === 'CT-HEAD-WO')!;
    });
    after(() => t?.cleanup());

    test('IN PROGRESS walks the order through arrived; COMPLETED waits for every step of the order', async () => {
      const order = await place();
      await f.ris.mpps.create(f.ctx, { sopInstanceUid: '1.2.9.1', attributes: mpps(order) });
      assert.equal(await status(order), 'in-progress');
      await f.ris.mpps.create(f.ctx, { sopInstanceUid: '1.2.9.2', attributes: mpps(order) });
      await f.ris.mpps.update(f.ctx, {
        sopInstanceUid: '1.2.9.1',
        modifications: ended('DISCONTINUED', false),
      });
      assert.equal(await status(order), 'in-progress');
      await f.ris.mpps.update(f.ctx, { sopInstanceUid: '1.2.9.2', modifications: ended('COMPLETED') });
      assert.equal(await status(order), 'completed');
      const history = await f.ris.orders.history(f.ctx, order.id);
      assert.deepEqual(
        history.map((h) => h.to),
        ['ordered', 'arrived', 'in-progress', 'completed'],
      );
    });

    test('refusals: final state requirements, fixed attributes, cancelled orders; nothing changes', async () => {
      const order = await place();
      await f.ris.mpps.create(f.ctx, { sopInstanceUid: '1.2.9.10', attributes: mpps(order) });
      await assert.rejects(
        f.ris.mpps.update(f.ctx, { sopInstanceUid: '1.2.9.10', modifications: ended('COMPLETED', false) }),
        isError('invalid', /Performed Series/),
      );
      await assert.rejects(
        f.ris.mpps.update(f.ctx, {
          sopInstanceUid: '1.2.9.10',
          modifications: { '00400241': text('AE', 'CT9') },
        }),
        isError('invalid', /cannot be changed/),
      );
      assert.equal(await status(order), 'in-progress');
      const cancelled = await place();
      await f.ris.orders.transition(f.ctx, cancelled.id, 'cancelled', 'test');
      await assert.rejects(
        f.ris.mpps.create(f.ctx, { sopInstanceUid: '1.2.9.11', attributes: mpps(cancelled) }),
        isError('conflict', /cancelled/),
      );
      assert.equal(await f.count('performed_procedure_step'), 3);
    });

    test('stable studies link by accession, by Study Instance UID, or queue; a clerk links and dismisses', async () => {
      const byAccession = await place('P2');
      const byUid = await place('P2');
      const otherPatient = await place('P3');
      const study = (uid: string, accession: string, patientId = 'P2'): DicomJson => ({
        '0020000D': text('UI', uid),
        '00080050': accession ? text('SH', accession) : { vr: 'SH' },
        '00100020': text('LO', patientId),
        '00201208': text('IS', '2'),
      });
      studies.set('1.2.8.1', study('1.2.8.1', byAccession.accessionNumber));
      studies.set(byUid.studyInstanceUid, study(byUid.studyInstanceUid, ''));
      studies.set('1.2.8.3', study('1.2.8.3', otherPatient.accessionNumber));
      studies.set('1.2.8.4', study('1.2.8.4', 'NOPE'));
      const linking = createStudyLinking(
        {
          ...(f.ris && { database: t.database, patients: f.patients }),
          archive: {
            query: async (_ctx, query) => ({
              total: undefined,
              matches: [studies.get(String(query.keys?.StudyInstanceUID))].filter((m) => m !== undefined),
            }),
          },
        },
        { stableSeconds: 0 },
        silentLogger(),
      );
      for (const uid of studies.keys())
        await publishEvent(t.database.kysely, { type: 'instance.stored', subject: uid, payload: {} });
      assert.equal(await linking.runOnce(), 4);
      assert.equal(await linking.runOnce(), 0);
      const linked = async (order: Order) =>
        (await f.ris.studies.ofOrder(f.ctx, order.id)).map((s) => s.matchedBy);
      assert.deepEqual(await linked(byAccession), ['accession']);
      assert.deepEqual(await linked(byUid), ['study-uid']);
      assert.equal(await status(byAccession), 'completed');
      const queue = await f.ris.unmatchedStudies.list(f.ctx);
      assert.deepEqual(queue.studies.map((s) => s.studyInstanceUid).sort(), ['1.2.8.3', '1.2.8.4']);
      assert.match(
        queue.studies.find((s) => s.studyInstanceUid === '1.2.8.3')!.reason,
        /not the order's patient/,
      );
      await assert.rejects(
        f.ris.unmatchedStudies.link(f.ctx, '1.2.8.3', otherPatient.id),
        isError('conflict', /patient/),
      );
      const fresh = await place('P2');
      assert.equal((await f.ris.unmatchedStudies.link(f.ctx, '1.2.8.4', fresh.id)).status, 'linked');
      assert.equal((await f.ris.unmatchedStudies.dismiss(f.ctx, '1.2.8.3', 'phantom')).status, 'dismissed');
      assert.equal((await f.ris.unmatchedStudies.list(f.ctx)).total, 0);
      // New instances make a study unstable again; once quiet it is looked at again, and stays linked.
      await publishEvent(t.database.kysely, { type: 'instance.stored', subject: '1.2.8.1', payload: {} });
      assert.equal(await linking.runOnce(), 1);
      assert.deepEqual(await linked(byAccession), ['accession']);
    });
  });
}
