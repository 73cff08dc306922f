// The audit trail for auditors: filter by time, action, outcome, actor and patient; newest first, paged with
// the total. Looking is itself recorded by the server.
import { useState, type FormEvent } from 'react';
import { audit, type AuditFilters } from '../api/admin';
import { ErrorMessage } from '../shell/error-message';
import { Pager } from '../shell/pager';
import { useAsync } from '../shell/use-async';

const PAGE = 50;

/** A datetime-local field's value as an ISO instant (the browser's time zone), or undefined when empty. */
function instant(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

export function AuditPage() {
  const [form, setForm] = useState({ from: '', to: '', action: '', outcome: '', actor: '', patientId: '' });
  const [filters, setFilters] = useState<AuditFilters>({});
  const [page, setPage] = useState(0);
  const result = useAsync(
    () => audit.search({ ...filters, limit: PAGE, offset: page * PAGE }),
    [filters, page],
  );
  const field = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });
  const search = (event: FormEvent) => {
    event.preventDefault();
    const next: AuditFilters = {};
    const from = instant(form.from);
    const to = instant(form.to);
    if (from) next.from = from;
    if (to) next.to = to;
    if (form.action.trim()) next.action = form.action.trim();
    if (form.outcome) next.outcome = form.outcome;
    if (form.actor.trim()) next.actor = form.actor.trim();
    if (form.patientId.trim()) next.patientId = form.patientId.trim();
    setFilters(next);
    setPage(0);
  };
  return (
    <section className="page">
      <h1>Audit trail</h1>
      <form className="inline" onSubmit={search} aria-label="Audit filters">
        <label>
          From
          <input type="datetime-local" {...field('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" {...field('to')} />
        </label>
        <label>
          Action
          <input {...field('action')} placeholder="security. or order.place" />
        </label>
        <label>
          Outcome
          <select {...field('outcome')}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
          </select>
        </label>
        <label>
          Actor
          <input {...field('actor')} placeholder="user number, key or AE" size={10} />
        </label>
        <label>
          Patient ID
          <input {...field('patientId')} size={10} />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <ErrorMessage error={result.error} onRetry={result.reload} />
      {result.data && <Pager page={page} pageSize={PAGE} total={result.data.total} onPage={setPage} />}
      <table className="grid" data-testid="audit-table" aria-busy={result.loading}>
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Who</th>
            <th>Door</th>
            <th>From</th>
            <th>Action</th>
            <th>Outcome</th>
            <th>Patient</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {(result.data?.records ?? []).map((r) => (
            <tr key={r.seq} className={r.outcome === 'failure' ? 'failure' : ''}>
              <td>{r.seq}</td>
              <td>{new Date(r.recordedAt).toLocaleString()}</td>
              <td>
                {r.actor.kind} {r.actor.id}
              </td>
              <td>{r.door}</td>
              <td>{r.remoteAddress ?? ''}</td>
              <td data-testid="audit-action">{r.action}</td>
              <td>{r.outcome}</td>
              <td>{r.patientId ?? ''}</td>
              <td className="wrap detail">{r.detail ? JSON.stringify(r.detail) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
