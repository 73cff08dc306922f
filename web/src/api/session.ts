// The login session (src/adapters/api/auth-routes.ts): the server keeps the access and refresh tokens in
// httpOnly cookies and a CSRF token in a readable one; this module only tracks who is logged in. With
// authentication off on the server, there is no session and every screen is shown. A login through an
// OpenID provider (oidc.ts) holds the provider's token in this tab instead of cookies.
import { csrfToken, setAuthHooks, setBearerToken } from './http';
import {
  finishOidcLogin,
  forgetOidcToken,
  OIDC_CALLBACK_PATH,
  renewOidcToken,
  storedOidcToken,
} from './oidc';

export interface SessionUser {
  username: string;
  /** The person's name as shown, and as their signature on a report prints (the server takes it from the account). */
  displayName: string;
  roles: string[];
  mustChangePassword: boolean;
  /** cookie: Lantern's own login (refreshable, has a password) · oidc: the provider's token. */
  via: 'cookie' | 'oidc';
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
  const username = answer.user?.username || fallbackName;
  return {
    username,
    displayName: answer.user?.displayName || username,
    roles: answer.user?.roles ?? [],
    mustChangePassword: answer.user?.mustChangePassword ?? false,
    via: 'cookie',
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
  // A provider's token is renewed with the provider's refresh token, when it gave one.
  if (state.kind === 'signed-in' && state.user.via === 'oidc') {
    refreshing ??= renewOidcToken()
      .then((token) => {
        setBearerToken(token);
        return token !== undefined;
      })
      .finally(() => (refreshing = undefined));
    return refreshing;
  }
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
    if (state.kind === 'signed-in' && state.user.via === 'cookie') await post('/api/auth/logout');
  } finally {
    forgetOidcToken();
    setBearerToken(undefined);
    setState({ kind: 'signed-out' });
  }
}

/** The user's own password (POST /api/auth/password); clears the must-change mark of a one-time password. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const response = await post('/api/auth/password', { currentPassword, newPassword });
  if (!response.ok) {
    let detail = '';
    try {
      detail = String(((await response.json()) as { detail?: string }).detail ?? '');
    } catch {
      // No problem body.
    }
    throw new Error(
      response.status === 401
        ? `The current password is wrong${detail ? ` (${detail})` : ''}.`
        : `The password was not changed: ${detail || `the server answered ${response.status}`}.`,
    );
  }
  if (state.kind === 'signed-in') {
    setState({ kind: 'signed-in', user: { ...state.user, mustChangePassword: false } });
  }
}

interface MeAnswer {
  actor?: { kind?: string; id?: string; username?: string; displayName?: string; roles?: string[] };
}

/**
 * Works out at start who we are: GET /api/auth/me answers the anonymous actor when authentication is off,
 * the user when the session cookie is still good, and 401 otherwise (then the refresh cookie may renew it).
 */
// The callback's address holds a spent code: replace it, and tell the router (it listens for popstate).
function leaveCallbackPage(): void {
  history.replaceState(null, '', '/');
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** `renewed`: the provider's token was just renewed (asked once more, never in a loop). */
export async function startSession(renewed = false): Promise<void> {
  let via: SessionUser['via'] = 'cookie';
  if (location.pathname === OIDC_CALLBACK_PATH) {
    try {
      setBearerToken(await finishOidcLogin(new URLSearchParams(location.search)));
      via = 'oidc';
    } catch (failure) {
      leaveCallbackPage();
      return setState({ kind: 'signed-out', reason: (failure as Error).message });
    }
    leaveCallbackPage();
  } else {
    const token = storedOidcToken();
    if (token) {
      setBearerToken(token);
      via = 'oidc';
    }
  }
  try {
    const token = via === 'oidc' ? storedOidcToken() : undefined;
    const me = await fetch('/api/auth/me', {
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      // A server that does not answer gets a message and the login form, not an endless "Connecting…".
      signal: AbortSignal.timeout(15_000),
    });
    if (me.status === 404) return setState({ kind: 'open' }); // a server without authentication routes
    if (me.ok) {
      const { actor } = (await me.json()) as MeAnswer;
      if (!actor || actor.id === 'anonymous') return setState({ kind: 'open' });
      const username = actor.username ?? actor.id ?? '';
      return setState({
        kind: 'signed-in',
        user: {
          username,
          displayName: actor.displayName || username,
          roles: actor.roles ?? [],
          mustChangePassword: false,
          via,
        },
      });
    }
    if (via === 'oidc') {
      const renewedToken = me.status === 401 && !renewed ? await renewOidcToken() : undefined;
      if (renewedToken) {
        setBearerToken(renewedToken);
        return await startSession(true); // asks /api/auth/me again with the new token
      }
      forgetOidcToken();
      setBearerToken(undefined);
      return setState({
        kind: 'signed-out',
        reason: "The identity provider's login has ended; please log in again.",
      });
    }
    if (me.status === 401 && (await refreshSession())) return;
    setState({ kind: 'signed-out' });
  } catch {
    setState({
      kind: 'signed-out',
      reason: 'The Lantern server does not answer; log in again, or reload the page when it is back.',
    });
  }
}

setAuthHooks({
  refresh: () => (state.kind === 'open' ? Promise.resolve(false) : refreshSession()),
  unauthenticated: () => {
    if (state.kind === 'open' || state.kind === 'signed-out') return;
    const provider = state.kind === 'signed-in' && state.user.via === 'oidc';
    forgetOidcToken();
    setBearerToken(undefined);
    setState({
      kind: 'signed-out',
      reason: provider
        ? 'Your login through the identity provider has ended; please log in with it again.'
        : 'Your session has ended; please log in again.',
    });
  },
});
