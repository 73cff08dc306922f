// The viewer's buttons, each with its keyboard shortcut in the label's title.
import { CT_PRESETS } from './presets';
import type { PrimaryTool } from './viewport-controller';

const TOOLS: { tool: PrimaryTool; label: string; key: string }[] = [
  { tool: 'windowLevel', label: 'W/L', key: 'W' },
  { tool: 'pan', label: 'Pan', key: 'P' },
  { tool: 'zoom', label: 'Zoom', key: 'Z' },
  { tool: 'length', label: 'Length', key: 'L' },
];

export function ViewerToolbar(props: {
  primary: PrimaryTool;
  onTool(tool: PrimaryTool): void;
  onPreset(width: number, center: number): void;
  onInvert(): void;
  onReset(): void;
}) {
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
    </div>
  );
}
