// Scripts the bench runs inside the viewer's page, as source text (the root tsconfig has no DOM library, and
// these must run in the browser, not in Node). Each is an expression whose value Playwright awaits.

/** Pixels of the viewport canvas's centre brighter than near-black: the image is on the screen. */
const LIT = `(() => {
  const canvas = document.querySelector('canvas.cornerstone-canvas');
  if (!canvas || canvas.width < 64 || canvas.height < 64) return false;
  const x = Math.floor(canvas.width / 2) - 16;
  const y = Math.floor(canvas.height / 2) - 16;
  const { data } = canvas.getContext('2d', { willReadFrequently: true }).getImageData(x, y, 32, 32);
  let lit = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 30) lit++;
  return lit > 100;
})()`;

/**
 * Opens the viewer inside the running app (history navigation, as a click on "View" does: no page load) and
 * resolves with the milliseconds until the first image's pixels are on the canvas, checked every frame.
 */
export function openViewerProbe(path: string): string {
  return `new Promise((resolve) => {
    const started = performance.now();
    history.pushState(null, '', ${JSON.stringify(path)});
    dispatchEvent(new PopStateEvent('popstate'));
    const check = () => {
      if (${LIT}) resolve(performance.now() - started);
      else if (performance.now() - started > 60000) resolve(-1);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  })`;
}

export interface ScrollTrace {
  /** requestAnimationFrame timestamps' differences, ms. */
  deltas: number[];
  /** The image index the overlay showed at each frame. */
  shown: number[];
}

/**
 * Scrolls through the stack one image per displayed frame (an ArrowDown key on the viewport in each
 * requestAnimationFrame callback, as a held key or a fast wheel would) until the last image shows, and
 * records every frame's interval and the image shown. `idle`: the same frames with no key, for the baseline.
 */
export function scrollProbe(images: number, idle: boolean): string {
  return `new Promise((resolve) => {
    const frame = document.querySelector('[data-testid=viewport]');
    const index = () => Number((document.querySelector('[data-testid=image-index]')?.textContent ?? '').match(/Im (\\d+)/)?.[1] ?? 0);
    frame.focus();
    const deltas = [];
    const shown = [];
    let last;
    let frames = 0;
    const tick = (now) => {
      if (last !== undefined) deltas.push(now - last);
      last = now;
      shown.push(index());
      frames++;
      const done = ${idle} ? frames > ${images} : index() >= ${images} || frames > ${images} * 4;
      if (done) return resolve({ deltas, shown });
      if (!${idle}) frame.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`;
}
