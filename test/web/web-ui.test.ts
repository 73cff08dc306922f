// The web UI end to end in headless Chromium against `lantern serve` with authentication on. Users of every
// role are created over REST with the test administrator key and log in through the login screen; each sees its
// own navigation. The department's day runs as those users: the clerk registers, orders, books and reschedules
// (drag on the calendar, a conflict shows the server's reason) and reconciles an unmatched study; the
// technologist performs the exam; images arrive by storescu; the radiologist reads (stack scroll, window/level
// changes the pixels, length/angle/ROI, multi-frame cine, priors), writes from the procedure's template, signs,
// records a critical result and adds an addendum. The administrator creates a user (who must change the one-time
// password at first login), disables and resets, tests a DICOM node, replays an HL7 message and reads the
// settings; the auditor filters the audit trail. Session expiry (refresh cookie, then back to login with a
// message) and login through an OpenID provider are checked too. Screenshots of each screen, at 1366×768 and at
// 3840×2160, go to test/web/screenshots/. Needs `npm run build:web` first (web/dist) and Debian's chromium.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { runTool } from '../support/dcmtk.js';
import { startServe, type RunningLantern } from '../support/lantern-server.js';
import { writeSyntheticStudy } from '../support/synthetic-ct.js';
import { writeMultiFrameInstance } from './multiframe.js';
import { startOidcProvider, type TestOidcProvider } from './oidc-provider.js';
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
const FRAMES = 6;
const PASSWORD = 'Blue-Harbor-4417';

// One user per role, and the screens its navigation must show (web/src/shell/screens.ts).
const USERS = {
  administrator: {
    username: 'admin1',
    screens: [
      'Studies',
      'Front desk',
      'Schedule',
      'Unmatched',
      'Technologist',
      'Reading',
      'Administration',
      'Audit',
    ],
  },
  radiologist: { username: 'rad1', screens: ['Studies', 'Reading'] },
  technologist: { username: 'tech1', screens: ['Studies', 'Technologist'] },
  clerk: { username: 'clerk1', screens: ['Front desk', 'Schedule', 'Unmatched'] },
  'referring-physician': { username: 'refer1', screens: ['Studies'] },
  researcher: { username: 'research1', screens: ['Studies'] },
  auditor: { username: 'audit1', screens: ['Audit'] },
} as const;

let dataDir: string;
let server: RunningLantern;
let oidc: TestOidcProvider;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let ctRoomId = 0;

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

/** A REST call as the test administrator (API key). */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: { ...server.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** One HL7 v2 message over MLLP; resolves with the ACK's text. */
function sendHl7(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.hl7Port, '127.0.0.1', () => {
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message), Buffer.from([0x1c, 0x0d])]));
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\x1c\r')) {
        socket.end();
        resolve(answer.replaceAll('\x0b', '').replaceAll('\x1c', '')); // MLLP start and end bytes
      }
    });
    socket.on('error', reject);
  });
}

async function navLabels(page: Page): Promise<string[]> {
  return page.locator('nav[aria-label=Screens] a').allInnerTexts();
}

async function logIn(username: string, password = PASSWORD): Promise<void> {
  const form = page.getByRole('form', { name: 'Log in' });
  await form.waitFor();
  await form.getByLabel('User name').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in', exact: true }).click();
}

async function logInAs(role: keyof typeof USERS): Promise<void> {
  if (page.url() === 'about:blank') await page.goto('/'); // a test run on its own (--test-name-pattern)
  if (await page.getByRole('button', { name: 'Log out' }).isVisible()) await logOut();
  await logIn(USERS[role].username);
  await page.getByTestId('who').filter({ hasText: USERS[role].username }).waitFor();
}

async function logOut(): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('form', { name: 'Log in' }).waitFor();
}

