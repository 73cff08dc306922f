// The login session (src/adapters/api/auth-routes.ts): the server keeps the access and refresh tokens in
// httpOnly cookies and a CSRF token in a readable one; this module only tracks who is logged in. With
// authentication off on the server, there is no session and every screen is shown.
import { csrfToken, setAuthHooks } from './http';

export interface SessionUser {
  username: string;
  roles: string[];
  mustChangePassword: boolean;
}

export type SessionState =
  | { kind: 'unknown' }
  | { kind: 'open' } // the server does not ask for credentials
  | { kind: 'signed-out'; reason?: string }
  | { kind: 'signed-in'; user: SessionUser };

interface SessionAnswer {
  user?: { username?: string; displayName?: string; roles?: string[]; mustChangePassword?: boolean };
}

let state: SessionState = { kind: 'unknown' };
const listeners = new Set<(state: SessionState) => void>();

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener(state);
}

export function sessionState(): SessionState {
  return state;
}

export function onSessionChange(listener: (state: SessionState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function userOf(answer: SessionAnswer, fallbackName: string): SessionUser {
  return {
    username: answer.user?.displayName ?? answer.user?.username ?? fallbackName,
    roles: answer.user?.roles ?? [],
    mustChangePassword: answer.user?.mustChangePassword ?? false,
  };
}

function post(path: string, body?: unknown): Promise<Response> {
  const csrf = csrfToken();
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

let refreshing: Promise<boolean> | undefined;

/** Uses the refresh cookie for new tokens; one refresh at a time however many requests ask. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await post('/api/auth/refresh');
      if (!response.ok) return false;
      const answer = (await response.json()) as SessionAnswer;
      setState({
        kind: 'signed-in',
        user: userOf(answer, state.kind === 'signed-in' ? state.user.username : ''),
      });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

export async function login(username: string, password: string): Promise<void> {
  const response = await post('/api/auth/login', { username, password });
  if (!response.ok) {
    let detail = '';
    try {
      detail = String(((await response.json()) as { detail?: string }).detail ?? '');
    } catch {
      // No problem body.
    }
    throw new Error(
      response.status === 401 || response.status === 400
        ? `Login failed: ${detail || 'wrong user name or password.'}`
        : response.status === 429
          ? 'Too many attempts; wait a minute and try again.'
          : `Login failed (${response.status}). ${detail}`,
    );
  }
  setState({ kind: 'signed-in', user: userOf((await response.json()) as SessionAnswer, username) });
}

export async function logout(): Promise<void> {
  try {
    await post('/api/auth/logout');
  } finally {
    setState({ kind: 'signed-out' });
  }
}

interface MeAnswer {
  actor?: { kind?: string; id?: string; username?: string; roles?: string[] };
}

/**
 * Works out at start who we are: GET /api/auth/me answers the anonymous actor when authentication is off,
 * the user when the session cookie is still good, and 401 otherwise (then the refresh cookie may renew it).
 */
export async function startSession(): Promise<void> {
  try {
    const me = await fetch('/api/auth/me', {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (me.status === 404) return setState({ kind: 'open' }); // a server without authentication routes
    if (me.ok) {
      const { actor } = (await me.json()) as MeAnswer;
      if (!actor || actor.id === 'anonymous') return setState({ kind: 'open' });
      return setState({
        kind: 'signed-in',
        user: {
          username: actor.username ?? actor.id ?? '',
          roles: actor.roles ?? [],
          mustChangePassword: false,
        },
      });
    }
    if (me.status === 401 && (await refreshSession())) return;
    setState({ kind: 'signed-out' });
  } catch {
    setState({ kind: 'signed-out', reason: 'Cannot reach the Lantern server; reload when it is back.' });
  }
}

setAuthHooks({
  refresh: () => (state.kind === 'open' ? Promise.resolve(false) : refreshSession()),
  unauthenticated: () => {
    if (state.kind === 'open') return;
    setState({ kind: 'signed-out', reason: 'Your session has ended; please log in again.' });
  },
});
