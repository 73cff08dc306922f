import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, testDialects, type TestDatabase } from '../../test/support/test-databases.js';
import { createContext, type Actor } from '../platform/context.js';
import { silentLogger } from '../platform/log/index.js';
import { userActor } from '../platform/security/index.js';
import type { OrderId } from './ids.js';
import { isError, risFixture, type RisFixture } from './ris-test-fixture.js';

// The technologist's notes on an exam: who may write and read them, append-only, audited, and limited to the
// referring physician's patients like the orders they are on.

const ctxOf = (actor: Actor) => createContext(silentLogger(), actor, { door: 'api' });
const as = (username: string, role: string) =>
  ctxOf(userActor({ id: username.length, username, roles: [role] }));
const tech = as('tech1', 'technologist');
const reader = as('reader1', 'radiologist');

for (const dialect of testDialects()) {
  describe(`exam notes on ${dialect}`, () => {
    let t: TestDatabase;
    let f: RisFixture;
    let referred: OrderId;
    let other: OrderId;
    before(async () => {
      t = await openTestDatabase(dialect);
      f = risFixture(t.database);
      const procedureId = (await f.ris.procedures.seedDefaults(f.ctx)).find(
        (p) => p.code === 'CT-HEAD-WO',
      )!.id;
      const place = async (patientId: string, provider: string) =>
        (
          await f.ris.orders.place(f.ctx, {
            patientRef: await f.patient(patientId),
            procedureId,
            orderingProvider: { id: provider, name: 'Doc^Tor' },
          })
        ).id;
      referred = await place('NOTE-1', 'dr-ref');
      other = await place('NOTE-2', 'dr-other');
    });
    after(() => t?.cleanup());

    test('a technologist writes, a radiologist adds and reads: author and time recorded, oldest first', async () => {
      const first = await f.ris.examNotes.add(tech, referred, { text: '  Contrast given: 80 ml IV.  ' });
      assert.equal(first.text, 'Contrast given: 80 ml IV.', 'trimmed');
      assert.deepEqual(first.author, { kind: 'user', id: 'tech1' });
      assert.equal(first.orderId, referred);
      assert.equal(first.correctsNoteId, null);
      assert.ok(Math.abs(Date.parse(first.createdAt) - Date.now()) < 60_000, first.createdAt);
      const second = await f.ris.examNotes.add(reader, referred, { text: 'Seen; motion on series 3.' });
      assert.deepEqual(second.author, { kind: 'user', id: 'reader1' });

      const notes = await f.ris.examNotes.list(reader, referred);
      assert.deepEqual(
        notes.map((n) => [n.id, n.text]),
        [
          [first.id, 'Contrast given: 80 ml IV.'],
          [second.id, 'Seen; motion on series 3.'],
        ],
      );
      assert.deepEqual(await f.ris.examNotes.list(tech, other), []);
    });

    test('append-only: a correction is a new note naming the one it corrects; the first stays as it was', async () => {
      const wrong = await f.ris.examNotes.add(tech, other, { text: 'Series 4 repeated.' });
      const fixed = await f.ris.examNotes.add(tech, other, {
        text: 'Series 3 repeated, not 4.',
        correctsNoteId: wrong.id,
      });
      assert.equal(fixed.correctsNoteId, wrong.id);
      const notes = await f.ris.examNotes.list(tech, other);
      assert.deepEqual(
        notes.map((n) => [n.text, n.correctsNoteId]),
        [
          ['Series 4 repeated.', null],
          ['Series 3 repeated, not 4.', wrong.id],
        ],
      );
      // Only a note of the same exam can be corrected.
      const onReferred = (await f.ris.examNotes.list(tech, referred))[0]!;
      await assert.rejects(
        f.ris.examNotes.add(tech, other, { text: 'x', correctsNoteId: onReferred.id }),
        isError('invalid', /is not a note of order/),
      );
      await assert.rejects(
        f.ris.examNotes.add(tech, other, { text: 'x', correctsNoteId: 999_999 }),
        isError('invalid', /is not a note of order/),
      );
    });

    test('refused: no text, too long, an unknown exam; nothing is written', async () => {
      const before = await f.count('exam_note');
      await assert.rejects(
        f.ris.examNotes.add(tech, referred, { text: '   ' }),
        isError('invalid', /needs text/),
      );
      await assert.rejects(
        f.ris.examNotes.add(tech, referred, { text: 'x'.repeat(2001) }),
        isError('invalid', /at most 2000 characters/),
      );
      await assert.rejects(
        f.ris.examNotes.add(tech, 987_654 as OrderId, { text: 'x' }),
        isError('not-found', /order/),
      );
      await assert.rejects(f.ris.examNotes.list(tech, 987_654 as OrderId), isError('not-found', /order/));
      assert.equal(await f.count('exam_note'), before);
    });

    test('permissions: clerks and referring physicians read but do not write; a referring physician only his patients', async () => {
      const clerk = as('desk1', 'clerk');
      assert.ok((await f.ris.examNotes.list(clerk, referred)).length > 0);
      await assert.rejects(
        f.ris.examNotes.add(clerk, referred, { text: 'x' }),
        isError('forbidden', /exam-note.write/),
      );
      await assert.rejects(
        f.ris.examNotes.list(as('res1', 'researcher'), referred),
        isError('forbidden', /order.read/),
      );
      const referrer = as('dr-ref', 'referring-physician');
      assert.ok((await f.ris.examNotes.list(referrer, referred)).length > 0);
      await assert.rejects(f.ris.examNotes.list(referrer, other), isError('not-found', /order/));
      await assert.rejects(
        f.ris.examNotes.add(referrer, referred, { text: 'x' }),
        isError('forbidden', /exam-note.write/),
      );
    });

    test('audited: each add and list with the patient and study, failures too', async () => {
      const order = await f.ris.orders.get(f.ctx, referred);
      await f.ris.examNotes.add(tech, referred, { text: 'Patient could not hold breath.' });
      await f.ris.examNotes.list(reader, referred);
      await assert.rejects(f.ris.examNotes.add(tech, referred, { text: '' }));
      const rows = await t.database.kysely
        .selectFrom('audit_event')
        .select(['action', 'outcome', 'actor_id', 'patient_id', 'study_instance_uid'])
        .where('action', 'like', 'exam-note.%')
        .orderBy('seq', 'desc')
        .limit(3)
        .execute();
      assert.deepEqual(
        rows.reverse().map((r) => [r.action, r.outcome, r.actor_id]),
        [
          ['exam-note.add', 'success', 'tech1'],
          ['exam-note.list', 'success', 'reader1'],
          ['exam-note.add', 'failure', 'tech1'],
        ],
      );
      assert.equal(rows[0]!.patient_id, 'NOTE-1');
      assert.equal(rows[0]!.study_instance_uid, order.studyInstanceUid);
    });
  });
}
