// Web viewer bench (issue 9's acceptance line): a 300-image 512×512 CT series sent by storescu to `lantern serve`,
// opened in the viewer in headless Chromium (Debian's /usr/bin/chromium through playwright-core, SwiftShader
// WebGL as in the e2e test). Per repetition, in a fresh browser context (cold HTTP and image caches):
//   1. log in through the login screen, wait for the app;
//   2. open the viewer inside the app (history navigation, as the "View" link does) and time the first image's
//      pixels on the canvas (target: under 1 s);
//   3. wait until the whole series is loaded (the viewer prefetches it), then scroll through all images, one
//      ArrowDown per displayed frame, recording requestAnimationFrame intervals and the image shown each frame;
//      a frame longer than 1.5 × 1/60 s counts as dropped (target: none);
//   4. the same number of frames with nothing to do: the baseline of this machine's frame pacing right now.
//
//   npx tsx bench/web/run.ts [--images 300] [--size 512] [--repeat 3] [--keep DIR] [--rendering cpu|webgl]
//                            [--profile] [--gpu-compositing] [--chromium-args a,b]
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTool } from '../../test/support/dcmtk.js';
import { startServe } from '../../test/support/lantern-server.js';
import { writeSyntheticStudy } from '../../test/support/synthetic-ct.js';
import { launchBrowser } from '../../test/web/web-browser.js';
import { startFrameProfile, type FrameProfile } from './frame-profile.js';
import { openViewerProbe, scrollProbe, type ScrollTrace } from './page-probes.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FRAME_BUDGET_MS = (1000 / 60) * 1.5;
const PASSWORD = 'Quiet-Harbor-8861';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '300' },
    size: { type: 'string', default: '512' },
    repeat: { type: 'string', default: '3' },
    keep: { type: 'string' },
    rendering: { type: 'string', default: 'both' },
    // Where the scroll's frame time goes (frame-profile.ts): a second scroll, back up, under the profiler.
    profile: { type: 'boolean', default: false },
    // Composite the page through SwiftShader (a GPU emulated on the CPU) as runs before 2026-11-28 11:00 did,
    // instead of in software as Chrome does without a GPU (test/web/web-browser.ts).
    'gpu-compositing': { type: 'boolean', default: false },
    // Extra Chromium switches, comma-separated.
    'chromium-args': { type: 'string', default: '' },
  },
});
const images = Number(values.images);
const size = Number(values.size);
const repeat = Number(values.repeat);
// The viewer picks CPU rendering on a software WebGL (web/src/viewer/rendering-choice.ts); both are measured
// in each repetition, one after the other, so that their ratio holds under the same load.
const renderings = values.rendering === 'both' ? ['cpu', 'webgl'] : [values.rendering!];

interface FrameStats {
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Intervals longer than 1.5 × 1/60 s. */
  dropped: number;
}

function frameStats(deltas: number[]): FrameStats {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    frames: deltas.length,
    medianMs: Number(at(0.5).toFixed(2)),
    p95Ms: Number(at(0.95).toFixed(2)),
    maxMs: Number((sorted.at(-1) ?? 0).toFixed(2)),
    dropped: deltas.filter((d) => d > FRAME_BUDGET_MS).length,
  };
}

/** Frames after which the shown image had not moved on (the scroll waited for an image). */
function stalls(trace: ScrollTrace): number {
  let count = 0;
  for (let i = 2; i < trace.shown.length; i++) if (trace.shown[i] === trace.shown[i - 1]) count++;
  return count;
}

