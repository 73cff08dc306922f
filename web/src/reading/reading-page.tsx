// Radiologist: the reading worklist; an entry opens the viewer with the report beside it (/reading/<order>).
import { useState } from 'react';
import { apiJson } from '../api/http';
import { reading, type ReadingEntry } from '../api/reports';
import type { Order } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { Link, navigate } from '../shell/router';
import { useAsync } from '../shell/use-async';
import { ViewerPage } from '../viewer/viewer-page';
import { ExamNotes } from '../worklist/exam-notes';
import { PriorStudies } from './prior-studies';
import { ReportEditor } from './report-editor';

export function ReadingPage({ orderId, series }: { orderId?: number; series?: string }) {
  return orderId ? <ReadingSession orderId={orderId} {...(series ? { series } : {})} /> : <ReadingWorklist />;
}

function age(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / 1440)} d`;
}

function ReadingWorklist() {
  const [modality, setModality] = useState('');
  const list = useAsync(
    () => reading.worklist({ ...(modality ? { modality } : {}), limit: 100 }),
    [modality],
  );
  const [error, setError] = useState<unknown>();
  const open = async (entry: ReadingEntry) => {
    setError(undefined);
    try {
      await reading.claim(entry.orderId);
      navigate(`/reading/${entry.orderId}`);
    } catch (failure) {
      setError(failure);
      list.reload();
    }
  };
  return (
    <section className="page">
      <h1>Reading worklist</h1>
      <div className="inline">
        <label>
          Modality
          <input
            name="modality"
            value={modality}
            onChange={(e) => setModality(e.target.value.toUpperCase())}
            size={4}
          />
        </label>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
        {list.data && <span data-testid="total">{list.data.total} to read</span>}
      </div>
      <ErrorMessage error={list.error ?? error} onRetry={list.reload} />
      <table className="grid" data-testid="reading-worklist">
        <thead>
          <tr>
            <th>Priority</th>
            <th>Age</th>
            <th>Modality</th>
            <th>Patient</th>
            <th>Procedure</th>
            <th>Accession</th>
            <th>Status</th>
            <th>AI</th>
            <th>Claimed by</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.entries ?? []).map((entry) => (
            <tr key={entry.orderId}>
              <td className={entry.priority === 'ROUTINE' ? '' : 'urgent'}>{entry.priority}</td>
              <td>{age(entry.ageMinutes)}</td>
              <td>{entry.procedure.modality}</td>
              <td>
                {entry.patient.name?.replace('^', ', ') ?? '—'}{' '}
                <span className="muted">{entry.patient.patientId}</span>
              </td>
              <td>{entry.procedure.meaning}</td>
              <td>{entry.accessionNumber}</td>
              <td>{entry.status}</td>
              <td>{entry.aiFlag ?? ''}</td>
              <td>{entry.claim?.by ?? ''}</td>
              <td>
                <button type="button" onClick={() => void open(entry)}>
                  Read
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && list.data.total === 0 && <p className="muted">Nothing waits to be read.</p>}
    </section>
  );
}

function ReadingSession({ orderId, series }: { orderId: number; series?: string }) {
  const order = useAsync(() => apiJson<Order>(`/api/orders/${orderId}`), [orderId]);
  const [viewing, setViewing] = useState<string>();
  const [priorSeries, setPriorSeries] = useState<string>();
  if (order.error) return <ErrorMessage error={order.error} onRetry={order.reload} />;
  if (!order.data) return <p className="muted page">Loading order…</p>;
  // The study linked to the order: a modality may have stored it under its own Study Instance UID.
  const current = order.data.examStudyInstanceUids[0] ?? order.data.studyInstanceUid;
  const shown = viewing ?? current;
  return (
    <ViewerPage
      key={shown}
      study={shown}
      {...(shown === current
        ? series
          ? { series }
          : {}
        : { onSelectSeries: setPriorSeries, ...(priorSeries ? { series: priorSeries } : {}) })}
      basePath={`/reading/${orderId}/series`}
      side={
        <>
          <Link href="/reading">‹ Back to the worklist</Link>
          <PriorStudies
            patientRef={order.data.patientRef}
            current={current}
            shown={shown}
            onShow={(uid) => {
              setViewing(uid === current ? undefined : uid);
              setPriorSeries(undefined);
            }}
          />
          <ExamNotes orderId={orderId} title="Technologist's notes" />
          <ReportEditor orderId={orderId} procedureId={order.data.procedure.id} />
        </>
      }
    />
  );
}
