// HL7: the destinations Lantern sends to (settings), counts by state, and the message log with replay.
import { useState } from 'react';
import { hl7, settings, type Hl7Message } from '../api/admin';
import { ErrorMessage } from '../shell/error-message';
import { Pager } from '../shell/pager';
import { useAsync } from '../shell/use-async';

const PAGE = 25;
const STATES = ['', 'pending', 'processed', 'failed', 'dead-letter', 'duplicate', 'rejected'];

export function Hl7Page() {
  const config = useAsync(() => settings.get(), []);
  const counts = useAsync(() => hl7.counts(), []);
  const [direction, setDirection] = useState('');
  const [state, setState] = useState('');
  const [page, setPage] = useState(0);
  const list = useAsync(
    () => hl7.list({ direction, state, limit: PAGE, offset: page * PAGE }),
    [direction, state, page],
  );
  const [open, setOpen] = useState<number>();
  const detail = useAsync(() => (open ? hl7.get(open) : Promise.resolve(undefined)), [open]);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const destinations = config.data?.settings.hl7?.destinations ?? [];

  const replay = async (message: Hl7Message) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await hl7.replay(message);
      setNotice(`Message ${message.id} (${message.messageType}) queued again.`);
      list.reload();
      counts.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section aria-label="HL7">
      <h2>HL7 destinations</h2>
      <ErrorMessage error={config.error} onRetry={config.reload} />
      {destinations.length === 0 ? (
        <p className="muted">No destination is configured (hl7.destinations in the settings file).</p>
      ) : (
        <table className="grid" data-testid="hl7-destinations">
          <thead>
            <tr>
              <th>Name</th>
              <th>Address</th>
              <th>Receiving application</th>
              <th>Messages</th>
            </tr>
          </thead>
          <tbody>
            {destinations.map((d) => (
              <tr key={d.name}>
                <td>{d.name}</td>
                <td>
                  {d.host}:{d.port}
                  {d.tls ? ' (TLS)' : ''}
                </td>
                <td>
                  {d.receivingApplication} {d.receivingFacility}
                </td>
                <td>{d.messages.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Message log</h2>
      {counts.data && (
        <p className="muted" data-testid="hl7-counts">
          {Object.entries(counts.data)
            .map(
              ([dir, byState]) =>
                `${dir}: ${
                  Object.entries(byState)
                    .filter(([, n]) => n > 0)
                    .map(([s, n]) => `${n} ${s}`)
                    .join(', ') || 'none'
                }`,
            )
            .join(' · ')}
        </p>
      )}
      <div className="inline">
        <label>
          Direction
          <select
            name="direction"
            value={direction}
            onChange={(e) => (setDirection(e.target.value), setPage(0))}
          >
            <option value="">both</option>
            <option value="inbound">inbound</option>
            <option value="outbound">outbound</option>
          </select>
        </label>
        <label>
          State
          <select name="state" value={state} onChange={(e) => (setState(e.target.value), setPage(0))}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => (list.reload(), counts.reload())}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={list.error ?? error} onRetry={list.reload} />
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {list.data && <Pager page={page} pageSize={PAGE} total={list.data.total} onPage={setPage} />}
      <table className="grid" data-testid="hl7-messages">
        <thead>
          <tr>
            <th>#</th>
            <th>Received</th>
            <th>Direction</th>
            <th>Type</th>
            <th>Control ID</th>
            <th>From / to</th>
            <th>State</th>
            <th>ACK</th>
            <th>Last error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.messages ?? []).map((m) => (
            <tr key={m.id} data-control-id={m.controlId}>
              <td>{m.id}</td>
              <td>{new Date(m.createdAt).toLocaleString()}</td>
              <td>{m.direction}</td>
              <td>{m.messageType}</td>
              <td>{m.controlId}</td>
              <td>{m.direction === 'inbound' ? `${m.sendingApplication} ${m.peer}` : m.peer}</td>
              <td data-testid="hl7-state">{m.state}</td>
              <td>{m.ackCode ?? ''}</td>
              <td className="wrap">{m.lastError ?? ''}</td>
              <td className="actions">
                <button type="button" onClick={() => setOpen(open === m.id ? undefined : m.id)}>
                  {open === m.id ? 'Hide' : 'Show'}
                </button>
                <button type="button" onClick={() => void replay(m)}>
                  {m.direction === 'inbound' ? 'Replay' : 'Resend'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={detail.error} />
      {detail.data && (
        <div className="columns two">
          <pre className="message" aria-label="Message text">
            {detail.data.text}
          </pre>
          <pre className="message" aria-label="Acknowledgement">
            {detail.data.ackText ?? '(no acknowledgement)'}
          </pre>
        </div>
      )}
    </section>
  );
}
