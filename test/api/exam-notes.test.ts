// The technologist's exam notes over the REST API against `lantern serve`: a technologist adds notes (one
// correcting another), a radiologist reads them with their authors, a clerk may read but not write, and an
// unknown exam or an empty note get problem+json answers the UI can show.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { assertProblem, restClient, userSession, type Problem } from '../support/rest-client.js';

interface Note {
  id: number;
  orderId: number;
  text: string;
  correctsNoteId: number | null;
  author: { kind: string; id: string };
  createdAt: string;
}

let dataDir: string;
let server: RunningLantern;
let orderId: number;
const sessions: Record<string, Record<string, string>> = {};
const as = (who: string) =>
  restClient(
    () => `${server.httpUrl}/api`,
    () => sessions[who] ?? server.auth,
  );

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-exam-notes-'));
  server = await startServe({ LANTERN_DATA_DIR: dataDir });
  const admin = as('admin');
  const patient = await admin<{ id: number }>('POST', '/patients', {
    patientId: 'NOTE-1',
    issuerOfPatientId: 'HOSP',
    name: 'Note^Nora',
    birthDate: '19700101',
    sex: 'F',
  });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  const procedure = await admin<{ id: number }>('POST', '/procedures', {
    code: 'CT-ABD-W',
    codingScheme: '99LANTERN',
    meaning: 'CT Abdomen with contrast',
    modality: 'CT',
    durationMinutes: 20,
  });
  assert.equal(procedure.status, 201, JSON.stringify(procedure.body));
  const order = await admin<{ id: number }>('POST', '/orders', {
    patientRef: patient.body.id,
    procedureId: procedure.body.id,
  });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  orderId = order.body.id;
  for (const [who, role] of [
    ['tech1', 'technologist'],
    ['reader1', 'radiologist'],
    ['desk1', 'clerk'],
  ] as const)
    sessions[who] = (await userSession(server, who, [role])).headers;
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('a technologist adds notes, a correction names the note it corrects; the radiologist reads them in order', async () => {
  const added = await as('tech1')<Note>('POST', `/orders/${orderId}/notes`, {
    text: 'Contrast given: 80 ml IV.',
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.deepEqual(added.body.author, { kind: 'user', id: 'tech1' });
  assert.equal(added.body.orderId, orderId);
  const corrected = await as('tech1')<Note>('POST', `/orders/${orderId}/notes`, {
    text: 'Contrast given: 100 ml IV, not 80.',
    correctsNoteId: added.body.id,
  });
  assert.equal(corrected.status, 201, JSON.stringify(corrected.body));

  const listed = await as('reader1')<{ notes: Note[] }>('GET', `/orders/${orderId}/notes`);
  assert.equal(listed.status, 200);
  assert.deepEqual(
    listed.body.notes.map((n) => [n.text, n.author.id, n.correctsNoteId]),
    [
      ['Contrast given: 80 ml IV.', 'tech1', null],
      ['Contrast given: 100 ml IV, not 80.', 'tech1', added.body.id],
    ],
  );
  assert.ok(listed.body.notes.every((n) => !Number.isNaN(Date.parse(n.createdAt))));
  // The clerk reads what is on the exam.
  const clerkReads = await as('desk1')<{ notes: Note[] }>('GET', `/orders/${orderId}/notes`);
  assert.equal(clerkReads.status, 200);
  assert.equal(clerkReads.body.notes.length, 2);
});

test('refused: a clerk may not write (403), an unknown exam is 404, an empty note is 400; nothing is added', async () => {
  const count = async () =>
    (await as('reader1')<{ notes: Note[] }>('GET', `/orders/${orderId}/notes`)).body.notes.length;
  const before = await count();
  assertProblem(
    await as('desk1')<Problem>('POST', `/orders/${orderId}/notes`, { text: 'Patient arrived late.' }),
    403,
    /exam-note\.write/,
  );
  assertProblem(await as('tech1')<Problem>('GET', '/orders/999999/notes'), 404, /order 999999/);
  assertProblem(
    await as('tech1')<Problem>('POST', '/orders/999999/notes', { text: 'x' }),
    404,
    /order 999999/,
  );
  assertProblem(await as('tech1')<Problem>('POST', `/orders/${orderId}/notes`, { text: '' }), 400, /text/);
  assertProblem(
    await as('tech1')<Problem>('POST', `/orders/${orderId}/notes`, { text: '   ' }),
    400,
    /needs text/,
  );
  assert.equal(await count(), before);
});
