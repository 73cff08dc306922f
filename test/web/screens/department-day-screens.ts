// The department's day in the web UI, end to end in headless Chromium against `lantern serve` with
// authentication on, as the users of each role: the clerk registers a patient, places an order and books it,
// reschedules it by drag on the calendar (a conflict shows the server's reason) and reconciles an unmatched
// study; the technologist performs the exam and writes a note on it; images arrive by storescu; the radiologist
// reads beside the prior and the technologist's note, writes from the procedure's template, signs, records a
// critical result and adds an addendum. A test run alone (--test-name-pattern) makes what earlier tests would
// have left over REST first. Screenshots go to test/web/screenshots/. Needs `npm run build:web` (web/dist).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSyntheticStudy } from '../../support/synthetic-ct.js';
import { screenshot } from '../web-browser.js';
import { PASSWORD, refreshUntil, web } from '../web-session.js';

// What the day's tests hand on; each test makes what it needs over REST when run alone.
let accession = '';
let orderId = 0;
let secondOrder = { id: 0, accession: '' };
let priorStored = false;
const NOTE = 'Contrast 80 ml IV. Series 3 repeated: the patient could not hold his breath.';

interface OrderRow {
  id: number;
  patientRef: number;
  accessionNumber: string;
  status: string;
  procedure: { id: number };
  steps: { scheduledStart: string | null }[];
}

/** The CT procedure of the starter catalogue and today's free CT slots. */
async function freeSlots(procedureId: number): Promise<string[]> {
  const today = new Date().toISOString().slice(0, 10);
  const { slots } = await web.api<{ slots: { start: string; available: boolean }[] }>(
    'GET',
    `/api/resources/${web.ctRoomId}/slots?date=${today}&procedureId=${procedureId}`,
  );
  return slots.filter((s) => s.available).map((s) => s.start);
}

/** The front desk's booked order (the first test makes it through the UI). */
async function bookedOrder(): Promise<OrderRow> {
  if (!accession) {
    const patient = await web.api<{ id: number }>('POST', '/api/patients', {
      patientId: 'WEB-NEW-1',
      name: 'NEWMAN^Nora',
      birthDate: '19750403',
      sex: 'F',
    });
    const { procedures } = await web.api<{ procedures: { id: number; modality: string }[] }>(
      'GET',
      '/api/procedures',
    );
    const ct = procedures.find((p) => p.modality === 'CT')!;
    const placed = await web.api<OrderRow>('POST', '/api/orders', {
      patientRef: patient.id,
      procedureId: ct.id,
      reason: 'cough for 3 weeks',
    });
    await web.api('POST', '/api/bookings', {
      orderId: placed.id,
      resourceId: web.ctRoomId,
      start: (await freeSlots(ct.id))[0],
    });
    accession = placed.accessionNumber;
  }
  const { orders } = await web.api<{ orders: OrderRow[] }>('GET', `/api/orders?accessionNumber=${accession}`);
  orderId = orders[0]!.id;
  return orders[0]!;
}

/** A second order of the same patient, booked two free slots later (the schedule test makes it). */
async function followUpOrder(): Promise<void> {
  if (secondOrder.id) return;
  const first = await bookedOrder();
  const placed = await web.api<OrderRow>('POST', '/api/orders', {
    patientRef: first.patientRef,
    procedureId: first.procedure.id,
    reason: 'follow-up',
  });
  const open = await freeSlots(first.procedure.id);
  assert.ok(open.length >= 6, 'free slots left today');
  await web.api('POST', '/api/bookings', { orderId: placed.id, resourceId: web.ctRoomId, start: open[1] });
  secondOrder = { id: placed.id, accession: placed.accessionNumber };
}

/** The patient's study of 2024, whose accession number no order has: the prior when reading. */
async function storePriorStudy(): Promise<void> {
  const folder = join(web.dataDir, 'unmatched');
  await writeSyntheticStudy(folder, {
    series: 1,
    instancesPerSeries: 3,
    rows: 128,
    columns: 128,
    seed: 41,
    patientId: 'WEB-NEW-1',
    patientName: 'NEWMAN^Nora',
    studyDate: '20240105',
    accessionNumber: 'NO-SUCH-ACC',
  });
  await web.storescu(folder);
  priorStored = true;
}

