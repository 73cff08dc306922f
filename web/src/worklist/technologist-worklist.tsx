// Today's exams per modality or room, in scheduled order, with their status and the next step.
import { Fragment, useEffect, useState } from 'react';
import { orders, patientName, patients, resources, timeOf, type Order, type Patient } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';
import { EXAM_ACTIONS } from './exam-actions';
import { ExamNotes } from './exam-notes';

function todayBounds(): { from: string; to: string } {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { from: start.toISOString(), to: end.toISOString() };
}

export function TechnologistWorklist() {
  const [room, setRoom] = useState('');
  const rooms = useAsync(() => resources.list(), []);
  const day = todayBounds();
  const list = useAsync(
    () => orders.search({ scheduledFrom: day.from, scheduledTo: day.to, limit: 500 }),
    [],
  );
  const [names, setNames] = useState<Record<number, Patient>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<number>();
  // The exam whose notes are open under its row.
  const [notesOf, setNotesOf] = useState<number>();

  useEffect(() => {
    // Orders carry the patient key only; the names come from the patient API, once each.
    const missing = [...new Set((list.data?.orders ?? []).map((o) => o.patientRef))].filter(
      (id) => !names[id],
    );
    if (missing.length === 0) return;
    void Promise.all(missing.map((id) => patients.get(id).catch(() => undefined))).then((found) =>
      setNames((known) => ({
        ...known,
        ...Object.fromEntries(found.filter(Boolean).map((p) => [p!.id, p!])),
      })),
    );
  }, [list.data, names]);

  const act = async (order: Order, to: string) => {
    setBusy(order.id);
    setError(undefined);
    try {
      await orders.transition(order.id, to);
      list.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  const inRoom = (order: Order) =>
    !room ||
    order.steps.some((s) =>
      room.startsWith('#') ? String(s.resourceId) === room.slice(1) : s.modality === room,
    );
  const shown = (list.data?.orders ?? [])
    .filter(inRoom)
    .sort((a, b) => (a.steps[0]?.scheduledStart ?? '').localeCompare(b.steps[0]?.scheduledStart ?? ''));
  const modalities = [...new Set((rooms.data?.resources ?? []).map((r) => r.modality))];

  return (
    <section className="page">
      <h1>Today's worklist</h1>
      <div className="inline">
        <label>
          Modality or room
          <select name="room" value={room} onChange={(e) => setRoom(e.target.value)}>
            <option value="">All</option>
            {modalities.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
            {(rooms.data?.resources ?? []).map((r) => (
              <option key={r.id} value={`#${r.id}`}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={list.error ?? rooms.error ?? error} onRetry={list.reload} />
      <table className="grid" data-testid="worklist">
        <thead>
          <tr>
            <th>Time</th>
            <th>Room</th>
            <th>Patient</th>
            <th>Procedure</th>
            <th>Accession</th>
            <th>Priority</th>
            <th>Status</th>
            <th>Next</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((order) => {
            const step = order.steps[0];
            return (
              <Fragment key={order.id}>
                <tr data-accession={order.accessionNumber}>
                  <td>{timeOf(step?.scheduledStart ?? null)}</td>
                  <td>{step?.stationName ?? step?.stationAeTitle ?? ''}</td>
                  <td>
                    {patientName(names[order.patientRef])}{' '}
                    <span className="muted">{names[order.patientRef]?.patientId}</span>
                  </td>
                  <td>{order.procedure.meaning}</td>
                  <td>{order.accessionNumber}</td>
                  <td className={order.priority === 'ROUTINE' ? '' : 'urgent'}>{order.priority}</td>
                  <td>
                    <span className={`status ${order.status}`} data-testid="status">
                      {order.status}
                    </span>
                  </td>
                  <td className="actions">
                    {(EXAM_ACTIONS[order.status] ?? []).map((action) => (
                      <button
                        type="button"
                        key={action.to}
                        disabled={busy === order.id}
                        onClick={() => void act(order, action.to)}
                      >
                        {action.label}
                      </button>
                    ))}
                  </td>
                  <td>
                    <button
                      type="button"
                      aria-expanded={notesOf === order.id}
                      onClick={() => setNotesOf(notesOf === order.id ? undefined : order.id)}
                    >
                      Notes
                    </button>
                  </td>
                </tr>
                {notesOf === order.id && (
                  <tr className="notes-row" data-notes-of={order.accessionNumber}>
                    <td colSpan={9}>
                      <ExamNotes orderId={order.id} title={`Notes on ${order.accessionNumber}`} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {list.data && shown.length === 0 && (
        <p className="muted">Nothing scheduled today{room ? ' here' : ''}.</p>
      )}
    </section>
  );
}
