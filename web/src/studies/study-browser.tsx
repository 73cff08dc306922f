// Study browser: search with filters, page through the total, open a study to its series and instances.
import { Fragment, useState } from 'react';
import { qido } from '../api/dicomweb';
import { displayDate, num, personName, TAG, text, texts } from '../api/dicom-json';
import { ErrorMessage } from '../shell/error-message';
import { Pager } from '../shell/pager';
import { Link, navigate, useLocation } from '../shell/router';
import { useAsync } from '../shell/use-async';
import { filtersFromParams, filtersToSearch, PAGE_SIZE, qidoParams, type StudyFilters } from './study-search';
import { StudyDetails } from './study-details';
import { StudySearchForm } from './study-search-form';

export function StudyBrowser() {
  const location = useLocation();
  const filters = filtersFromParams(location.params);
  const key = filtersToSearch(filters);
  const result = useAsync(() => qido('/studies', qidoParams(filters)), [key]);
  const [open, setOpen] = useState<string>();
  const go = (next: StudyFilters) => navigate(`/studies${filtersToSearch(next)}`);

  return (
    <section className="page">
      <h1>Studies</h1>
      <StudySearchForm key={key} initial={filters} onSearch={go} />
      <ErrorMessage error={result.error} onRetry={result.reload} />
      {result.data && (
        <>
          <Pager
            page={filters.page}
            pageSize={PAGE_SIZE}
            total={result.data.total}
            onPage={(page) => go({ ...filters, page })}
          />
          <table className="grid" data-testid="study-table">
            <thead>
              <tr>
                <th>Patient</th>
                <th>ID</th>
                <th>Date</th>
                <th>Modality</th>
                <th>Description</th>
                <th>Accession</th>
                <th>Series / images</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {result.data.matches.map((item) => {
                const uid = text(item, TAG.StudyInstanceUID);
                const expanded = open === uid;
                return (
                  <Fragment key={uid}>
                    <tr className={expanded ? 'selected' : undefined}>
                      <td>
                        <button
                          type="button"
                          className="link"
                          aria-expanded={expanded}
                          onClick={() => setOpen(expanded ? undefined : uid)}
                        >
                          {personName(text(item, TAG.PatientName)) || '(no name)'}
                        </button>
                      </td>
                      <td>{text(item, TAG.PatientID)}</td>
                      <td>{displayDate(text(item, TAG.StudyDate))}</td>
                      <td>{texts(item, TAG.ModalitiesInStudy).join(', ')}</td>
                      <td>{text(item, TAG.StudyDescription)}</td>
                      <td>{text(item, TAG.AccessionNumber)}</td>
                      <td>
                        {num(item, TAG.NumberOfStudyRelatedSeries) ?? '?'} /{' '}
                        {num(item, TAG.NumberOfStudyRelatedInstances) ?? '?'}
                      </td>
                      <td>
                        <Link href={`/viewer/${uid}`}>View</Link>
                      </td>
                    </tr>
                    {expanded && (
                      <tr>
                        <td colSpan={8}>
                          <StudyDetails study={uid} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {result.data.total === 0 && <p className="muted">No studies match. Widen the filters.</p>}
        </>
      )}
      {result.loading && !result.data && <p className="muted">Searching…</p>}
    </section>
  );
}
