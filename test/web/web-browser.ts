// Headless Chromium for the web UI tests: Debian's /usr/bin/chromium driven by playwright-core (no browser
// download). SwiftShader gives WebGL without a GPU, so Cornerstone can render as on a workstation; the page
// itself is composited in software, as Chrome does on a machine without a GPU. (Composited through SwiftShader
// instead, every changed frame cost the GPU process 20-24 ms of CPU in bench/web, more than a frame lasts:
// half the frames of a stack scroll dropped whatever the page did.)
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** `gpuCompositing`: composite through SwiftShader too (bench/web compares); `extraArgs`: more switches. */
export async function launchBrowser(
  options: { gpuCompositing?: boolean; extraArgs?: readonly string[] } = {},
): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--no-sandbox',
      ...(options.gpuCompositing ? [] : ['--disable-gpu-compositing']),
      ...(options.extraArgs ?? []),
    ],
  });
}

/** A page at a laptop's 1366×768 with page errors collected, so a broken script fails the test. */
export async function openPage(browser: Browser, baseURL: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1366, height: 768 },
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

// The page's own objects, typed only as far as used here (the root tsconfig has no DOM library).
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
declare const document: {
  querySelector(selector: string): PageCanvas | null;
  querySelector(s: string): unknown;
};

export interface Fingerprint {
  /** Sum of the RGB values. */
  sum: number;
  /** Sum weighted by position, so that moved content differs too. */
  weighted: number;
  /** Pixels brighter than near-black. */
  lit: number;
}

/** A fingerprint of the viewport canvas's pixels, read back with getImageData. */
export function canvasFingerprint(page: Page): Promise<Fingerprint> {
  return page.evaluate(() => {
    const canvas = document.querySelector('canvas.cornerstone-canvas') as PageCanvas | null;
    if (!canvas) return { sum: 0, weighted: 0, lit: 0 };
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let weighted = 0;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) {
      const value = data[i]! + data[i + 1]! + data[i + 2]!;
      sum += value;
      weighted += value * ((i / 4) % 997);
      if (value > 30) lit++;
    }
    return { sum, weighted, lit };
  });
}

/** Polls the canvas until its pixels satisfy `done` (rendering is asynchronous); throws after `ms`. */
export async function waitForCanvas(
  page: Page,
  done: (print: Fingerprint) => boolean,
  ms = 10_000,
): Promise<Fingerprint> {
  const until = Date.now() + ms;
  for (;;) {
    const print = await canvasFingerprint(page);
    if (done(print)) return print;
    if (Date.now() > until)
      throw new Error(`the canvas did not change as expected: ${JSON.stringify(print)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
