import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import { createContext } from '../platform/context.js';
import { listEvents } from '../platform/events/index.js';
import { silentLogger } from '../platform/log/index.js';
import type { OrderId, ProcedureId } from './ids.js';
import { completedOrder, userContext } from './report-test-fixture.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

for (const dialect of testDialects()) {
  describe(`reports on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let ct: ProcedureId;
    const author = userContext('dr-house');
    const other = userContext('dr-wilson');
    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      ct = (await f.ris.procedures.seedDefaults(f.ctx)).find((p) => p.code === 'CT-HEAD-WO')!.id;
    });
    after(() => t?.cleanup());

    const orderStatus = async (id: OrderId) => (await f.ris.orders.get(f.ctx, id)).status;

    test('templates per procedure: the first one starts a draft; CRUD refuses bad input', async () => {
      const general = await f.ris.reportTemplates.create(f.ctx, {
        name: 'General',
        sections: [{ title: 'Report', text: '' }],
      });
      const head = await f.ris.reportTemplates.create(f.ctx, {
        procedureId: ct,
        name: 'CT head',
        sections: [
          { title: 'Findings', text: 'No intracranial haemorrhage.' },
          { title: 'Impression', text: '' },
        ],
      });
      assert.deepEqual(
        (await f.ris.reportTemplates.list(f.ctx, ct)).map((x) => x.id),
        [head.id, general.id],
      );
      await assert.rejects(
        f.ris.reportTemplates.create(f.ctx, {
          procedureId: 999_999,
          name: 'X',
          sections: [{ title: 'A', text: '' }],
        }),
        isError('invalid', /procedure 999999 is not in the catalogue/),
      );
      await assert.rejects(
        f.ris.reportTemplates.create(f.ctx, { name: 'X', sections: [] }),
        isError('invalid', /sections/),
      );
      const renamed = await f.ris.reportTemplates.update(f.ctx, general.id, {
        name: 'General report',
        sections: general.sections,
      });
      assert.equal(renamed.name, 'General report');

      const orderId = await completedOrder(f, 'REP0', ct);
      const report = await f.ris.reports.startDraft(author, orderId);
      assert.deepEqual(report.current.sections, head.sections);
      const fromGeneral = await completedOrder(f, 'REP0B', ct);
      const draft = await f.ris.reports.startDraft(author, fromGeneral, { templateId: general.id });
      assert.deepEqual(draft.current.sections, general.sections);
      await f.ris.reportTemplates.remove(f.ctx, general.id);
      await assert.rejects(
        f.ris.reportTemplates.get(f.ctx, general.id),
        isError('not-found', /report template/),
      );
    });

    test('draft → preliminary → final → amendment and addendum: signed versions never change', async () => {
      const orderId = await completedOrder(f, 'REP1', ct);
      const sectionsV1 = [
        { title: 'Findings', text: 'Small left frontal contusion.' },
        { title: 'Impression', text: 'Contusion.' },
      ];
      let report = await f.ris.reports.startDraft(author, orderId, {
        sections: [{ title: 'Findings', text: '' }],
      });
      assert.equal(report.current.status, 'draft');
      await assert.rejects(
        f.ris.reports.startDraft(author, orderId),
        isError('conflict', /is a draft; edit it/),
      );
      await assert.rejects(
        f.ris.reports.editDraft(other, orderId, { sections: sectionsV1 }),
        isError('forbidden', /only its author/),
      );
      report = await f.ris.reports.editDraft(author, orderId, { sections: sectionsV1 });
      assert.deepEqual(report.current.sections, sectionsV1);

      report = await f.ris.reports.sign(author, orderId, {
        as: 'preliminary',
        signer: { name: 'Gregory House MD' },
      });
      assert.equal(report.current.status, 'preliminary');
      assert.deepEqual(report.current.signer, { id: 'dr-house', name: 'Gregory House MD' });
      assert.equal(await orderStatus(orderId), 'preliminary');
      await assert.rejects(
        f.ris.reports.editDraft(author, orderId, { sections: sectionsV1 }),
        isError('conflict', /version 1 is preliminary; signed versions never change/),
      );
      await assert.rejects(
        f.ris.reports.sign(author, orderId, { as: 'preliminary', signer: { name: 'X' } }),
        isError('conflict', /already preliminary; sign it final/),
      );

      report = await f.ris.reports.sign(other, orderId, { as: 'final', signer: { name: 'James Wilson MD' } });
      assert.equal(report.current.status, 'final');
      assert.equal(report.current.signer?.name, 'James Wilson MD');
      assert.ok(report.current.signedAt);
      assert.equal(await orderStatus(orderId), 'final');
      const finalized = (await listEvents(t.database, { type: 'report.finalized', limit: 1000 })).filter(
        (e) => e.payload.orderId === orderId,
      );
      assert.equal(finalized.length, 1);
      assert.equal(finalized[0]!.payload.version, 1);
      const history = await f.ris.orders.history(f.ctx, orderId);
      assert.deepEqual(
        history.slice(-2).map((h) => [h.from, h.to]),
        [
          ['completed', 'preliminary'],
          ['preliminary', 'final'],
        ],
      );
      await assert.rejects(
        f.ris.reports.sign(author, orderId, { as: 'final', signer: { name: 'X' } }),
        isError('conflict', /already final; amend it/),
      );
      await assert.rejects(
        f.ris.reports.startDraft(author, orderId),
        isError('conflict', /is final; amend it/),
      );

      // An amendment: a new version, the final one kept as it was.
      report = await f.ris.reports.amend(author, orderId, {
        kind: 'amendment',
        reason: 'laterality corrected',
        sections: [
          { title: 'Findings', text: 'Small right frontal contusion.' },
          { title: 'Impression', text: 'Contusion.' },
        ],
      });
      assert.deepEqual(
        report.versions.map((v) => [v.version, v.kind, v.status]),
        [
          [1, 'original', 'final'],
          [2, 'amendment', 'draft'],
        ],
      );
      await assert.rejects(
        f.ris.reports.sign(author, orderId, { as: 'preliminary', signer: { name: 'X' } }),
        isError('conflict', /amendment is signed final/),
      );
      report = await f.ris.reports.sign(author, orderId, {
        as: 'final',
        signer: { name: 'Gregory House MD' },
      });
      assert.equal(await orderStatus(orderId), 'amended');
      assert.deepEqual(report.versions[0]!.sections, sectionsV1);
      assert.equal(report.versions[0]!.signer?.name, 'James Wilson MD');
      assert.equal(
        (await listEvents(t.database, { type: 'report.amended', limit: 1000 })).filter(
          (e) => e.payload.orderId === orderId,
        ).length,
        1,
      );

      // An addendum keeps the signed text and adds below it.
      report = await f.ris.reports.amend(author, orderId, {
        kind: 'addendum',
        reason: 'prior CT',
        addendum: 'Compared with prior: stable.',
      });
      const signed = report.versions[1]!.sections;
      assert.deepEqual(report.current.sections, [
        ...signed,
        { title: 'Addendum', text: 'Compared with prior: stable.' },
      ]);
      await assert.rejects(
        f.ris.reports.editDraft(author, orderId, { sections: [{ title: 'Findings', text: 'rewritten' }] }),
        isError('conflict', /keeps the signed sections unchanged/),
      );
      await f.ris.reports.sign(author, orderId, { as: 'final', signer: { name: 'Gregory House MD' } });
      assert.equal(await orderStatus(orderId), 'amended');
      report = await f.ris.reports.get(f.ctx, orderId);
      assert.deepEqual(
        report.versions.map((v) => [v.version, v.kind, v.status]),
        [
          [1, 'original', 'final'],
          [2, 'amendment', 'final'],
          [3, 'addendum', 'final'],
        ],
      );
    });

    test('a report of an exam not completed, cancelled or discontinued is refused and nothing changes', async () => {
      const patientRef = await f.patient('REP2');
      const ordered = await f.ris.orders.place(f.ctx, { patientRef, procedureId: ct });
      await assert.rejects(
        f.ris.reports.startDraft(author, ordered.id),
        isError('conflict', /order is ordered; the exam is not completed/),
      );
      await assert.rejects(
        f.ris.reports.sign(author, ordered.id, { as: 'final', signer: { name: 'X' } }),
        isError('conflict', /order is ordered; the exam is not completed/),
      );
      const discontinued = await f.ris.orders.place(f.ctx, { patientRef, procedureId: ct });
      for (const to of ['arrived', 'in-progress', 'discontinued'])
        await f.ris.orders.transition(f.ctx, discontinued.id, to);
      await assert.rejects(
        f.ris.reports.sign(author, discontinued.id, { as: 'final', signer: { name: 'X' } }),
        isError('conflict', /order is discontinued; a discontinued exam is not reported/),
      );
      await assert.rejects(f.ris.reports.get(f.ctx, ordered.id), isError('not-found', /report of order/));
      assert.equal(await orderStatus(ordered.id), 'ordered');
      assert.equal(await orderStatus(discontinued.id), 'discontinued');
      assert.equal(
        Number(
          (
            await t.database.kysely
              .selectFrom('report')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('order_ref', 'in', [ordered.id, discontinued.id])
              .executeTakeFirstOrThrow()
          ).n,
        ),
        0,
      );
    });

    test('a refused order transition rolls the signature back', async () => {
      const orderId = await completedOrder(f, 'REP3', ct);
      await f.ris.reports.startDraft(author, orderId);
      await f.ris.reports.sign(author, orderId, { as: 'preliminary', signer: { name: 'A' } });
      // A revision of the preliminary report, then a second preliminary: the order cannot go preliminary again.
      await f.ris.reports.startDraft(author, orderId);
      await assert.rejects(
        f.ris.reports.sign(author, orderId, { as: 'preliminary', signer: { name: 'A' } }),
        isError('conflict', /order is preliminary; it cannot become preliminary/),
      );
      const report = await f.ris.reports.get(f.ctx, orderId);
      assert.deepEqual(
        report.versions.map((v) => [v.version, v.status, v.signer]),
        [
          [1, 'preliminary', { id: 'dr-house', name: 'A' }],
          [2, 'draft', null],
        ],
      );
    });

    test('critical results: who was told, how and when; the text and PDF exports carry the report', async () => {
      const orderId = await completedOrder(f, 'REP4', ct);
      await f.ris.reports.startDraft(author, orderId, {
        sections: [
          { title: 'Findings', text: 'Acute subdural haematoma (right), 9 mm.\nMidline shift 4 mm.' },
          { title: 'Impression', text: 'Acute SDH - neurosurgery informed.' },
        ],
      });
      await assert.rejects(
        f.ris.reports.recordCriticalResult(author, orderId, {
          finding: 'SDH',
          notified: { name: 'X' },
          method: 'fax',
        }),
        isError('invalid', /method must be one of/),
      );
      let report = await f.ris.reports.recordCriticalResult(author, orderId, {
        finding: 'Acute subdural haematoma',
        notified: { name: 'Dr Cuddy', role: 'neurosurgery on call' },
        method: 'phone',
        notifiedAt: '2025-03-04T10:15:00Z',
      });
      assert.equal(report.critical, true);
      assert.deepEqual(
        report.criticalResults.map((c) => [c.finding, c.notified, c.method, c.notifiedAt, c.recordedBy.id]),
        [
          [
            'Acute subdural haematoma',
            { name: 'Dr Cuddy', role: 'neurosurgery on call' },
            'phone',
            '2025-03-04T10:15:00.000Z',
            'dr-house',
          ],
        ],
      );
      const draftText = await f.ris.reports.exportText(f.ctx, orderId);
      assert.match(String(draftText.body), /DRAFT - NOT SIGNED/);
      report = await f.ris.reports.sign(author, orderId, {
        as: 'final',
        signer: { name: 'Gregory House MD' },
      });
      const text = String((await f.ris.reports.exportText(f.ctx, orderId)).body);
      assert.match(text, /^RADIOLOGY REPORT - FINAL\n/);
      assert.match(text, /Patient ID: {2}REP4 \(TEST\)/);
      assert.match(text, /FINDINGS\nAcute subdural haematoma \(right\), 9 mm\.\nMidline shift 4 mm\.\n/);
      assert.match(text, /Signed final by Gregory House MD \(dr-house\) at /);
      assert.match(text, /Dr Cuddy \(neurosurgery on call\) notified by phone at 2025-03-04T10:15:00.000Z/);
      const pdf = (await f.ris.reports.exportPdf(f.ctx, orderId)).body as Buffer;
      assert.equal(pdf.subarray(0, 8).toString('latin1'), '%PDF-1.4');
      assert.match(pdf.toString('latin1'), /\(Acute subdural haematoma \\\(right\\\), 9 mm\.\) Tj/);
      await assert.rejects(f.ris.reports.exportText(f.ctx, orderId, 7), isError('not-found', /version 7/));
    });

    test("a person signs under the account's name, whatever the body says; an API key names the signer", async () => {
      const orderId = await completedOrder(f, 'REP-NAMED', ct);
      const house = createContext(
        silentLogger(),
        {
          kind: 'user',
          id: '12',
          username: 'dr-house',
          displayName: 'Gregory House MD',
          roles: ['radiologist'],
        },
        { door: 'api' },
      );
      await f.ris.reports.startDraft(house, orderId);
      let report = await f.ris.reports.sign(house, orderId, {
        as: 'preliminary',
        signer: { name: 'James Wilson MD' },
      });
      assert.deepEqual(report.current.signer, { id: 'dr-house', name: 'Gregory House MD' });
      assert.match(
        String((await f.ris.reports.exportText(f.ctx, orderId)).body),
        /Signed preliminary by Gregory House MD \(dr-house\) at /,
      );

      // A dictation system's key signs for the radiologist it names; the signature shows it came through the key.
      const dictation = createContext(
        silentLogger(),
        { kind: 'service', apiKeyName: 'dictation', roles: ['radiologist'] },
        { door: 'api' },
      );
      await assert.rejects(
        f.ris.reports.sign(dictation, orderId, { as: 'final' }),
        isError(
          'invalid',
          /signer\.name is required: the caller \(service dictation\) is no logged-in person/,
        ),
      );
      await assert.rejects(
        f.ris.reports.sign(dictation, orderId, { as: 'final', signer: { name: ' ' } }),
        isError('invalid', /signer\.name must be 1 to 128 characters/),
      );
      assert.equal(await orderStatus(orderId), 'preliminary');
      report = await f.ris.reports.sign(dictation, orderId, {
        as: 'final',
        signer: { name: 'Gregory House MD' },
      });
      assert.deepEqual(report.current.signer, { id: 'service:dictation', name: 'Gregory House MD' });
    });

    test('reports follow a patient merge to the survivor and go back on unmerge', async () => {
      const orderId = await completedOrder(f, 'REP-MERGED', ct);
      await f.ris.reports.startDraft(author, orderId);
      await f.ris.reports.sign(author, orderId, { as: 'final', signer: { name: 'Gregory House MD' } });
      const merged = (await f.ris.reports.get(f.ctx, orderId)).patientRef;
      const survivorOrder = await completedOrder(f, 'REP-SURVIVOR', ct);
      const survivor = (await f.ris.orders.get(f.ctx, survivorOrder)).patientRef;
      await f.ris.reports.startDraft(author, survivorOrder);
      await f.ris.reports.sign(author, survivorOrder, { as: 'final', signer: { name: 'Gregory House MD' } });
      // The reports a patient has: those of his orders (as FHIR DiagnosticReport?patient= lists them).
      const reportsOf = async (patientRef: number) => {
        const { orders } = await f.ris.orders.search(f.ctx, { patientRef, status: ['final'] });
        return Promise.all(orders.map((o) => f.ris.reports.get(f.ctx, o.id)));
      };
      await f.patients.merge(f.ctx, String(merged), { into: survivor });
      const afterMerge = await reportsOf(survivor);
      assert.deepEqual(afterMerge.map((r) => r.orderId).sort(), [orderId, survivorOrder].sort());
      assert.ok(afterMerge.every((r) => r.patientRef === survivor));
      assert.deepEqual(await reportsOf(merged), []);
      assert.match(
        String((await f.ris.reports.exportText(f.ctx, orderId)).body),
        /Patient ID: {2}REP-SURVIVOR/,
      );

      await f.patients.unmerge(f.ctx, String(merged));
      assert.deepEqual(
        (await reportsOf(merged)).map((r) => [r.orderId, r.patientRef]),
        [[orderId, merged]],
      );
      assert.deepEqual(
        (await reportsOf(survivor)).map((r) => [r.orderId, r.patientRef]),
        [[survivorOrder, survivor]],
      );
    });
  });
}
