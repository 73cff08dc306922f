// The viewer screen: /viewer/<study>[/<series>]. Series thumbnails on the left, the image in the middle,
// measurements (and, in the reading room, the report) on the right.
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { qido } from '../api/dicomweb';
import { personName, TAG, text } from '../api/dicom-json';
import { ErrorMessage } from '../shell/error-message';
import { navigate } from '../shell/router';
import { useAsync } from '../shell/use-async';
import { MeasurementList } from './measurement-list';
import { SeriesStrip } from './series-strip';
import { StackView } from './stack-view';
import type { Measurement, ViewportController } from './viewport-controller';

export function ViewerPage(props: {
  study: string;
  series?: string;
  side?: ReactNode;
  basePath?: string;
  /** Instead of the address (basePath/<series>), the caller keeps the chosen series (a prior study). */
  onSelectSeries?: (series: string) => void;
}) {
  const { study } = props;
  const series = useAsync(
    () => qido(`/studies/${study}/series`, { includefield: 'SeriesDescription' }),
    [study],
  );
  const patient = useAsync(() => qido('/studies', { StudyInstanceUID: study }), [study]);
  const [measurements, setMeasurements] = useState<Measurement[]>([]);
  const controller = useRef<ViewportController>(undefined);
  const setController = useCallback((c: ViewportController | undefined) => (controller.current = c), []);
  const first = series.data?.matches[0];
  const selected = props.series ?? (first ? text(first, TAG.SeriesInstanceUID) : undefined);
  const studyItem = patient.data?.matches[0];
  const base = props.basePath ?? `/viewer/${study}`;

  return (
    <div className="viewer-page">
      <header className="viewer-header">
        {studyItem ? (
          <span>
            <strong>{personName(text(studyItem, TAG.PatientName))}</strong> · {text(studyItem, TAG.PatientID)}{' '}
            · Acc {text(studyItem, TAG.AccessionNumber) || '—'}
          </span>
        ) : (
          <span>Study {study}</span>
        )}
      </header>
      <ErrorMessage error={series.error ?? patient.error} onRetry={series.reload} />
      <div className="viewer-body">
        {series.data && (
          <SeriesStrip
            study={study}
            series={series.data.matches}
            selected={selected}
            onSelect={(uid) =>
              props.onSelectSeries ? props.onSelectSeries(uid) : navigate(`${base}/${uid}`, { replace: true })
            }
          />
        )}
        {selected ? (
          <StackView
            key={selected}
            study={study}
            series={selected}
            onMeasurements={setMeasurements}
            controllerRef={setController}
          />
        ) : (
          <div className="stack-view muted">
            {series.loading ? 'Loading series…' : 'No series in this study.'}
          </div>
        )}
        <aside className="viewer-side">
          <MeasurementList
            measurements={measurements}
            onClear={() => controller.current?.removeMeasurements()}
          />
          {props.side}
        </aside>
      </div>
    </div>
  );
}
