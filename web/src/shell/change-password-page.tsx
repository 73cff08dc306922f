// Changing one's own password: forced after a one-time password (the server refuses everything else until
// then), and offered from the top bar at any time.
import { useState, type FormEvent } from 'react';
import { changePassword, logout } from '../api/session';

export function ChangePasswordPage(props: { forced: boolean; onDone?: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (next !== again) return setError('The two new passwords differ; type the same one twice.');
    setBusy(true);
    try {
      await changePassword(current, next);
      props.onDone?.();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} aria-label="Change password">
        <h1>Change password</h1>
        {props.forced && (
          <p className="notice">You logged in with a one-time password. Choose your own password to go on.</p>
        )}
        <label>
          Current password
          <input
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            autoFocus
            required
          />
        </label>
        <label>
          New password
          <input
            name="newPassword"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <label>
          New password again
          <input
            name="newPasswordAgain"
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            required
          />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Change password'}
        </button>
        {props.forced ? (
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        ) : (
          <button type="button" onClick={props.onDone}>
            Cancel
          </button>
        )}
      </form>
    </main>
  );
}
