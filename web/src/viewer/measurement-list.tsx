// The measurements drawn on the series, with their values, so they can be read out and cleared.
import type { Measurement } from './viewport-controller';

export function MeasurementList(props: { measurements: Measurement[]; onClear(): void }) {
  return (
    <section className="measurements" aria-label="Measurements">
      <h3>Measurements</h3>
      {props.measurements.length === 0 ? (
        <p className="muted">None. Choose Length (L), Angle (A) or ROI (O) and draw on the image.</p>
      ) : (
        <>
          <ol data-testid="measurements">
            {props.measurements.map((m) => (
              <li key={m.uid}>
                {m.kind} {m.value} <span className="muted">(image {m.imageIndex + 1})</span>
              </li>
            ))}
          </ol>
          <button type="button" onClick={props.onClear}>
            Clear measurements
          </button>
        </>
      )}
    </section>
  );
}