/** The technologist's part, over REST as tech1: the exam performed and the note written. */
async function performedExam(): Promise<void> {
  const order = await bookedOrder();
  if (order.status === 'completed') return;
  const login = await fetch(`${web.server.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'tech1', password: PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const asTech = (path: string, body: unknown) =>
    fetch(`${web.server.httpUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => assert.ok(r.ok, `${path}: ${r.status}`));
  for (const to of ['arrived', 'in-progress', 'completed'])
    await asTech(`/api/orders/${order.id}/transitions`, { to });
  await asTech(`/api/orders/${order.id}/notes`, { text: NOTE });
}

test('front desk: the clerk registers a patient, places an order and books a slot', async () => {
  const { page } = web;
  await web.logInAs('clerk');
  await page.getByRole('link', { name: 'Front desk' }).click();
  await page.getByRole('button', { name: 'Register new…' }).click();
  const form = page.getByRole('form', { name: 'Register patient' });
  await form.getByLabel('Patient ID (MRN)').fill('WEB-NEW-1');
  await form.getByLabel('Family name').fill('NEWMAN');
  await form.getByLabel('Given name').fill('Nora');
  await form.getByLabel('Birth date').fill('1975-04-03');
  await form.getByLabel('Sex').selectOption('F');
  await form.getByRole('button', { name: 'Register' }).click();
  const order = page.getByRole('form', { name: 'Place order' });
  const procedure = order.getByLabel('Procedure');
  await procedure.locator('option', { hasText: 'CT' }).first().waitFor({ state: 'attached' });
  const value = await procedure.locator('option', { hasText: /^CT ·/ }).first().getAttribute('value');
  await procedure.selectOption(value!);
  await order.getByLabel('Reason').fill('cough for 3 weeks');
  await order.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('heading', { name: '3. Booking' }).waitFor();
  accession = /Order (\S+):/.exec(await page.locator('.panel', { hasText: '3. Booking' }).innerText())![1]!;
  await page.getByLabel('Slots').getByRole('button').and(page.locator(':enabled')).first().click();
  await page.getByRole('status').filter({ hasText: 'Booked' }).waitFor();
  await screenshot(page, '06-front-desk');
});

test('schedule: dragging an exam onto a taken slot shows the conflict; onto a free one reschedules it', async () => {
  const { page } = web;
  await bookedOrder();
  await followUpOrder();
  await web.logInAs('clerk');
  await page.getByRole('link', { name: 'Schedule' }).click();
  const exam = page.locator(`.calendar-exam[data-accession="${accession}"]`);
  await exam.waitFor();
  const other = page.locator(`.calendar-exam[data-accession="${secondOrder.accession}"]`);
  await other.waitFor();
  const slots = page.getByTestId('calendar-slot');
  await exam.dragTo(slots.filter({ has: other }));
  const conflict = page.getByRole('alert').filter({ hasText: /conflict/i });
  await conflict.waitFor();
  await screenshot(page, '07-schedule-conflict');
  const free = slots.and(page.locator('[data-available=true]'));
  const target = (await free.nth(3).getAttribute('data-start'))!;
  await exam.dragTo(free.nth(3));
  await page
    .getByRole('status')
    .filter({ hasText: `${accession} moved to` })
    .waitFor();
  await page.locator(`[data-start="${target}"] .calendar-exam[data-accession="${accession}"]`).waitFor();
  const order = await web.api<{ steps: { scheduledStart: string }[] }>('GET', `/api/orders/${orderId}`);
  assert.equal(new Date(order.steps[0]!.scheduledStart).getTime(), new Date(target).getTime());
  await screenshot(page, '08-schedule');
});

test('unmatched studies: a study with an unknown accession number is reconciled to its order', async () => {
  const { page } = web;
  await followUpOrder();
  await storePriorStudy();
  await web.logInAs('clerk');
  await page.getByRole('link', { name: 'Unmatched' }).click();
  const row = page.locator('[data-testid=unmatched-table] tr', { hasText: 'NO-SUCH-ACC' });
  await refreshUntil(
    () => page.getByRole('button', { name: 'Refresh' }).click(),
    () => row.isVisible(),
  );
  await screenshot(page, '09-unmatched-queue');
  await row.getByRole('button', { name: 'Reconcile…' }).click();
  const candidate = page.locator(`.candidates li[data-accession="${secondOrder.accession}"]`);
  await candidate.getByRole('button', { name: 'Link to this order' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `linked to order ${secondOrder.accession}` })
    .waitFor();
  await row.waitFor({ state: 'detached' });
  const { studies } = await web.api<{ studies: unknown[] }>('GET', `/api/orders/${secondOrder.id}/studies`);
  assert.equal(studies.length, 1);
});

test("technologist: the booked exam is on today's worklist; start and complete it", async () => {
  const { page } = web;
  await bookedOrder();
  await web.logInAs('technologist');
  await page.getByRole('link', { name: 'Technologist' }).click();
  const row = page.locator(`tr[data-accession="${accession}"]`);
  await row.getByTestId('status').filter({ hasText: 'scheduled' }).waitFor();
  // The patient's name comes from the patient API after the row.
  await row.filter({ hasText: 'NEWMAN, Nora' }).waitFor();
  await row.getByRole('button', { name: 'Arrived' }).click();
  await row.getByTestId('status').filter({ hasText: 'arrived' }).waitFor();
  await row.getByRole('button', { name: 'Start' }).click();
  await row.getByTestId('status').filter({ hasText: 'in-progress' }).waitFor();
  // A note for the reader, and a correction of it: a new note naming the first (notes are never edited).
  await row.getByRole('button', { name: 'Notes' }).click();
  const notes = page.getByRole('region', { name: `Notes on ${accession}` });
  await notes.getByText('No notes on this exam.').waitFor();
  await notes.getByLabel('New note').fill('Contrast 80 ml IV. Series 4 repeated.');
  await notes.getByRole('button', { name: 'Add note' }).click();
  const listed = notes.getByTestId('exam-notes').locator('li');
  await listed.filter({ hasText: 'Series 4 repeated.' }).waitFor();
  await listed.getByRole('button', { name: 'Correct…' }).click();
  await notes.getByLabel('Correction of note 1').fill(NOTE);
  await notes.getByRole('button', { name: 'Add note' }).click();
  await listed.filter({ hasText: 'corrects note 1' }).filter({ hasText: 'tech1' }).waitFor();
  assert.equal(await listed.count(), 2);
  await screenshot(page, '10-technologist-worklist');
  await row.getByRole('button', { name: 'Complete' }).click();
  await row.getByTestId('status').filter({ hasText: 'completed' }).waitFor();
  const saved = await web.api<{
    notes: { text: string; author: { id: string }; correctsNoteId: number | null }[];
  }>('GET', `/api/orders/${orderId}/notes`);
  assert.deepEqual(
    saved.notes.map((n) => [n.text, n.author.id, n.correctsNoteId !== null]),
    [
      ['Contrast 80 ml IV. Series 4 repeated.', 'tech1', false],
      [NOTE, 'tech1', true],
    ],
  );
});

test('radiologist: reads beside the prior, writes from the template, signs, records a critical result, adds an addendum', async () => {
  const { page } = web;
  await performedExam();
  if (!priorStored) await storePriorStudy();
  const order = await web.api<{ studyInstanceUid: string; procedure: { id: number } }>(
    'GET',
    `/api/orders/${orderId}`,
  );
  await web.api('POST', '/api/report-templates', {
    procedureId: order.procedure.id,
    name: 'CT chest standard',
    sections: [
      { title: 'Findings', text: 'Lungs: clear.' },
      { title: 'Impression', text: '' },
    ],
  });
  await web.api('POST', '/api/report-templates', {
    name: 'Any exam',
    sections: [{ title: 'Report', text: '' }],
  });
  const folder = join(web.dataDir, 'order-images');
  await writeSyntheticStudy(folder, {
    series: 1,
    instancesPerSeries: 4,
    rows: 128,
    columns: 128,
    seed: 31,
    patientId: 'WEB-NEW-1',
    patientName: 'NEWMAN^Nora',
    studyInstanceUid: order.studyInstanceUid,
    accessionNumber: accession,
  });
  await web.storescu(folder);
  await web.logInAs('radiologist');
  await page.getByRole('link', { name: 'Reading' }).click();
  const row = page.locator('[data-testid=reading-worklist] tr', { hasText: accession });
  await row.getByRole('button', { name: 'Read' }).click();
  await page.getByTestId('image-index').filter({ hasText: 'Im 1 / 4' }).waitFor();
  // What the technologist wrote is beside the report, with who wrote it.
  const notes = page.getByRole('region', { name: "Technologist's notes" });
  await notes
    .getByTestId('exam-notes')
    .locator('li')
    .filter({ hasText: NOTE })
    .filter({ hasText: 'tech1' })
    .waitFor();

  // The prior (the reconciled study of 2024) opens in the viewer, and back.
  const prior = page.getByTestId('priors').getByRole('button', { name: /^2024-01-05 · CT/ });
  await prior.click();
  await page.getByTestId('image-index').filter({ hasText: 'Im 1 / 3' }).waitFor();
  await screenshot(page, '11-reading-prior');
  await page.getByRole('button', { name: '‹ Back to the study being read' }).click();
  await page.getByTestId('image-index').filter({ hasText: 'Im 1 / 4' }).waitFor();

  // The procedure's own template is offered first.
  const template = page.getByLabel('Template');
  assert.equal(await template.locator('option:checked').innerText(), 'CT chest standard');
  await page.getByRole('button', { name: 'Start from template' }).click();
  const findings = page.getByLabel('Findings');
  assert.equal(await findings.inputValue(), 'Lungs: clear.');
  await findings.fill('Lungs: clear. No effusion. 9 mm nodule right lower lobe.');
  await page.getByLabel('Impression').fill('Indeterminate nodule; follow-up CT in 3 months.');
  // The radiologist signs as the logged-in user: no name to type, the account's shown.
  await page.getByTestId('signing-as').filter({ hasText: 'Signing as Dr Rad One' }).waitFor();
  assert.equal(await page.getByLabel('Signed by').count(), 0);
  await page.getByRole('button', { name: 'Sign final' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'final' }).waitFor();

  await page.getByRole('button', { name: 'Record critical result…' }).click();
  const critical = page.getByRole('form', { name: 'Record critical result' });
  await critical.getByLabel('Finding').fill('Pulmonary nodule needing follow-up');
  await critical.getByLabel('Notified person').fill('Dr Referrer');
  await critical.getByLabel('Their role').fill('referring physician');
  await critical.getByLabel('How').selectOption('phone');
  await critical.getByRole('button', { name: 'Record' }).click();
  await page.getByTestId('critical-results').filter({ hasText: 'told Dr Referrer' }).waitFor();

  await page.getByLabel('Addendum text').fill('Compared with the prior of 2024: the nodule is new.');
  await page.getByLabel('Reason for change').fill('prior compared');
  await page.getByRole('button', { name: 'Add addendum' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'addendum · draft' }).waitFor();
  await page.getByRole('button', { name: 'Sign final' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'addendum · final' }).waitFor();
  await screenshot(page, '12-reading-report');
  const report = await web.api<{
    current: { status: string; kind: string; signer: { id: string; name: string } };
    versions: { sections: { text: string }[] }[];
    criticalResults: { finding: string; method: string }[];
  }>('GET', `/api/orders/${orderId}/report`);
  assert.equal(report.current.status, 'final');
  assert.equal(report.current.kind, 'addendum');
  assert.deepEqual(report.current.signer, { id: 'rad1', name: 'Dr Rad One' });
  assert.equal(report.versions.length, 2);
  assert.equal(report.versions[0]!.sections[1]!.text, 'Indeterminate nodule; follow-up CT in 3 months.');
  assert.deepEqual(
    report.criticalResults.map((c) => [c.finding, c.method]),
    [['Pulmonary nodule needing follow-up', 'phone']],
  );
  assert.deepEqual(web.pageErrors, []);
});
