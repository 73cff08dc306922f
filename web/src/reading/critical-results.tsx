// Critical results: the record that an urgent finding was communicated, to whom, how and when. The server
// keeps each record with the report version current at the time.
import { useState, type FormEvent } from 'react';
import { NOTIFICATION_METHODS, reports, type CriticalResult } from '../api/reports';
import { ErrorMessage } from '../shell/error-message';

export function CriticalResults(props: { orderId: number; records: CriticalResult[]; onRecorded(): void }) {
  const [finding, setFinding] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [method, setMethod] = useState<string>('phone');
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await reports.recordCriticalResult(props.orderId, {
        finding: finding.trim(),
        notified: { name: name.trim(), ...(role.trim() ? { role: role.trim() } : {}) },
        method,
      });
      setFinding('');
      setName('');
      setRole('');
      setOpen(false);
      props.onRecorded();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section className="critical" aria-label="Critical results">
      <h3>Critical results</h3>
      {props.records.length > 0 && (
        <ul data-testid="critical-results">
          {props.records.map((r) => (
            <li key={r.id}>
              <strong>{r.finding}</strong> — told {r.notified.name}
              {r.notified.role ? ` (${r.notified.role})` : ''} by {r.method},{' '}
              {new Date(r.notifiedAt).toLocaleString()} (report v{r.version})
            </li>
          ))}
        </ul>
      )}
      {!open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          Record critical result…
        </button>
      ) : (
        <form onSubmit={submit} aria-label="Record critical result" className="stacked">
          <label>
            Finding
            <input name="finding" value={finding} onChange={(e) => setFinding(e.target.value)} required />
          </label>
          <label>
            Notified person
            <input name="notifiedName" value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Their role
            <input name="notifiedRole" value={role} onChange={(e) => setRole(e.target.value)} />
          </label>
          <label>
            How
            <select name="method" value={method} onChange={(e) => setMethod(e.target.value)}>
              {NOTIFICATION_METHODS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <ErrorMessage error={error} />
          <div className="inline">
            <button type="submit" className="primary">
              Record
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
