// The study browser and the diagnostic viewer end to end in headless Chromium against `lantern serve`: search
// with a total, study → series → instances with thumbnails; the viewer's first image, stack scroll by keys and
// wheel, window/level presets and drag (the canvas pixels change), zoom, invert, reset, length/ROI/angle
// measurements with their values, and cine of a multi-frame image. Screenshots go to test/web/screenshots/.
// Needs `npm run build:web` first (web/dist) and Debian's chromium.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canvasFingerprint, screenshot, waitForCanvas } from '../web-browser.js';
import { FRAMES, SLICES, viewportCentre, web } from '../web-session.js';

test('study browser: search with a total, study → series → instances with thumbnails', async () => {
  const { page } = web;
  await web.logInAs('radiologist');
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

test('viewer: first image, stack scroll, window/level changes the pixels, zoom, invert, reset', async () => {
  const { page } = web;
  await web.logInAs('radiologist');
  const opened = await web.openInViewer('WEBB^ALPHA');
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
  const { page } = web;
  await web.logInAs('radiologist');
  // Where the previous test left the viewer, or opened afresh when run alone.
  if (!(await page.getByTestId('overlay-patient').filter({ hasText: 'WEBB, ALPHA' }).isVisible())) {
    await web.viewFirstImage('WEBB^ALPHA');
  }
  await waitForCanvas(page, (print) => print.lit > 1000);
  const viewport = page.getByTestId('viewport');
  const centre = viewportCentre((await viewport.boundingBox())!);
  // An angle left with only its first arm is dropped when another tool is chosen, and the next drag is that
  // tool's own (Cornerstone's angle tool used to keep the angle's last point in hand until then).
  await page.getByRole('button', { name: 'Angle' }).click();
  await page.mouse.move(centre.x - 90, centre.y - 90);
  await page.mouse.down();
  await page.mouse.move(centre.x - 30, centre.y - 90, { steps: 6 });
  await page.mouse.up();
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
  // An angle: drag the first arm, then click where the second ends.
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
  // After it, a length again: the finished angle keeps its value, the half-made one never showed.
  await page.getByRole('button', { name: 'Length' }).click();
  await page.mouse.move(centre.x - 80, centre.y - 40);
  await page.mouse.down();
  await page.mouse.move(centre.x + 20, centre.y - 40, { steps: 8 });
  await page.mouse.up();
  await measurements
    .filter({ hasText: /^Length [\d.]+ mm/ })
    .nth(1)
    .waitFor();
  assert.equal(await measurements.filter({ hasText: /^Angle/ }).count(), 1, 'one angle, the finished one');
  assert.match(await angle.innerText(), new RegExp(`^Angle ${degrees.toFixed(1)}°`));

  console.log(
    `measured: ${mm} mm; ${degrees}°; ${await roi.innerText()} (${await measurements.count()} measurements)`,
  );
  await screenshot(page, '04-viewer-measurements');
});

test('viewer: a multi-frame image plays as cine, pauses, and takes a frame rate', async () => {
  const { page } = web;
  await web.logInAs('radiologist');
  await web.openInViewer('CINE^DELTA');
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
  assert.deepEqual(web.pageErrors, []);
});
