// The web UI end to end in headless Chromium against `lantern serve` (authentication off): images arrive by
// storescu, the study browser finds them with a total, the viewer scrolls, windows and measures, the clerk
// registers, orders and books, the technologist performs the exam, images for the order arrive, the
// radiologist reads and signs, and the AE table's C-ECHO button answers. Screenshots of each screen go to
// test/web/screenshots/. Needs `npm run build:web` first (web/dist) and Debian's chromium.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';
import {
  canvasFingerprint,
  CHROMIUM,
  launchBrowser,
  openPage,
  screenshot,
  waitForCanvas,
} from './web-browser.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));
const SLICES = 12;

let dataDir: string;
let server: RunningLantern;
let browser: Browser;
let page: Page;
let pageErrors: string[];

async function storescu(folder: string): Promise<void> {
  const sent = await runTool('storescu', [
    '-aec',
    'LANTERN',
    '+sd',
    '+r',
    '127.0.0.1',
    String(server.dicomPort),
    folder,
  ]);
  assert.equal(sent.code, 0, sent.stderr);
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

before(async () => {
  assert.ok(existsSync(WEB_DIST), 'web/dist is missing: run `npm run build:web` first');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  dataDir = await mkdtemp(join(tmpdir(), 'lantern-web-'));
  const incoming = join(dataDir, 'incoming');
  const shape = { series: 1, instancesPerSeries: SLICES, rows: 256, columns: 256 };
  await writeSyntheticStudy(join(incoming, 'a'), {
    ...shape,
    seed: 21,
    patientId: 'WEB-1',
    patientName: 'WEBB^ALPHA',
  });
  await writeSyntheticStudy(join(incoming, 'b'), {
    ...shape,
    seed: 22,
    patientId: 'WEB-2',
    patientName: 'WEBB^BETA',
    series: 2,
  });
  await writeSyntheticStudy(join(incoming, 'c'), {
    ...shape,
    seed: 23,
    patientId: 'WEB-3',
    patientName: 'OTHER^GAMMA',
  });
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query',
  });
  await storescu(incoming);
  // The catalogue and a CT room open all day, every day, so a slot is free whenever the test runs.
  await api('POST', '/api/procedures/defaults');
  await api('POST', '/api/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    timeZone: 'UTC',
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '23:59' })),
  });
  await api('PUT', '/api/aes/LANTERN', { host: '127.0.0.1', port: server.dicomPort, permissions: ['echo'] });
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await openPage(browser, server.httpUrl));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('the server serves the UI: pages fall back to index.html, assets have types, doors keep their 404s', async () => {
  const page = await fetch(`${server.httpUrl}/viewer/1.2.3`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, html);
  const asset = await fetch(`${server.httpUrl}${script}`);
  assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await fetch(`${server.httpUrl}/api/nothing-here`)).status, 404);
  assert.equal((await fetch(`${server.httpUrl}/assets/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.httpUrl}/assets/..%2f..%2fpackage.json`)).status, 404);
});

test('study browser: search with a total, study → series → instances with thumbnails', async () => {
  await page.goto('/studies');
  await page.getByTestId('total').filter({ hasText: 'of 3' }).waitFor();
  await page.getByLabel('Patient name').fill('webb');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('total').filter({ hasText: '1–2 of 2' }).waitFor();
  assert.equal(await page.locator('[data-testid=study-table] tbody tr').count(), 2);
  await page.getByRole('button', { name: 'WEBB, BETA' }).click();
  const seriesRows = page.locator('.series-row');
  await seriesRows.first().waitFor();
  assert.equal(await seriesRows.count(), 2);
  await seriesRows.first().click();
  await page
    .locator('[data-testid=instances] img')
    .nth(SLICES - 1)
    .waitFor();
  await page.locator('.series-row img').first().waitFor();
  await screenshot(page, '01-study-browser');
});

