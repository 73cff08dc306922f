// The study's series as thumbnails down the side of the viewer; the chosen one is marked.
import { seriesThumbnailUrl } from '../api/dicomweb';
import { num, TAG, text, type DicomJson } from '../api/dicom-json';
import { AuthImage } from '../shell/auth-image';

export function SeriesStrip(props: {
  study: string;
  series: DicomJson[];
  selected: string | undefined;
  onSelect(series: string): void;
}) {
  return (
    <nav className="series-strip" aria-label="Series">
      {props.series.map((item) => {
        const uid = text(item, TAG.SeriesInstanceUID);
        return (
          <button
            type="button"
            key={uid}
            className={uid === props.selected ? 'series-thumb selected' : 'series-thumb'}
            aria-pressed={uid === props.selected}
            onClick={() => props.onSelect(uid)}
          >
            <AuthImage src={seriesThumbnailUrl(props.study, uid)} alt="" />
            <span>
              {text(item, TAG.Modality)} #{text(item, TAG.SeriesNumber)} ·{' '}
              {num(item, TAG.NumberOfSeriesRelatedInstances) ?? '?'} img
            </span>
            <span className="muted">{text(item, TAG.SeriesDescription)}</span>
          </button>
        );
      })}
    </nav>
  );
}