interface Run {
  repetition: number;
  rendering: string;
  loadAverage1m: number;
  firstImageMs: number;
  firstRequests: string[];
  allLoadedMs: number;
  scroll: FrameStats & { stalls: number; lastImageShown: number | undefined };
  idleBaseline: FrameStats;
  profile?: { scroll: FrameProfile; idle: FrameProfile };
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const work = values.keep ? resolve(values.keep) : await mkdtemp(join(tmpdir(), 'lantern-bench-web-'));
  mkdirSync(work, { recursive: true });
  const folder = join(work, 'series');
  console.log(`writing ${images} CT images of ${size}×${size} into ${folder}`);
  await writeSyntheticStudy(folder, {
    series: 1,
    instancesPerSeries: images,
    rows: size,
    columns: size,
    seed: 909,
    patientId: 'BENCH-WEB',
    patientName: 'BENCH^VIEWER',
  });
  const server = await startServe({
    LANTERN_DATA_DIR: join(work, 'data'),
    LANTERN_SECURITY_AUTHENTICATION: 'on',
    LANTERN_RIS_STUDY_STABLE_SECONDS: String(24 * 3600),
    // The sending node is registered: an unknown AE may only C-ECHO.
    LANTERN_DICOM_REMOTE_AES: JSON.stringify([
      { aeTitle: 'BENCHCT', host: '127.0.0.1', port: 104, permissions: ['echo', 'store'] },
    ]),
  });
  const browser = await launchBrowser({
    gpuCompositing: values['gpu-compositing']!,
    extraArgs: values['chromium-args']!.split(',').filter(Boolean),
  });
  try {
    const sendStart = performance.now();
    process.env.TCP_NODELAY = '1';
    const sent = await runTool(
      'storescu',
      ['-aec', 'LANTERN', '-aet', 'BENCHCT', '+sd', '+r', '127.0.0.1', String(server.dicomPort), folder],
      600_000,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const storeSeconds = (performance.now() - sendStart) / 1000;
    console.log(`storescu: ${images} images in ${storeSeconds.toFixed(1)} s`);
    const user = await fetch(`${server.httpUrl}/api/users`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench-reader', roles: ['radiologist'], password: PASSWORD }),
    });
    assert.ok(user.ok || user.status === 409, await user.text()); // 409: a kept data folder has the user
    const studies = (await (
      await fetch(`${server.httpUrl}/dicom-web/studies?PatientID=BENCH-WEB`, { headers: server.auth })
    ).json()) as Record<string, { Value?: string[] }>[];
    const study = studies[0]?.['0020000D']?.Value?.[0];
    assert.ok(study, 'the bench study is not in the index');
    const series = (
      (await (
        await fetch(`${server.httpUrl}/dicom-web/studies/${study}/series`, { headers: server.auth })
      ).json()) as Record<string, { Value?: string[] }>[]
    )[0]?.['0020000E']?.Value?.[0];
    assert.ok(series);

    const runs: Run[] = [];
    for (let r = 1; r <= repeat; r++) {
      for (const rendering of renderings) {
        const context = await browser.newContext({
          baseURL: server.httpUrl,
          viewport: { width: 1366, height: 768 },
        });
        await context.addInitScript(`localStorage.setItem('lantern.rendering', '${rendering}')`);
        const page = await context.newPage();
        page.setDefaultTimeout(120_000);
        await page.goto('/studies');
        await page
          .getByLabel('User name')
          .waitFor({ timeout: 30_000 })
          .catch(async (error: Error) => {
            await page.screenshot({ path: join(repoRoot, 'bench/out/web-failure.png') });
            const started = Date.now();
            const probe = await fetch(`${server.httpUrl}/api/auth/me`, { headers: server.auth }).then(
              (r) => `${r.status} in ${Date.now() - started} ms`,
              (e: Error) => e.message,
            );
            console.error(`/api/auth/me from Node while the page waits: ${probe}`);
            throw new Error(`${error.message}\nserver log: ${server.log().slice(-2000)}`);
          });
        await page.getByLabel('User name').fill('bench-reader');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Log in', exact: true }).click();
        await page.getByTestId('total').waitFor();
        // The user looks at the study list for two seconds: the app preloads the viewer meanwhile.
        await page.waitForTimeout(2000);
        const load = loadavg()[0]!;
        const opened = Date.now();
        const firstImageMs = await page.evaluate<number>(openViewerProbe(`/viewer/${study}/${series}`));
        const requests = await page.evaluate<{ name: string; duration: number }[]>(
          `performance.getEntriesByType('resource').filter((e) => /metadata|frames\\/1$|series\\?/.test(e.name)).map((e) => ({ name: e.name.replace(/^.*dicom-web/, ''), duration: Math.round(e.duration) })).slice(0, 4)`,
        );
        await page
          .getByTestId('image-index')
          .filter({ hasText: `/ ${images}` })
          .waitFor();
        await page.locator('.overlay.bottom-right').waitFor({ state: 'detached' });
        const allLoadedMs = Date.now() - opened;
        const shownRendering = await page.getByTestId('rendering').innerText();
        const scroll = await page.evaluate<ScrollTrace>(scrollProbe(images, false));
        const idle = await page.evaluate<ScrollTrace>(scrollProbe(images, true));
        let profile: { scroll: FrameProfile; idle: FrameProfile } | undefined;
        if (values.profile) {
          // Back to the first image, then the same scroll again with the profiler on (it slows frames down,
          // so the timed scroll above runs without it).
          await page.keyboard.press('Home');
          await page.getByTestId('image-index').filter({ hasText: `Im 1 /` }).waitFor();
          const stop = await startFrameProfile(page);
          const traced = await page.evaluate<ScrollTrace>(scrollProbe(images, false));
          const scrolled = await stop(traced.deltas.length);
          const stopIdle = await startFrameProfile(page);
          const still = await page.evaluate<ScrollTrace>(scrollProbe(images, true));
          profile = { scroll: scrolled, idle: await stopIdle(still.deltas.length) };
        }
        const run: Run = {
          repetition: r,
          rendering: shownRendering,
          loadAverage1m: Number(load.toFixed(2)),
          firstImageMs: Number(firstImageMs.toFixed(1)),
          firstRequests: requests.map((q) => `${q.name.slice(-40)} ${q.duration} ms`),
          allLoadedMs,
          scroll: {
            ...frameStats(scroll.deltas),
            stalls: stalls(scroll),
            lastImageShown: scroll.shown.at(-1),
          },
          idleBaseline: frameStats(idle.deltas),
          ...(profile ? { profile } : {}),
        };
        runs.push(run);
        console.log(JSON.stringify(run));
        await context.close();
      }
    }
    const byRendering = Object.fromEntries(
      [...new Set(runs.map((r) => r.rendering))].map((rendering) => {
        const mine = runs.filter((r) => r.rendering === rendering);
        return [
          rendering,
          {
            firstImageMsMedian: median(mine.map((r) => r.firstImageMs)),
            firstImageUnder1s: `${mine.filter((r) => r.firstImageMs < 1000).length}/${mine.length}`,
            scrollFrameMsMedian: median(mine.map((r) => r.scroll.medianMs)),
            scrollDroppedMedian: median(mine.map((r) => r.scroll.dropped)),
            idleDroppedMedian: median(mine.map((r) => r.idleBaseline.dropped)),
          },
        ];
      }),
    );
    const summary = {
      images,
      size,
      repeat,
      cpus: cpus().length,
      compositing: values['gpu-compositing'] ? 'gpu (SwiftShader)' : 'software',
      storeSeconds: Number(storeSeconds.toFixed(1)),
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
      byRendering,
      runs,
    };
    console.log(`\n${images} images of ${size}×${size}, frame budget ${FRAME_BUDGET_MS.toFixed(1)} ms`);
    console.table(byRendering);
    console.log(`load average ${summary.loadAverageAtEnd.join(' ')}`);
    const out = join(repoRoot, 'bench/out');
    mkdirSync(out, { recursive: true });
    const file = join(out, `web-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(summary, null, 2));
    console.log(`written ${file}`);
  } finally {
    await browser.close();
    await server.stop();
    if (!values.keep) await rm(work, { recursive: true, force: true });
  }
}

await main();
