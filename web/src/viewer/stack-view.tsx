// The image area: a Cornerstone viewport with overlay text, keyboard control and progressive loading.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { displayDate, personName, TAG, text, type DicomJson } from '../api/dicom-json';
import { ErrorMessage } from '../shell/error-message';
import { renderingMode, startCornerstone } from './cornerstone-setup';
import { CT_PRESETS } from './presets';
import { loadSeriesStack } from './series-stack';
import { ViewerToolbar } from './viewer-toolbar';
import {
  ViewportController,
  type Measurement,
  type PrimaryTool,
  type ViewState,
} from './viewport-controller';

export function StackView(props: {
  study: string;
  series: string;
  onMeasurements(measurements: Measurement[]): void;
  controllerRef?: (controller: ViewportController | undefined) => void;
}) {
  const element = useRef<HTMLDivElement>(null);
  const controller = useRef<ViewportController>(undefined);
  const [view, setView] = useState<ViewState>();
  const [header, setHeader] = useState<DicomJson>();
  const [loaded, setLoaded] = useState<{ done: number; total: number }>();
  const [error, setError] = useState<unknown>();
  const [primary, setPrimary] = useState<PrimaryTool>('windowLevel');
  const { onMeasurements, controllerRef } = props;

  useEffect(() => {
    const host = element.current;
    if (!host) return;
    const abort = new AbortController();
    let created: ViewportController | undefined;
    setError(undefined);
    setLoaded(undefined);
    (async () => {
      await startCornerstone();
      const stack = await loadSeriesStack(props.study, props.series);
      if (abort.signal.aborted) return;
      created = new ViewportController(host, setView, onMeasurements);
      controller.current = created;
      controllerRef?.(created);
      setHeader(stack.first);
      if (stack.imageIds.length === 0) throw new Error('This series has no images.');
      await created.setStack(stack.imageIds);
      setPrimary('windowLevel');
      await created.prefetch((done, total) => setLoaded({ done, total }), abort.signal);
    })().catch((reason: unknown) => {
      if (!abort.signal.aborted) setError(reason);
    });
    const observer = new ResizeObserver(() => controller.current?.resize());
    observer.observe(host);
    return () => {
      abort.abort();
      observer.disconnect();
      controllerRef?.(undefined);
      created?.destroy();
      controller.current = undefined;
    };
  }, [props.study, props.series, onMeasurements, controllerRef]);

  const tool = (next: PrimaryTool) => {
    controller.current?.setPrimaryTool(next);
    setPrimary(next);
  };

  const keyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const c = controller.current;
    if (!c || event.ctrlKey || event.metaKey || event.altKey) return;
    const actions: Record<string, () => void> = {
      ArrowDown: () => c.scroll(1),
      ArrowRight: () => c.scroll(1),
      ArrowUp: () => c.scroll(-1),
      ArrowLeft: () => c.scroll(-1),
      PageDown: () => c.scroll(10),
      PageUp: () => c.scroll(-10),
      Home: () => c.scrollTo(0),
      End: () => c.scrollTo(Number.MAX_SAFE_INTEGER),
      w: () => tool('windowLevel'),
      p: () => tool('pan'),
      z: () => tool('zoom'),
      l: () => tool('length'),
      a: () => tool('angle'),
      o: () => tool('roi'),
      ' ': () => c.setCine(c.state().cineFps ? 0 : 15),
      i: () => c.toggleInvert(),
      r: () => c.reset(),
      Escape: () => c.cancelDrawing(),
      '+': () => c.zoomBy(1.25),
      '-': () => c.zoomBy(0.8),
    };
    for (const preset of CT_PRESETS) actions[preset.key] = () => c.setWindow(preset.width, preset.center);
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  return (
    <div className="stack-view">
      <ViewerToolbar
        primary={primary}
        onTool={tool}
        onPreset={(width, center) => controller.current?.setWindow(width, center)}
        onInvert={() => controller.current?.toggleInvert()}
        onReset={() => controller.current?.reset()}
        cineFps={view?.cineFps}
        onCine={(fps) => controller.current?.setCine(fps)}
      />
      <ErrorMessage error={error} />
      <div
        className="viewport-frame"
        tabIndex={0}
        onKeyDown={keyDown}
        aria-label="Image viewport: arrow keys scroll, W P Z L A O choose a tool, Space plays cine, 1–4 presets, I invert, R reset"
        data-testid="viewport"
      >
        <div ref={element} className="viewport" onContextMenu={(event) => event.preventDefault()} />
        {header && (
          <div className="overlay top-left" data-testid="overlay-patient">
            <div>{personName(text(header, TAG.PatientName))}</div>
            <div>ID {text(header, TAG.PatientID)}</div>
            <div>
              {text(header, TAG.PatientBirthDate) &&
                `Born ${displayDate(text(header, TAG.PatientBirthDate))}`}
            </div>
          </div>
        )}
        {header && (
          <div className="overlay top-right">
            <div>{text(header, TAG.StudyDescription)}</div>
            <div>{displayDate(text(header, TAG.StudyDate))}</div>
            <div>
              {text(header, TAG.Modality)} · {text(header, TAG.SeriesDescription)}
            </div>
          </div>
        )}
        {view && (
          <div className="overlay bottom-left">
            <div data-testid="image-index">
              Im {view.index + 1} / {view.count}
            </div>
            {view.windowWidth !== undefined && (
              <div data-testid="window-level">
                W {Math.round(view.windowWidth)} L {Math.round(view.windowCenter ?? 0)}
              </div>
            )}
            <div>
              Zoom {view.zoom.toFixed(2)}×{view.invert ? ' · inverted' : ''}
              {view.cineFps ? ` · cine ${view.cineFps} fps` : ''}
            </div>
            <div data-testid="rendering">{renderingMode()} rendering</div>
          </div>
        )}
        {loaded && loaded.done < loaded.total && (
          <div className="overlay bottom-right" aria-live="polite">
            Loading {loaded.done} / {loaded.total}
          </div>
        )}
      </div>
    </div>
  );
}
