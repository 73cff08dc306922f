// Where a scroll's frame time goes, from Chromium itself (DevTools protocol, no page changes): the main
// thread's task, script, style and layout time per frame (Performance.getMetrics before and after), the
// JavaScript functions with the most self time (Profiler, sampled), and the long animation frames the page saw
// (PerformanceObserver 'long-animation-frame': script time by entry point, and style/layout/paint time).
// CPU time per frame holds up under load where wall-clock frame intervals do not.
import type { CDPSession, Page } from 'playwright-core';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FrameProfile {
  frames: number;
  /**
   * CPU milliseconds per frame of each Chromium process type (SystemInfo.getProcessInfo): the renderer runs
   * the page, the GPU process rasterizes and composites (in software on SwiftShader when there is no GPU).
   */
  processCpuPerFrameMs: Record<string, number>;
  /** Main-thread milliseconds per frame, by kind (Chromium's Performance domain). */
  perFrameMs: { task: number; script: number; recalcStyle: number; layout: number };
  /** The functions with the most self time over the scroll, ms (minified names unless built without). */
  topSelfMs: { fn: string; ms: number }[];
  longAnimationFrames: {
    count: number;
    /** Summed over the long frames, ms. */
    scriptMs: number;
    styleAndLayoutMs: number;
    renderMs: number;
    byInvoker: { invoker: string; ms: number }[];
  };
}

const METRICS = {
  task: 'TaskDuration',
  script: 'ScriptDuration',
  recalcStyle: 'RecalcStyleDuration',
  layout: 'LayoutDuration',
};

/** CPU seconds so far by process type (several renderers or utilities add up). */
async function processCpu(browserCdp: CDPSession): Promise<Record<string, number>> {
  const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number; cpuTime: number }[];
  };
  const byType: Record<string, number> = {};
  for (const p of processInfo) byType[p.type] = (byType[p.type] ?? 0) + p.cpuTime;
  return byType;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

const LOAF_START = `(() => {
  window.__loaf = [];
  window.__loafObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__loaf.push({
      duration: e.duration,
      renderStart: e.renderStart - e.startTime,
      styleAndLayoutStart: e.styleAndLayoutStart - e.startTime,
      scripts: e.scripts.map((s) => ({ ms: s.duration, invoker: s.invoker || s.sourceFunctionName || s.invokerType })),
    });
  });
  window.__loafObserver.observe({ type: 'long-animation-frame' });
})()`;

const LOAF_STOP = `(() => { window.__loafObserver.disconnect(); return window.__loaf; })()`;

interface Loaf {
  duration: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { ms: number; invoker: string }[];
}

/** Starts recording; the returned function stops and summarizes over `frames` frames. */
export async function startFrameProfile(page: Page): Promise<(frames: number) => Promise<FrameProfile>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await page.evaluate(LOAF_START);
  const browserCdp = await page.context().browser()!.newBrowserCDPSession();
  const cpuBefore = await processCpu(browserCdp);
  const before = await metrics(cdp);
  await cdp.send('Profiler.start');
  return async (frames) => {
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
    const after = await metrics(cdp);
    const cpuAfter = await processCpu(browserCdp);
    await browserCdp.detach();
    const loafs = await page.evaluate<Loaf[]>(LOAF_STOP);
    await cdp.detach();
    const perFrame = (name: string) =>
      Number(((((after[name] ?? 0) - (before[name] ?? 0)) * 1000) / frames).toFixed(2));
    const invokers = new Map<string, number>();
    for (const l of loafs)
      for (const s of l.scripts) invokers.set(s.invoker, (invokers.get(s.invoker) ?? 0) + s.ms);
    const sum = (f: (l: Loaf) => number) => Math.round(loafs.reduce((t, l) => t + f(l), 0));
    return {
      frames,
      processCpuPerFrameMs: Object.fromEntries(
        Object.keys(cpuAfter).map((type) => [
          type,
          Number(((((cpuAfter[type] ?? 0) - (cpuBefore[type] ?? 0)) * 1000) / frames).toFixed(2)),
        ]),
      ),
      perFrameMs: {
        task: perFrame(METRICS.task),
        script: perFrame(METRICS.script),
        recalcStyle: perFrame(METRICS.recalcStyle),
        layout: perFrame(METRICS.layout),
      },
      topSelfMs: selfTimes(profile).slice(0, 20),
      longAnimationFrames: {
        count: loafs.length,
        scriptMs: sum((l) => l.scripts.reduce((t, s) => t + s.ms, 0)),
        styleAndLayoutMs: sum((l) => (l.styleAndLayoutStart > 0 ? l.duration - l.styleAndLayoutStart : 0)),
        renderMs: sum((l) => (l.renderStart > 0 ? l.duration - l.renderStart : 0)),
        byInvoker: [...invokers]
          .map(([invoker, ms]) => ({ invoker: invoker.slice(0, 100), ms: Math.round(ms) }))
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 12),
      },
    };
  };
}

/** Self time per function (name, file and line), from the sampled profile. */
function selfTimes(profile: CpuProfile): { fn: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.split('/').at(-1) ?? '';
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([fn, ms]) => ({ fn, ms: Number(ms.toFixed(1)) })).sort((a, b) => b.ms - a.ms);
}
