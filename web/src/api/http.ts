// The one way the UI talks to Lantern: fetch with the session's access token, problem+json errors turned into
// messages a user can act on, and one retry after a token refresh when the server answers 401.

/** An API refusal or failure, with the server's own explanation (RFC 9457 `detail`) when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

export interface AuthHooks {
  /** Tries to renew the session; false when the user must log in again. */
  refresh(): Promise<boolean>;
  /** Called when a request stays 401 after a refresh attempt. */
  unauthenticated(): void;
}

let hooks: AuthHooks | undefined;
// An OpenID provider's access token, when the user logged in through it (api/oidc.ts); cookie sessions have none.
let bearer: string | undefined;

export function setBearerToken(token: string | undefined): void {
  bearer = token;
}

export function bearerToken(): string | undefined {
  return bearer;
}

export function setAuthHooks(next: AuthHooks): void {
  hooks = next;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The CSRF cookie's value (readable by design), echoed in X-CSRF-Token on unsafe requests (double-submit). */
export function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)lantern_csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

// The session travels in httpOnly cookies the server sets at login, so no token is ever held by a script.
function withSession(init: RequestInit): RequestInit {
  const headers = new Headers(init.headers);
  if (bearer) headers.set('authorization', `Bearer ${bearer}`);
  const csrf = csrfToken();
  if (csrf && UNSAFE.has((init.method ?? 'GET').toUpperCase())) headers.set('x-csrf-token', csrf);
  return { ...init, headers, credentials: 'same-origin' };
}

/** fetch with the session; retries once after refreshing the token. Does not throw on error statuses. */
export async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  let response = await fetch(url, withSession(init));
  if (response.status === 401 && hooks && (await hooks.refresh())) {
    response = await fetch(url, withSession(init));
  }
  if (response.status === 401) hooks?.unauthenticated();
  return response;
}

async function explain(response: Response, url: string): Promise<ApiError> {
  let detail = '';
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as { detail?: unknown; title?: unknown; message?: unknown };
      detail = String(body.detail ?? body.message ?? body.title ?? '');
    } catch {
      detail = text.slice(0, 300);
    }
  } catch {
    // The body could not be read; the status says enough.
  }
  const what = STATUS_HINTS[response.status] ?? `The server answered ${response.status}.`;
  return new ApiError(response.status, detail ? `${what} ${detail}` : what, url);
}

const STATUS_HINTS: Record<number, string> = {
  400: 'The request was refused:',
  401: 'Your session has ended; please log in again.',
  403: 'You do not have permission for this.',
  404: 'Not found:',
  409: 'This conflicts with the current state:',
  503: 'The server is busy or unavailable; try again shortly.',
};

/** JSON request; throws ApiError with the server's reason on any non-2xx answer. */
export async function apiJson<T>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (json !== undefined) headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await authorizedFetch(url, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  } catch {
    throw new ApiError(
      0,
      'Cannot reach the Lantern server. Check the network and that the server runs.',
      url,
    );
  }
  if (!response.ok) throw await explain(response, url);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