/** Clicks Refresh until `locator` shows (the server links studies a moment after they arrive). */
async function refreshUntil(
  refresh: () => Promise<void>,
  visible: () => Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await visible())) {
    if (Date.now() > until) throw new Error('gave up waiting after refreshing');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await refresh();
  }
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
  await writeMultiFrameInstance(join(incoming, 'd'), {
    frames: FRAMES,
    rows: 128,
    columns: 128,
    seed: 24,
    patientId: 'WEB-4',
    patientName: 'CINE^DELTA',
  });
  oidc = await startOidcProvider({ username: 'oidc-reader', roles: ['radiologist'] });
  server = await startServe({
    LANTERN_DATA_DIR: dataDir,
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_DICOM_UNKNOWN_AE_PERMISSIONS: 'echo,store,query',
    LANTERN_RIS_STUDY_STABLE_SECONDS: '1',
    LANTERN_SECURITY_OIDC_ISSUER: oidc.issuer,
    LANTERN_SECURITY_OIDC_AUDIENCE: oidc.clientId,
  });
  await storescu(incoming);
  for (const [role, user] of Object.entries(USERS)) {
    await api('POST', '/api/users', { username: user.username, roles: [role], password: PASSWORD });
  }
  // The catalogue and a CT room open all day, every day, so a slot is free whenever the test runs.
  await api('POST', '/api/procedures/defaults');
  ({ id: ctRoomId } = await api<{ id: number }>('POST', '/api/resources', {
    name: 'CT room 1',
    aeTitle: 'CT1',
    modality: 'CT',
    timeZone: 'UTC',
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '23:59' })),
  }));
  await api('PUT', '/api/aes/LANTERN', { host: '127.0.0.1', port: server.dicomPort, permissions: ['echo'] });
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await openPage(browser, server.httpUrl));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await oidc?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('the server serves the UI: pages fall back to index.html, assets have types, doors keep their 404s', async () => {
  const html = await fetch(`${server.httpUrl}/viewer/1.2.3`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
  const text = await html.text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(text)?.[1];
  assert.ok(script, text);
  const asset = await fetch(`${server.httpUrl}${script}`);
  assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await fetch(`${server.httpUrl}/api/nothing-here`, { headers: server.auth })).status, 404);
  assert.equal((await fetch(`${server.httpUrl}/api/studies`)).status, 401, 'the APIs need credentials');
  // The login screen asks, before anyone is logged in, whether an OpenID provider is configured.
  const provider = await fetch(`${server.httpUrl}/api/auth/oidc`);
  assert.deepEqual(await provider.json(), { configured: true, issuer: oidc.issuer, clientId: oidc.clientId });
  assert.equal((await fetch(`${server.httpUrl}/assets/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.httpUrl}/assets/..%2f..%2fpackage.json`)).status, 404);
});

test('login: a wrong password is refused plainly; each role logs in and sees its own navigation', async () => {
  await page.goto('/');
  await logIn('rad1', 'not-the-password-1');
  await page.getByRole('alert').filter({ hasText: 'Login failed' }).waitFor();
  await screenshot(page, '00-login-refused');
  for (const [role, user] of Object.entries(USERS)) {
    await logIn(user.username);
    await page
      .getByTestId('who')
      .filter({ hasText: `(${role})` })
      .waitFor();
    assert.deepEqual(await navLabels(page), [...user.screens], `navigation of ${role}`);
    // The first screen of the role opens by itself.
    await page.locator('main h1').first().waitFor();
    await screenshot(page, `00-home-${role}`);
    await logOut();
  }
});

