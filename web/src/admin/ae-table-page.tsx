// Administration: the AE table of remote DICOM nodes, with add, remove and a C-ECHO test per node.
import { useState, type FormEvent } from 'react';
import { apiJson } from '../api/http';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

interface Ae {
  aeTitle: string;
  host: string;
  port: number;
  permissions: string[];
  description?: string | null;
}

const PERMISSIONS = ['echo', 'store', 'query', 'retrieve'];

export function AeTablePage() {
  const list = useAsync(() => apiJson<{ aes: Ae[] }>('/api/aes'), []);
  const [echo, setEcho] = useState<Record<string, { ok: boolean; text: string } | 'running'>>({});
  const [error, setError] = useState<unknown>();

  const test = async (aeTitle: string) => {
    setEcho((e) => ({ ...e, [aeTitle]: 'running' }));
    try {
      const answer = await apiJson<{ ok: boolean; milliseconds?: number; error?: string }>(
        `/api/aes/${encodeURIComponent(aeTitle)}/echo`,
        { method: 'POST' },
      );
      const text = answer.ok
        ? `C-ECHO answered in ${Math.round(answer.milliseconds ?? 0)} ms`
        : `No answer: ${answer.error ?? 'unknown reason'}. Check host, port and that the node knows our AE title.`;
      setEcho((e) => ({ ...e, [aeTitle]: { ok: answer.ok, text } }));
    } catch (failure) {
      setEcho((e) => ({ ...e, [aeTitle]: { ok: false, text: (failure as Error).message } }));
    }
  };
  const remove = async (aeTitle: string) => {
    if (!window.confirm(`Remove ${aeTitle} from the AE table?`)) return;
    setError(undefined);
    try {
      await apiJson<void>(`/api/aes/${encodeURIComponent(aeTitle)}`, { method: 'DELETE' });
      list.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section>
      <h2>DICOM nodes</h2>
      <ErrorMessage error={list.error ?? error} onRetry={list.reload} />
      <table className="grid" data-testid="ae-table">
        <thead>
          <tr>
            <th>AE title</th>
            <th>Host</th>
            <th>Port</th>
            <th>Permissions</th>
            <th>Description</th>
            <th>Test</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.aes ?? []).map((ae) => {
            const result = echo[ae.aeTitle];
            return (
              <tr key={ae.aeTitle}>
                <td>{ae.aeTitle}</td>
                <td>{ae.host}</td>
                <td>{ae.port}</td>
                <td>{ae.permissions.join(', ')}</td>
                <td>{ae.description ?? ''}</td>
                <td>
                  <button type="button" disabled={result === 'running'} onClick={() => void test(ae.aeTitle)}>
                    C-ECHO
                  </button>{' '}
                  {result && result !== 'running' && (
                    <span
                      className={result.ok ? 'success' : 'error-text'}
                      role="status"
                      data-testid="echo-result"
                    >
                      {result.text}
                    </span>
                  )}
                </td>
                <td>
                  <button type="button" onClick={() => void remove(ae.aeTitle)}>
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {list.data && list.data.aes.length === 0 && <p className="muted">No remote nodes yet.</p>}
      <AddAeForm onAdded={list.reload} />
    </section>
  );
}

function AddAeForm({ onAdded }: { onAdded(): void }) {
  const [form, setForm] = useState({ aeTitle: '', host: '', port: '104', description: '' });
  const [permissions, setPermissions] = useState<string[]>(['echo', 'store']);
  const [error, setError] = useState<unknown>();
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [key]: event.target.value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await apiJson(`/api/aes/${encodeURIComponent(form.aeTitle.trim())}`, {
        method: 'PUT',
        json: {
          host: form.host.trim(),
          port: Number(form.port),
          permissions,
          ...(form.description.trim() ? { description: form.description.trim() } : {}),
        },
      });
      setForm({ aeTitle: '', host: '', port: '104', description: '' });
      onAdded();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Add DICOM node">
      <h2>Add or change a node</h2>
      <div className="inline">
        <label>
          AE title
          <input name="aeTitle" value={form.aeTitle} onChange={set('aeTitle')} maxLength={16} required />
        </label>
        <label>
          Host
          <input name="host" value={form.host} onChange={set('host')} required />
        </label>
        <label>
          Port
          <input
            name="port"
            type="number"
            min={1}
            max={65535}
            value={form.port}
            onChange={set('port')}
            required
          />
        </label>
        <label>
          Description
          <input name="description" value={form.description} onChange={set('description')} />
        </label>
        <fieldset>
          <legend>Permissions</legend>
          {PERMISSIONS.map((p) => (
            <label key={p} className="check">
              <input
                type="checkbox"
                checked={permissions.includes(p)}
                onChange={(e) =>
                  setPermissions(e.target.checked ? [...permissions, p] : permissions.filter((x) => x !== p))
                }
              />
              {p}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="primary">
        Save
      </button>
    </form>
  );
}
