// Password login against POST /api/auth/login (the server keeps the refresh token in an httpOnly cookie), and
// the OpenID provider's button when the server names one (GET /api/auth/oidc).
import { useState, type FormEvent } from 'react';
import { oidcConfig, startOidcLogin } from '../api/oidc';
import { login } from '../api/session';
import { useAsync } from './use-async';

export function LoginPage({ reason }: { reason?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const oidc = useAsync(() => oidcConfig(), []);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username, password);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  const external = async () => {
    setError(undefined);
    try {
      await startOidcLogin(oidc.data!);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} aria-label="Log in">
        <h1>Lantern</h1>
        {reason && (
          <p className="notice" role="status">
            {reason}
          </p>
        )}
        <label>
          User name
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoFocus
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        {oidc.data?.configured && (
          <button type="button" onClick={() => void external()} title={oidc.data.issuer}>
            Log in with the hospital identity provider
          </button>
        )}
      </form>
    </main>
  );
}
