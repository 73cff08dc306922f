// A study opened in the browser: its series with thumbnails; a series opens to its instances.
import { useState } from 'react';
import { instanceThumbnailUrl, qido, seriesThumbnailUrl } from '../api/dicomweb';
import { num, TAG, text } from '../api/dicom-json';
import { AuthImage } from '../shell/auth-image';
import { ErrorMessage } from '../shell/error-message';
import { Link } from '../shell/router';
import { useAsync } from '../shell/use-async';

export function StudyDetails({ study }: { study: string }) {
  const series = useAsync(
    () => qido(`/studies/${study}/series`, { includefield: 'SeriesDescription' }),
    [study],
  );
  const [open, setOpen] = useState<string>();
  if (series.error) return <ErrorMessage error={series.error} onRetry={series.reload} />;
  if (!series.data) return <p className="muted">Loading series…</p>;
  return (
    <div className="study-details">
      <Link href={`/viewer/${study}`} className="button primary">
        Open in viewer
      </Link>
      <ul className="series-list">
        {series.data.matches.map((item) => {
          const uid = text(item, TAG.SeriesInstanceUID);
          return (
            <li key={uid}>
              <button
                type="button"
                className="series-row"
                aria-expanded={open === uid}
                onClick={() => setOpen(open === uid ? undefined : uid)}
              >
                <AuthImage src={seriesThumbnailUrl(study, uid)} alt="" className="thumb" />
                <span>
                  {text(item, TAG.Modality)} series {text(item, TAG.SeriesNumber)} —{' '}
                  {text(item, TAG.SeriesDescription) || 'no description'} ·{' '}
                  {num(item, TAG.NumberOfSeriesRelatedInstances) ?? '?'} instances
                </span>
              </button>
              {open === uid && <SeriesInstances study={study} series={uid} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function SeriesInstances({ study, series }: { study: string; series: string }) {
  const instances = useAsync(
    () => qido(`/studies/${study}/series/${series}/instances`, { limit: 200 }),
    [study, series],
  );
  if (instances.error) return <ErrorMessage error={instances.error} onRetry={instances.reload} />;
  if (!instances.data) return <p className="muted">Loading instances…</p>;
  return (
    <div className="instance-grid" data-testid="instances">
      {instances.data.matches.map((item) => {
        const sop = text(item, TAG.SOPInstanceUID);
        return (
          <Link key={sop} href={`/viewer/${study}/${series}`} className="instance" title={sop}>
            <AuthImage
              src={instanceThumbnailUrl(study, series, sop)}
              alt={`Instance ${text(item, TAG.InstanceNumber)}`}
            />
            <span>
              #{text(item, TAG.InstanceNumber)} · {text(item, TAG.Rows)}×{text(item, TAG.Columns)}
            </span>
          </Link>
        );
      })}
      {instances.data.total > instances.data.matches.length && (
        <p className="muted">
          Showing {instances.data.matches.length} of {instances.data.total}; the viewer shows them all.
        </p>
      )}
    </div>
  );
}