test('study browser: search with a total, study → series → instances with thumbnails', async () => {
  await logInAs('radiologist');
  await page.getByRole('link', { name: 'Studies', exact: true }).click();
  await page.getByTestId('total').filter({ hasText: 'of 4' }).waitFor();
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

async function openInViewer(patientName: string): Promise<number> {
  await page.getByRole('link', { name: 'Studies', exact: true }).click();
  await page.getByLabel('Patient name').fill(patientName);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('total').filter({ hasText: 'of 1' }).waitFor();
  const opened = Date.now();
  await page.getByRole('link', { name: 'View' }).click();
  return opened;
}

function viewportCentre(box: { x: number; y: number; width: number; height: number }) {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test('viewer: first image, stack scroll, window/level changes the pixels, zoom, invert, reset', async () => {
  const opened = await openInViewer('WEBB^ALPHA');
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
  const centre = viewportCentre((await viewport.boundingBox())!);
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

  // Zoom in with the keyboard, invert, then reset brings back the first view.
  const overlay = page.locator('.overlay.bottom-left');
  await viewport.focus();
  await page.keyboard.press('+');
  await overlay.filter({ hasText: /Zoom 1\.2\d×/ }).waitFor();
  const upright = await canvasFingerprint(page);
  await page.getByRole('button', { name: 'Invert' }).click();
  await overlay.filter({ hasText: 'inverted' }).waitFor();
  await waitForCanvas(page, (print) => print.sum !== upright.sum);
  await page.getByRole('button', { name: 'Reset' }).click();
  await overlay
    .filter({ hasText: /Zoom 1\.00×(?! · inverted)/ })
    .waitFor()
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\noverlay: ${await overlay.innerText()}`);
    });
  console.log(`first image shown ${firstImageMs} ms after opening the viewer`);
});

test('viewer: length, elliptical ROI and angle measurements with their values', async () => {
  const viewport = page.getByTestId('viewport');
  const centre = viewportCentre((await viewport.boundingBox())!);
  await page.getByRole('button', { name: 'Length' }).click();
  await page.mouse.move(centre.x - 80, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 80, centre.y, { steps: 8 });
  await page.mouse.up();
  const measurements = page.getByTestId('measurements').locator('li');
  const length = measurements.filter({ hasText: /^Length [\d.]+ mm/ });
  await length.waitFor();
  const mm = Number(/Length ([\d.]+) mm/.exec(await length.innerText())?.[1]);
  assert.ok(mm > 1, `length ${mm}`);

  await page.getByRole('button', { name: 'ROI' }).click();
  await page.mouse.move(centre.x - 50, centre.y - 50);
  await page.mouse.down();
  await page.mouse.move(centre.x + 10, centre.y - 10, { steps: 6 });
  await page.mouse.up();
  const roi = measurements.filter({ hasText: /^ROI area [\d.]+ \S+, mean -?[\d.]+/ });
  await roi.waitFor().catch(async (error: Error) => {
    throw new Error(`${error.message}\nmeasurements: ${(await measurements.allInnerTexts()).join(' | ')}`);
  });
  // Angle last: Cornerstone's angle tool keeps its last point in hand until the next tool's drag.
  // Drag the first arm, then click where the second ends.
  await page.getByRole('button', { name: 'Angle' }).click();
  await page.mouse.move(centre.x - 60, centre.y + 60);
  await page.mouse.down();
  await page.mouse.move(centre.x, centre.y + 60, { steps: 6 });
  await page.mouse.up();
  await page.mouse.move(centre.x, centre.y, { steps: 6 });
  await page.mouse.click(centre.x, centre.y);
  const angle = measurements.filter({ hasText: /^Angle [\d.]+°/ });
  await angle.waitFor();
  const degrees = Number(/Angle ([\d.]+)°/.exec(await angle.innerText())?.[1]);
  // A right angle on the screen (square pixels).
  assert.ok(Math.abs(degrees - 90) < 5, `a right angle was drawn, measured ${degrees}°`);

  console.log(
    `measured: ${mm} mm; ${degrees}°; ${await roi.innerText()} (${await measurements.count()} measurements)`,
  );
  await screenshot(page, '04-viewer-measurements');
});

test('viewer: a multi-frame image plays as cine, pauses, and takes a frame rate', async () => {
  await openInViewer('CINE^DELTA');
  const index = page.getByTestId('image-index');
  await index.filter({ hasText: `Im 1 / ${FRAMES}` }).waitFor();
  await page.locator('.overlay.bottom-right').waitFor({ state: 'detached' }); // every frame loaded
  await page.getByLabel('Frames per second').selectOption('30');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('.overlay.bottom-left').filter({ hasText: 'cine 30 fps' }).waitFor();
  const seen = new Set<string>();
  const until = Date.now() + 10_000;
  while (seen.size < 3 && Date.now() < until) seen.add(await index.innerText());
  assert.ok(seen.size >= 3, `cine moved through the frames: ${[...seen].join(', ')}`);
  await screenshot(page, '05-viewer-cine');
  await page.getByRole('button', { name: 'Pause' }).click();
  const stopped = await index.innerText();
  await page.waitForTimeout(300);
  assert.equal(await index.innerText(), stopped, 'the frame stays put after Pause');
});

let accession = '';
let orderId = 0;
let secondOrder = { id: 0, accession: '' };

test('front desk: the clerk registers a patient, places an order and books a slot', async () => {
  await logInAs('clerk');
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
  const { orders } = await api<{ orders: { id: number; patientRef: number; procedure: { id: number } }[] }>(
    'GET',
    `/api/orders?accessionNumber=${accession}`,
  );
  const first = orders[0]!;
  orderId = first.id;
  // A second order of the same patient, booked two free slots later, to collide with.
  const placed = await api<{ id: number; accessionNumber: string }>('POST', '/api/orders', {
    patientRef: first.patientRef,
    procedureId: first.procedure.id,
    reason: 'follow-up',
  });
  const today = new Date().toISOString().slice(0, 10);
  const { slots: daySlots } = await api<{ slots: { start: string; available: boolean }[] }>(
    'GET',
    `/api/resources/${ctRoomId}/slots?date=${today}&procedureId=${first.procedure.id}`,
  );
  const open = daySlots.filter((s) => s.available);
  assert.ok(open.length >= 6, 'free slots left today');
  await api('POST', '/api/bookings', { orderId: placed.id, resourceId: ctRoomId, start: open[1]!.start });
  secondOrder = { id: placed.id, accession: placed.accessionNumber };

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
  const order = await api<{ steps: { scheduledStart: string }[] }>('GET', `/api/orders/${orderId}`);
  assert.equal(new Date(order.steps[0]!.scheduledStart).getTime(), new Date(target).getTime());
  await screenshot(page, '08-schedule');
});

test('unmatched studies: a study with an unknown accession number is reconciled to its order', async () => {
  const folder = join(dataDir, 'unmatched');
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
  await storescu(folder);
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
  const { studies } = await api<{ studies: unknown[] }>('GET', `/api/orders/${secondOrder.id}/studies`);
  assert.equal(studies.length, 1);
});

test("technologist: the booked exam is on today's worklist; start and complete it", async () => {
  await logInAs('technologist');
  await page.getByRole('link', { name: 'Technologist' }).click();
  const row = page.locator(`tr[data-accession="${accession}"]`);
  await row.getByTestId('status').filter({ hasText: 'scheduled' }).waitFor();
  // The patient's name comes from the patient API after the row.
  await row.filter({ hasText: 'NEWMAN, Nora' }).waitFor();
  await row.getByRole('button', { name: 'Arrived' }).click();
  await row.getByTestId('status').filter({ hasText: 'arrived' }).waitFor();
  await row.getByRole('button', { name: 'Start' }).click();
  await row.getByTestId('status').filter({ hasText: 'in-progress' }).waitFor();
  await screenshot(page, '10-technologist-worklist');
  await row.getByRole('button', { name: 'Complete' }).click();
  await row.getByTestId('status').filter({ hasText: 'completed' }).waitFor();
});

test('radiologist: reads beside the prior, writes from the template, signs, records a critical result, adds an addendum', async () => {
  const order = await api<{ studyInstanceUid: string; procedure: { id: number } }>(
    'GET',
    `/api/orders/${orderId}`,
  );
  await api('POST', '/api/report-templates', {
    procedureId: order.procedure.id,
    name: 'CT chest standard',
    sections: [
      { title: 'Findings', text: 'Lungs: clear.' },
      { title: 'Impression', text: '' },
    ],
  });
  await api('POST', '/api/report-templates', {
    name: 'Any exam',
    sections: [{ title: 'Report', text: '' }],
  });
  const folder = join(dataDir, 'order-images');
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
  await storescu(folder);
  await logInAs('radiologist');
  await page.getByRole('link', { name: 'Reading' }).click();
  const row = page.locator('[data-testid=reading-worklist] tr', { hasText: accession });
  await row.getByRole('button', { name: 'Read' }).click();
  await page.getByTestId('image-index').filter({ hasText: 'Im 1 / 4' }).waitFor();

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
  await page.getByLabel('Signed by').fill('Dr Reader');
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
  await page.getByLabel('Signed by').fill('Dr Reader');
  await page.getByRole('button', { name: 'Sign final' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'addendum · final' }).waitFor();
  await screenshot(page, '12-reading-report');
  const report = await api<{
    current: { status: string; kind: string; signer: { name: string } };
    versions: { sections: { text: string }[] }[];
    criticalResults: { finding: string; method: string }[];
  }>('GET', `/api/orders/${orderId}/report`);
  assert.equal(report.current.status, 'final');
  assert.equal(report.current.kind, 'addendum');
  assert.equal(report.versions.length, 2);
  assert.equal(report.versions[0]!.sections[1]!.text, 'Indeterminate nodule; follow-up CT in 3 months.');
  assert.deepEqual(
    report.criticalResults.map((c) => [c.finding, c.method]),
    [['Pulmonary nodule needing follow-up', 'phone']],
  );
});

test('session: an expired access token is renewed by the refresh cookie; without it, back to login with a message', async () => {
  const context = page.context();
  await context.clearCookies({ name: 'lantern_access' });
  await page.getByRole('link', { name: 'Studies', exact: true }).click();
  await page.getByTestId('total').waitFor();
  assert.ok(
    (await context.cookies()).some((c) => c.name === 'lantern_access'),
    'a new access cookie',
  );
  const url = page.url();
  await context.clearCookies();
  await page.getByRole('link', { name: 'Reading' }).click();
  await page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
  assert.notEqual(page.url(), url, 'the app moved on to the reading worklist');
  assert.match(page.url(), /\/reading$/, 'no redirect: the login shows where the user was');
  await screenshot(page, '13-session-ended');
  await logIn('rad1');
  await page.getByTestId('who').filter({ hasText: 'rad1' }).waitFor();
});

test('administration: a new user must change the one-time password; disable and reset', async () => {
  await logInAs('administrator');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'Users' }).click();
  const add = page.getByRole('form', { name: 'Add user' });
  await add.getByLabel('User name').fill('nurse1');
  await add.getByLabel('Display name').fill('Nurse One');
  await add.getByLabel('Role').selectOption('technologist');
  await add.getByRole('button', { name: 'Add user' }).click();
  const notice = page.getByTestId('users-notice');
  await notice.filter({ hasText: 'One-time password' }).waitFor();
  const oneTime = /shown only now\): (\S+)/.exec(await notice.innerText())![1]!;
  await screenshot(page, '14-admin-users');
  await logOut();

  await logIn('nurse1', oneTime);
  const change = page.getByRole('form', { name: 'Change password' });
  await change.waitFor();
  await screenshot(page, '15-change-password');
  await change.getByLabel('Current password', { exact: true }).fill(oneTime);
  await change.getByLabel('New password', { exact: true }).fill('short');
  await change.getByLabel('New password again').fill('short');
  await change.getByRole('button', { name: 'Change password' }).click();
  await change.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
  await change.getByLabel('New password', { exact: true }).fill('Green-Meadow-8812');
  await change.getByLabel('New password again').fill('Green-Meadow-8812');
  await change.getByRole('button', { name: 'Change password' }).click();
  await page.getByTestId('who').filter({ hasText: 'Nurse One' }).waitFor();
  assert.deepEqual(await navLabels(page), ['Studies', 'Technologist']);
  await logOut();

  await logInAs('administrator');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'Users' }).click();
  const nurse = page.locator('[data-testid=users-table] tr[data-username="nurse1"]');
  await nurse.getByRole('button', { name: 'Disable' }).click();
  await nurse.getByTestId('user-state').filter({ hasText: 'disabled' }).waitFor();
  await nurse.getByRole('button', { name: 'Reset password' }).click();
  await notice.filter({ hasText: 'Password of nurse1 reset' }).waitFor();
  await nurse.getByTestId('user-state').filter({ hasText: 'must change password' }).waitFor();
  await logOut();
  await logIn('nurse1', 'Green-Meadow-8812');
  await page.getByRole('alert').filter({ hasText: 'Login failed' }).waitFor();
});

test('administration: DICOM node C-ECHO, HL7 message log with replay, settings', async () => {
  const ack = await sendHl7(
    [
      'MSH|^~\\&|EMR|HOSP|LANTERN|RAD|20260101120000||ADT^A04^ADT_A01|WEB-CTRL-1|P|2.5.1',
      'EVN|A04|20260101120000',
      'PID|1||HL7-WEB-1^^^HOSP^MR||HOWARD^Hal||19700101|M',
      'PV1|1|O',
    ].join('\r') + '\r',
  );
  assert.match(ack, /MSA\|AA\|WEB-CTRL-1/);
  await logInAs('administrator');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: 'DICOM nodes' }).click();
  const node = page.locator('[data-testid=ae-table] tr', { hasText: 'LANTERN' });
  await node.getByRole('button', { name: 'C-ECHO' }).click();
  await node.getByTestId('echo-result').waitFor();
  assert.match(await node.getByTestId('echo-result').innerText(), /C-ECHO answered in \d+ ms/);
  await screenshot(page, '16-admin-ae-table');

  await page.getByRole('link', { name: 'HL7' }).click();
  const message = page.locator('[data-testid=hl7-messages] tr[data-control-id="WEB-CTRL-1"]');
  await refreshUntil(
    () => page.getByRole('button', { name: 'Refresh' }).click(),
    () => message.getByTestId('hl7-state').filter({ hasText: 'processed' }).isVisible(),
  );
  await message.getByRole('button', { name: 'Show' }).click();
  await page.getByLabel('Message text').filter({ hasText: 'HOWARD^Hal' }).waitFor();
  await message.getByRole('button', { name: 'Replay' }).click();
  await page.getByRole('status').filter({ hasText: 'queued again' }).waitFor();
  await screenshot(page, '17-admin-hl7');

  await page.getByRole('link', { name: 'Settings' }).click();
  const settings = page.getByTestId('settings-table');
  await settings.locator('tr', { hasText: 'security.authentication' }).filter({ hasText: 'on' }).waitFor();
  assert.match(
    await settings.locator('tr', { hasText: 'security.bootstrapAdminApiKey' }).innerText(),
    /set, hidden/,
  );
  assert.doesNotMatch(await settings.innerText(), /lantern-test-administrator-key/);
  await screenshot(page, '18-admin-settings');
});

test('audit: the auditor filters the trail by action and outcome and finds the refused login', async () => {
  await logInAs('auditor');
  await page.getByRole('link', { name: 'Audit' }).click();
  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action').fill('user.login');
  await filters.getByLabel('Outcome').selectOption('failure');
  await filters.getByRole('button', { name: 'Search' }).click();
  // The unfiltered first page is on screen until the filtered answer replaces it.
  const table = page.locator('[data-testid=audit-table][aria-busy=false]');
  let actions: string[] = [];
  await refreshUntil(
    async () => {},
    async () => {
      actions = await table.getByTestId('audit-action').allInnerTexts();
      return actions.length >= 2 && actions.every((a) => a === 'user.login');
    },
  ).catch(() => assert.fail(`refused logins (rad1, nurse1) only: ${actions.join(', ')}`));
  assert.match(await page.getByTestId('total').innerText(), /of \d+/);
  await screenshot(page, '19-audit');
});

test('OpenID Connect: the login screen offers the provider; its user comes back signed in with its role', async () => {
  await logOut();
  await page.getByRole('button', { name: 'Log in with the hospital identity provider' }).click();
  await page.getByTestId('who').filter({ hasText: 'oidc-reader' }).waitFor();
  assert.deepEqual(await navLabels(page), ['Studies', 'Reading']);
  // Its bearer token reaches the DICOMweb door and the viewer's frames too.
  await openInViewer('WEBB^ALPHA');
  await page
    .getByTestId('image-index')
    .filter({ hasText: `Im 1 / ${SLICES}` })
    .waitFor();
  await waitForCanvas(page, (print) => print.lit > 1000);
  assert.equal(oidc.refusedVerifiers, 0);
  await logOut();
  assert.equal(
    await page.evaluate<string>('JSON.stringify(Object.keys(sessionStorage))'),
    '[]',
    'the token is gone after logout',
  );
});

test('layout: usable on a 1366×768 laptop and on a 3840×2160 reading screen', async () => {
  await logInAs('administrator');
  for (const [width, height] of [
    [1366, 768],
    [3840, 2160],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.getByRole('link', { name: 'Reading' }).click();
    await page.getByTestId('reading-worklist').waitFor();
    await screenshot(page, `20-reading-worklist-${width}x${height}`);
    await openInViewer('WEBB^ALPHA');
    await page
      .getByTestId('image-index')
      .filter({ hasText: `Im 1 / ${SLICES}` })
      .waitFor();
    await waitForCanvas(page, (print) => print.lit > 1000);
    // Nothing spills sideways: the page needs no horizontal scrolling.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `${width}×${height}: ${overflow} px wider than the window`);
    const box = (await page.getByTestId('viewport').boundingBox())!;
    assert.ok(box.width > width * 0.4 && box.height > height * 0.6, `viewport ${box.width}×${box.height}`);
    await screenshot(page, `21-viewer-${width}x${height}`);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  assert.deepEqual(pageErrors, []);
});
