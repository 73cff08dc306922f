// The running settings, read-only, grouped as in the settings file; secrets are shown only as set.
import { settings } from '../api/admin';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(show).join(', ');
  if (value && typeof value === 'object') return JSON.stringify(value);
  if (value === '') return '(empty)';
  return String(value);
}

function rows(prefix: string, value: unknown): [string, string][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
      rows(prefix ? `${prefix}.${key}` : key, inner),
    );
  }
  return [[prefix, show(value)]];
}

export function SettingsPage() {
  const answer = useAsync(() => settings.get(), []);
  const all = answer.data ? rows('', answer.data.settings) : [];
  return (
    <section aria-label="Settings">
      <h2>Settings</h2>
      <p className="muted">
        As the server runs now (settings file, then LANTERN_* variables). Change them in the file and restart.
      </p>
      <ErrorMessage error={answer.error} onRetry={answer.reload} />
      <table className="grid settings" data-testid="settings-table">
        <tbody>
          {all.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
