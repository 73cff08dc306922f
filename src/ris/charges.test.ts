import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import type { ProcedureId } from './ids.js';
import { completedOrder } from './report-test-fixture.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

for (const dialect of testDialects()) {
  describe(`charges on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let procedureId: ProcedureId;
    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      const procedure = await f.ris.procedures.create(f.ctx, {
        code: 'CT-CAP-W',
        codingScheme: '99LANTERN',
        meaning: 'CT chest, abdomen and pelvis with contrast',
        modality: 'CT',
        durationMinutes: 20,
        charges: [
          { code: '71260', codingScheme: 'C4', modifiers: ['26'], quantity: 1 },
          { code: '74177', codingScheme: 'C4', modifiers: ['26', 'TC'], quantity: 1 },
        ],
      });
      procedureId = procedure.id;
    });
    after(() => t?.cleanup());

    test('completion copies the catalogue lines; they are edited until released, then locked', async () => {
      const placed = await f.ris.orders.place(f.ctx, { patientRef: await f.patient('CHG1'), procedureId });
      for (const to of ['arrived', 'in-progress']) await f.ris.orders.transition(f.ctx, placed.id, to);
      assert.equal((await f.ris.charges.get(f.ctx, placed.id)).status, 'none');
      await assert.rejects(
        f.ris.charges.replace(f.ctx, placed.id, { lines: [] }),
        isError('conflict', /order is in-progress; charges exist once the exam is completed/),
      );
      await f.ris.orders.transition(f.ctx, placed.id, 'completed');
      const created = await f.ris.charges.get(f.ctx, placed.id);
      assert.equal(created.status, 'open');
      assert.deepEqual(
        created.lines.map((l) => [l.position, l.code, l.codingScheme, l.modifiers, l.quantity]),
        [
          [0, '71260', 'C4', ['26'], 1],
          [1, '74177', 'C4', ['26', 'TC'], 1],
        ],
      );
      const [completion] = (await f.ris.orders.history(f.ctx, placed.id)).filter((h) => h.to === 'completed');
      assert.equal(created.lines[0]!.serviceAt, completion!.at);

      const edited = await f.ris.charges.replace(f.ctx, placed.id, {
        lines: [
          { code: '71260', codingScheme: 'C4', modifiers: ['26', 'xu'], quantity: 2 },
          { code: '96374', codingScheme: 'C4' },
        ],
      });
      assert.deepEqual(
        edited.lines.map((l) => [l.code, l.modifiers, l.quantity, l.serviceAt]),
        [
          ['71260', ['26', 'XU'], 2, completion!.at],
          ['96374', [], 1, completion!.at],
        ],
      );
      await assert.rejects(
        f.ris.charges.replace(f.ctx, placed.id, { lines: [{ code: '1', codingScheme: 'C4', quantity: 0 }] }),
        isError('invalid', /quantity must be a whole number from 1 to 999/),
      );
      await assert.rejects(
        f.ris.charges.replace(f.ctx, placed.id, {
          lines: [{ code: '1', codingScheme: 'C4', modifiers: ['TOO-LONG'] }],
        }),
        isError('invalid', /modifier 'TOO-LONG'/),
      );

      const [released] = await f.ris.charges.release(f.ctx, [placed.id]);
      assert.equal(released!.status, 'released');
      assert.ok(released!.lines.every((l) => l.releasedAt !== null && l.releasedBy === 'user:tester'));
      await assert.rejects(
        f.ris.charges.replace(f.ctx, placed.id, { lines: [] }),
        isError('conflict', /released charges never change/),
      );
      await assert.rejects(
        f.ris.charges.release(f.ctx, [placed.id]),
        isError('conflict', /already released/),
      );
      assert.deepEqual((await f.ris.charges.get(f.ctx, placed.id)).lines, released!.lines);
    });

    test('release is all or none', async () => {
      const open = await completedOrder(f, 'CHG2', procedureId);
      const empty = await completedOrder(f, 'CHG3', procedureId);
      await f.ris.charges.replace(f.ctx, empty, { lines: [] });
      await assert.rejects(
        f.ris.charges.release(f.ctx, [open, empty]),
        isError('conflict', new RegExp(`order ${empty} has no charge lines to release`)),
      );
      assert.equal((await f.ris.charges.get(f.ctx, open)).status, 'open');
    });

    test('CSV export of a period, by date of service, RFC 4180 quoted', async () => {
      const orderId = await completedOrder(f, 'CHG,"4"', procedureId);
      const serviceAt = (await f.ris.charges.get(f.ctx, orderId)).lines[0]!.serviceAt;
      const day = serviceAt.slice(0, 10);
      const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      const csv = await f.ris.charges.exportCsv(f.ctx, { from: day, to: next });
      const lines = csv.split('\r\n');
      assert.equal(
        lines[0],
        'accession_number,order_id,patient_id,issuer_of_patient_id,patient_name,procedure_code,procedure,service_at,line,charge_code,coding_scheme,modifiers,quantity,status,released_at',
      );
      assert.equal(lines.at(-1), '');
      const mine = lines.filter((l) => l.includes('"CHG,""4"""'));
      assert.equal(mine.length, 2);
      assert.match(
        mine[1]!,
        new RegExp(
          `^\\d{13},${orderId},"CHG,""4""",TEST,,CT-CAP-W,"CT chest, abdomen and pelvis with contrast",\\S+Z,2,74177,C4,"26,TC",1,open,$`,
        ),
      );
      const released = await f.ris.charges.exportCsv(f.ctx, { from: day, to: next, status: 'released' });
      assert.ok(released.split('\r\n').every((l) => !l.includes('"CHG,""4"""')));
      assert.ok(released.split('\r\n').some((l) => l.includes(',released,')));
      const before = await f.ris.charges.exportCsv(f.ctx, { from: '2000-01-01', to: '2000-01-02' });
      assert.equal(before.split('\r\n').length, 2);
      await assert.rejects(
        f.ris.charges.exportCsv(f.ctx, { from: next, to: day }),
        isError('invalid', /from must be before to/),
      );
      await assert.rejects(
        f.ris.charges.exportCsv(f.ctx, { from: 'yesterday', to: day }),
        isError('invalid', /from must be a date/),
      );
    });
  });
}
