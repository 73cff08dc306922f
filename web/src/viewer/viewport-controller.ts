// One stack viewport and its tool group: everything the viewer's buttons and keys do, in Cornerstone's terms.
import {
  Enums,
  eventTarget,
  imageLoader,
  RenderingEngine,
  type StackViewport,
  type Types,
} from '@cornerstonejs/core';
import {
  AngleTool,
  annotation,
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  utilities as toolUtilities,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { voiRange } from './presets';

export type PrimaryTool = 'windowLevel' | 'pan' | 'zoom' | 'length' | 'angle' | 'roi';

const TOOL_NAMES: Record<PrimaryTool, string> = {
  windowLevel: WindowLevelTool.toolName,
  pan: PanTool.toolName,
  zoom: ZoomTool.toolName,
  length: LengthTool.toolName,
  angle: AngleTool.toolName,
  roi: EllipticalROITool.toolName,
};

// The measuring tools and how each one's statistics read (cachedStats of Cornerstone's annotation tools).
type Stats = Record<string, number | string | null | undefined>;
const fixed = (value: unknown, digits: number) => (typeof value === 'number' ? value.toFixed(digits) : '…');
const MEASURING: { tool: string; kind: Measurement['kind']; describe(stats: Stats): string }[] = [
  { tool: LengthTool.toolName, kind: 'Length', describe: (s) => `${fixed(s.length, 1)} ${s.unit ?? 'mm'}` },
  { tool: AngleTool.toolName, kind: 'Angle', describe: (s) => `${fixed(s.angle, 1)}°` },
  {
    tool: EllipticalROITool.toolName,
    kind: 'ROI',
    describe: (s) =>
      `area ${fixed(s.area, 1)} ${s.areaUnit ?? 'mm²'}, mean ${fixed(s.mean, 1)}, SD ${fixed(s.stdDev, 1)}${
        s.modalityUnit ? ` ${s.modalityUnit}` : ''
      }`,
  },
];

export interface ViewState {
  index: number;
  count: number;
  windowWidth?: number;
  windowCenter?: number;
  zoom: number;
  invert: boolean;
  /** Frames a second while cine plays; undefined when stopped. */
  cineFps?: number;
}

export interface Measurement {
  uid: string;
  kind: 'Length' | 'Angle' | 'ROI';
  /** Display text, e.g. "42.1 mm". */
  value: string;
  imageIndex: number;
}

let instances = 0;

export class ViewportController {
  private readonly engine: RenderingEngine;
  private readonly viewportId = 'stack';
  private readonly toolGroupId: string;
  private readonly toolGroup: ToolTypes.IToolGroup;
  private primary: PrimaryTool = 'windowLevel';
  private imageIds: string[] = [];
  private cineFps: number | undefined;
  // The zoom of the fitted image: shown zoom is relative to it (the CPU path counts zoom in screen pixels
  // per image pixel, WebGL relative to the fit; the user sees 1.00× at fit in both).
  private fitZoom = 1;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly element: HTMLDivElement,
    private readonly onChange: (state: ViewState) => void,
    private readonly onMeasurements: (measurements: Measurement[]) => void,
  ) {
    const id = ++instances;
    this.engine = new RenderingEngine(`lantern-${id}`);
    this.engine.enableElement({
      viewportId: this.viewportId,
      element,
      type: Enums.ViewportType.STACK,
      defaultOptions: { background: [0, 0, 0] as Types.Point3 },
    });
    this.toolGroupId = `lantern-tools-${id}`;
    const group = ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!group) throw new Error('Cornerstone could not create the tool group');
    this.toolGroup = group;
    for (const name of Object.values(TOOL_NAMES)) group.addTool(name);
    group.addTool(StackScrollTool.toolName);
    group.addViewport(this.viewportId, this.engine.id);
    // Middle drag pans, right drag zooms and the wheel scrolls, whatever the left button does.
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    group.setToolActive(ZoomTool.toolName, {
      bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }],
    });
    group.setToolActive(StackScrollTool.toolName, {
      bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }],
    });
    this.setPrimaryTool('windowLevel');

    const report = () => this.onChange(this.state());
    for (const event of [
      Enums.Events.STACK_NEW_IMAGE,
      Enums.Events.VOI_MODIFIED,
      Enums.Events.CAMERA_MODIFIED,
    ]) {
      element.addEventListener(event, report);
      this.cleanups.push(() => element.removeEventListener(event, report));
    }
    // Statistics (an ROI's mean) are computed while annotations render, after they complete: report on
    // render too, but only when a value changed.
    let last = '';
    const measured = () => {
      const now = this.measurements();
      const text = JSON.stringify(now);
      if (text === last) return;
      last = text;
      this.onMeasurements(now);
    };
    for (const event of [
      ToolEnums.Events.ANNOTATION_COMPLETED,
      ToolEnums.Events.ANNOTATION_MODIFIED,
      ToolEnums.Events.ANNOTATION_REMOVED,
      ToolEnums.Events.ANNOTATION_RENDERED,
    ]) {
      eventTarget.addEventListener(event, measured);
      this.cleanups.push(() => eventTarget.removeEventListener(event, measured));
    }
  }

  private get viewport(): StackViewport {
    return this.engine.getViewport(this.viewportId) as StackViewport;
  }

  async setStack(imageIds: string[], index = 0): Promise<void> {
    this.imageIds = imageIds;
    await this.viewport.setStack(imageIds, index);
    this.viewport.render();
    this.fitZoom = this.viewport.getZoom() || 1;
    this.onChange(this.state());
  }

  /**
   * Loads the rest of the stack into the cache, nearest to the shown image first, a few at a time, so that
   * scrolling never waits. Resolves when all are loaded; `progress` counts them.
   */
  async prefetch(progress: (loaded: number, total: number) => void, signal: AbortSignal): Promise<void> {
    const start = this.viewport.getCurrentImageIdIndex();
    const order = [...this.imageIds.keys()].sort((a, b) => Math.abs(a - start) - Math.abs(b - start));
    let loaded = 0;
    let next = 0;
    const worker = async () => {
      while (next < order.length && !signal.aborted) {
        const imageId = this.imageIds[order[next++]!]!;
        try {
          await imageLoader.loadAndCacheImage(imageId);
        } catch {
          // A frame that fails here is retried, and its error shown, when it is displayed.
        }
        progress(++loaded, order.length);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }

  state(): ViewState {
    const viewport = this.viewport;
    const properties = viewport.getProperties();
    const range = properties.voiRange;
    return {
      index: viewport.getCurrentImageIdIndex(),
      count: this.imageIds.length,
      ...(range
        ? { windowWidth: range.upper - range.lower, windowCenter: (range.upper + range.lower) / 2 }
        : {}),
      zoom: viewport.getZoom() / this.fitZoom,
      invert: properties.invert ?? false,
      ...(this.cineFps ? { cineFps: this.cineFps } : {}),
    };
  }

  setPrimaryTool(tool: PrimaryTool): void {
    this.cancelDrawing();
    const previous = TOOL_NAMES[this.primary];
    if (previous !== TOOL_NAMES[tool]) {
      // Pan and zoom keep their other buttons; the rest go passive (measurements stay visible and editable).
      if (this.primary === 'pan' || this.primary === 'zoom') {
        const button =
          this.primary === 'pan' ? ToolEnums.MouseBindings.Auxiliary : ToolEnums.MouseBindings.Secondary;
        this.toolGroup.setToolActive(previous, { bindings: [{ mouseButton: button }] });
      } else {
        this.toolGroup.setToolPassive(previous);
      }
    }
    const bindings = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
    if (tool === 'pan') bindings.push({ mouseButton: ToolEnums.MouseBindings.Auxiliary });
    if (tool === 'zoom') bindings.push({ mouseButton: ToolEnums.MouseBindings.Secondary });
    this.toolGroup.setToolActive(TOOL_NAMES[tool], { bindings });
    this.primary = tool;
  }

  scroll(delta: number): void {
    const count = this.imageIds.length;
    if (count === 0) return;
    const index = Math.min(count - 1, Math.max(0, this.viewport.getCurrentImageIdIndex() + delta));
    void this.viewport.setImageIdIndex(index);
  }

  scrollTo(index: number): void {
    void this.viewport.setImageIdIndex(Math.min(this.imageIds.length - 1, Math.max(0, index)));
  }

  setWindow(width: number, center: number): void {
    this.viewport.setProperties({ voiRange: voiRange(width, center) });
    this.viewport.render();
    this.onChange(this.state());
  }

  toggleInvert(): void {
    this.viewport.setProperties({ invert: !(this.viewport.getProperties().invert ?? false) });
    this.viewport.render();
    this.onChange(this.state());
  }

  zoomBy(factor: number): void {
    this.viewport.setZoom(this.viewport.getZoom() * factor);
    this.viewport.render();
    this.onChange(this.state());
  }

  reset(): void {
    this.viewport.resetProperties();
    this.viewport.resetCamera();
    this.viewport.render();
    this.fitZoom = this.viewport.getZoom() || 1;
    this.onChange(this.state());
  }

  resize(): void {
    this.engine.resize(true, true);
  }

  /** Cine: plays the stack (or a multi-frame image's frames) in a loop at `fps`; 0 stops. */
  setCine(fps: number): void {
    if (fps > 0) {
      toolUtilities.cine.playClip(this.element, { framesPerSecond: fps, loop: true });
      this.cineFps = fps;
    } else {
      toolUtilities.cine.stopClip(this.element);
      this.cineFps = undefined;
    }
    this.onChange(this.state());
  }

  /**
   * Ends a measurement still being drawn (Escape, or another tool chosen). Cornerstone's angle tool holds an
   * angle (its third point following the mouse) until the next mouse-up, even after the click that places the
   * second arm: without this, the next tool's first drag went to that angle. Ending it keeps the angle as
   * drawn; one with only its first arm (two points) is dropped, not kept half-made.
   */
  cancelDrawing(): void {
    let cancelled = false;
    for (const { tool } of MEASURING) {
      const instance = this.toolGroup.getToolInstance(tool) as
        | {
            isDrawing?: boolean;
            cancel?(element: HTMLDivElement): string | undefined;
          }
        | undefined;
      if (!instance?.isDrawing || !instance.cancel) continue;
      const uid = instance.cancel(this.element);
      cancelled = true;
      const points = uid ? (annotation.state.getAnnotation(uid)?.data.handles?.points?.length ?? 0) : 0;
      if (uid && tool === AngleTool.toolName && points < 3) annotation.state.removeAnnotation(uid);
    }
    if (!cancelled) return;
    this.viewport.render();
    this.onMeasurements(this.measurements());
  }

  measurements(): Measurement[] {
    return MEASURING.flatMap(({ tool, kind, describe }) =>
      (annotation.state.getAnnotations(tool, this.element) ?? []).map((item) => {
        const stats = (Object.values(item.data.cachedStats ?? {})[0] ?? {}) as Stats;
        return {
          uid: item.annotationUID ?? '',
          kind,
          value: describe(stats),
          imageIndex: this.imageIds.indexOf(item.metadata?.referencedImageId ?? ''),
        };
      }),
    );
  }

  removeMeasurements(): void {
    for (const { tool } of MEASURING) {
      for (const item of annotation.state.getAnnotations(tool, this.element) ?? []) {
        if (item.annotationUID) annotation.state.removeAnnotation(item.annotationUID);
      }
    }
    this.viewport.render();
    this.onMeasurements(this.measurements());
  }

  destroy(): void {
    if (this.cineFps) toolUtilities.cine.stopClip(this.element);
    for (const cleanup of this.cleanups) cleanup();
    ToolGroupManager.destroyToolGroup(this.toolGroupId);
    this.engine.destroy();
  }
}
