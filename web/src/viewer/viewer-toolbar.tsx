// The viewer's buttons, each with its keyboard shortcut in the label's title.
import { useState } from 'react';
import { CT_PRESETS } from './presets';
import type { PrimaryTool } from './viewport-controller';

const TOOLS: { tool: PrimaryTool; label: string; key: string }[] = [
  { tool: 'windowLevel', label: 'W/L', key: 'W' },
  { tool: 'pan', label: 'Pan', key: 'P' },
  { tool: 'zoom', label: 'Zoom', key: 'Z' },
  { tool: 'length', label: 'Length', key: 'L' },
  { tool: 'angle', label: 'Angle', key: 'A' },
  { tool: 'roi', label: 'ROI', key: 'O' },
];
const FRAME_RATES = [5, 10, 15, 20, 30, 60];

export function ViewerToolbar(props: {
  primary: PrimaryTool;
  onTool(tool: PrimaryTool): void;
  onPreset(width: number, center: number): void;
  onInvert(): void;
  onReset(): void;
  /** Frames a second while cine plays, else undefined. */
  cineFps: number | undefined;
  onCine(fps: number): void;
}) {
  const [rate, setRate] = useState(15);
  return (
    <div className="toolbar" role="toolbar" aria-label="Viewer tools">
      {TOOLS.map(({ tool, label, key }) => (
        <button
          type="button"
          key={tool}
          aria-pressed={props.primary === tool}
          title={`${label} (${key})`}
          onClick={() => props.onTool(tool)}
        >
          {label}
        </button>
      ))}
      <span className="separator" />
      {CT_PRESETS.map((preset) => (
        <button
          type="button"
          key={preset.key}
          title={`${preset.label}: W ${preset.width} L ${preset.center} (${preset.key})`}
          onClick={() => props.onPreset(preset.width, preset.center)}
        >
          {preset.label}
        </button>
      ))}
      <span className="separator" />
      <button type="button" title="Invert (I)" onClick={props.onInvert}>
        Invert
      </button>
      <button type="button" title="Reset (R)" onClick={props.onReset}>
        Reset
      </button>
      <span className="separator" />
      <span className="cine" role="group" aria-label="Cine">
        <button
          type="button"
          aria-pressed={props.cineFps !== undefined}
          title="Play or pause the frames in a loop (Space)"
          onClick={() => props.onCine(props.cineFps ? 0 : rate)}
        >
          {props.cineFps ? 'Pause' : 'Play'}
        </button>
        <label className="check">
          <select
            name="fps"
            aria-label="Frames per second"
            value={rate}
            onChange={(e) => {
              const next = Number(e.target.value);
              setRate(next);
              if (props.cineFps) props.onCine(next);
            }}
          >
            {FRAME_RATES.map((fps) => (
              <option key={fps} value={fps}>
                {fps} fps
              </option>
            ))}
          </select>
        </label>
      </span>
    </div>
  );
}