test('viewer: first image, stack scroll, window/level changes the pixels, a length in mm', async () => {
  await page.getByLabel('Patient name').fill('WEBB^ALPHA');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('total').filter({ hasText: 'of 1' }).waitFor();
  const opened = Date.now();
  await page.getByRole('link', { name: 'View' }).click();
  const index = page.getByTestId('image-index');
  await index.filter({ hasText: `Im 1 / ${SLICES}` }).waitFor();
  await waitForCanvas(page, (print) => print.lit > 1000);
  const firstImageMs = Date.now() - opened;
  assert.match(await page.getByTestId('overlay-patient').innerText(), /WEBB, ALPHA/);
  await screenshot(page, '02-viewer');

  const viewport = page.getByTestId('viewport');
  await viewport.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await index.filter({ hasText: `Im 3 / ${SLICES}` }).waitFor();
  const box = (await viewport.boundingBox())!;
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.wheel(0, 120);
  await index
    .filter({ hasText: `Im 4 / ${SLICES}` })
    .or(index.filter({ hasText: `Im 2 / ${SLICES}` }))
    .waitFor();

  const before = await canvasFingerprint(page);
  const windowBefore = await page.getByTestId('window-level').innerText();
  await page.getByRole('button', { name: 'Lung' }).click();
  await page.getByTestId('window-level').filter({ hasText: 'W 1500 L -600' }).waitFor();
  await waitForCanvas(page, (print) => print.sum !== before.sum);
  assert.notDeepEqual(await canvasFingerprint(page), before);
  // Dragging with the W/L tool changes the window as well.
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 60, centre.y + 40, { steps: 5 });
  await page.mouse.up();
  assert.notEqual(await page.getByTestId('window-level').innerText(), 'W 1500 L -600');
  assert.notEqual(await page.getByTestId('window-level').innerText(), windowBefore);
  await screenshot(page, '03-viewer-window-level');

  await page.getByRole('button', { name: 'Length' }).click();
  await page.mouse.move(centre.x - 80, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 80, centre.y, { steps: 8 });
  await page.mouse.up();
  const measurement = page.getByTestId('measurements').locator('li').first();
  await measurement.waitFor();
  const text = await measurement.innerText();
  const mm = Number(/Length ([\d.]+) mm/.exec(text)?.[1]);
  assert.ok(mm > 1, text);
  await screenshot(page, '04-viewer-length');
  console.log(`first image shown ${firstImageMs} ms after opening the viewer; length measured ${mm} mm`);
});

let accession = '';

test('front desk: register a patient, place an order, book a slot', async () => {
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
  await screenshot(page, '05-front-desk');
});

test("technologist: the booked exam is on today's worklist; start and complete it", async () => {
  await page.getByRole('link', { name: 'Technologist' }).click();
  const row = page.locator(`tr[data-accession="${accession}"]`);
  await row.getByTestId('status').filter({ hasText: 'scheduled' }).waitFor();
  // The patient's name comes from the patient API after the row.
  await row.filter({ hasText: 'NEWMAN, Nora' }).waitFor();
  await row.getByRole('button', { name: 'Arrived' }).click();
  await row.getByTestId('status').filter({ hasText: 'arrived' }).waitFor();
  await row.getByRole('button', { name: 'Start' }).click();
  await row.getByTestId('status').filter({ hasText: 'in-progress' }).waitFor();
  await screenshot(page, '06-technologist-worklist');
  await row.getByRole('button', { name: 'Complete' }).click();
  await row.getByTestId('status').filter({ hasText: 'completed' }).waitFor();
});

test('radiologist: images of the order arrive by storescu; read, write and sign; the report is final', async () => {
  const { orders } = await api<{ orders: { id: number; studyInstanceUid: string }[] }>(
    'GET',
    `/api/orders?accessionNumber=${accession}`,
  );
  const folder = join(dataDir, 'order-images');
  await writeSyntheticStudy(folder, {
    series: 1,
    instancesPerSeries: 4,
    rows: 128,
    columns: 128,
    seed: 31,
    patientId: 'WEB-NEW-1',
    patientName: 'NEWMAN^Nora',
    studyInstanceUid: orders[0]!.studyInstanceUid,
    accessionNumber: accession,
  });
  await storescu(folder);
  await page.getByRole('link', { name: 'Reading' }).click();
  const row = page.locator('[data-testid=reading-worklist] tr', { hasText: accession });
  await row.getByRole('button', { name: 'Read' }).click();
  await page.getByTestId('image-index').filter({ hasText: 'Im 1 / 4' }).waitFor();
  await page.getByRole('button', { name: 'Start blank draft' }).click();
  await page.getByLabel('Findings').fill('No focal consolidation. No effusion.');
  await page.getByLabel('Impression').fill('Normal chest CT.');
  await page.getByLabel('Signed by').fill('Dr Reader');
  await page.getByRole('button', { name: 'Sign final' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'final' }).waitFor();
  await screenshot(page, '07-reading-report');
  const report = await api<{ current: { status: string; sections: { text: string }[] } }>(
    'GET',
    `/api/orders/${orders[0]!.id}/report`,
  );
  assert.equal(report.current.status, 'final');
  assert.equal(report.current.sections[1]!.text, 'Normal chest CT.');
});

test('administration: the AE table and its C-ECHO button', async () => {
  await page.getByRole('link', { name: 'Administration' }).click();
  const row = page.locator('[data-testid=ae-table] tr', { hasText: 'LANTERN' });
  await row.getByRole('button', { name: 'C-ECHO' }).click();
  await row.getByTestId('echo-result').waitFor();
  assert.match(await row.getByTestId('echo-result').innerText(), /C-ECHO answered in \d+ ms/);
  await screenshot(page, '08-admin-ae-table');
  assert.deepEqual(pageErrors, []);
});
