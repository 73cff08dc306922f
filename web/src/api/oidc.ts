// Login through an external OpenID Connect provider (when the server names one: GET /api/auth/oidc), by the
// authorization code flow with PKCE (RFC 7636) in the browser: no client secret exists in a page. The
// provider's access token is sent as a bearer token, which Lantern verifies against the provider's keys; it
// lives in this tab's sessionStorage only, so closing the tab ends the session. When the provider gives a
// refresh token with it, an expired access token is renewed with that (grant_type=refresh_token, RFC 6749 6),
// as a password session is renewed by its refresh cookie; without one, the user logs in again.

export interface OidcConfig {
  configured: boolean;
  issuer?: string;
  clientId?: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

const PENDING = 'lantern.oidc.pending';
const TOKEN = 'lantern.oidc.token';
const RENEWAL = 'lantern.oidc.renewal';

interface Renewal {
  refreshToken: string;
  tokenEndpoint: string;
  clientId: string;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  error_description?: string;
}

/** Keeps the tokens of a provider's answer for this tab: the access token, and how to renew it if it can be. */
function keepTokens(
  answer: TokenAnswer & { access_token: string },
  endpoint: Omit<Renewal, 'refreshToken'>,
): void {
  sessionStorage.setItem(TOKEN, answer.access_token);
  const previous = JSON.parse(sessionStorage.getItem(RENEWAL) ?? 'null') as Renewal | null;
  const refreshToken = answer.refresh_token ?? previous?.refreshToken;
  if (refreshToken) sessionStorage.setItem(RENEWAL, JSON.stringify({ ...endpoint, refreshToken }));
  else sessionStorage.removeItem(RENEWAL);
}

/**
 * A new access token from the provider's refresh token, or undefined when there is none or the provider
 * refuses it (the refresh token expired or was revoked: the user logs in again).
 */
export async function renewOidcToken(): Promise<string | undefined> {
  const renewal = JSON.parse(sessionStorage.getItem(RENEWAL) ?? 'null') as Renewal | null;
  if (!renewal) return undefined;
  try {
    const response = await fetch(renewal.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: renewal.refreshToken,
        client_id: renewal.clientId,
      }),
    });
    const answer = (await response.json().catch(() => ({}))) as TokenAnswer;
    if (response.ok && answer.access_token) {
      keepTokens({ ...answer, access_token: answer.access_token }, renewal);
      return answer.access_token;
    }
  } catch {
    // The provider cannot be reached: as good as refused.
  }
  sessionStorage.removeItem(RENEWAL);
  return undefined;
}
export const OIDC_CALLBACK_PATH = '/oidc-callback';

export async function oidcConfig(): Promise<OidcConfig> {
  try {
    const response = await fetch('/api/auth/oidc', { headers: { accept: 'application/json' } });
    return response.ok ? ((await response.json()) as OidcConfig) : { configured: false };
  } catch {
    return { configured: false };
  }
}

async function discover(issuer: string): Promise<Discovery> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new Error(
      `Cannot reach the identity provider at ${issuer}. Check the network or ask an administrator.`,
    );
  }
  if (!response.ok) throw new Error(`The identity provider answered ${response.status} for ${url}.`);
  return (await response.json()) as Discovery;
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

const redirectUri = () => `${location.origin}${OIDC_CALLBACK_PATH}`;

/** Leaves for the provider's login page; it sends the browser back to /oidc-callback with a code. */
export async function startOidcLogin(config: OidcConfig): Promise<void> {
  if (!config.issuer || !config.clientId) throw new Error('The server names no OpenID provider.');
  const discovery = await discover(config.issuer);
  const verifier = randomText();
  const state = randomText();
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(
    PENDING,
    JSON.stringify({ verifier, state, tokenEndpoint: discovery.token_endpoint, clientId: config.clientId }),
  );
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On /oidc-callback: trades the code for tokens; returns the access token, or throws what went wrong. */
export async function finishOidcLogin(params: URLSearchParams): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    tokenEndpoint: string;
    clientId: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  const error = params.get('error');
  if (error)
    throw new Error(`The identity provider refused the login: ${params.get('error_description') ?? error}.`);
  if (!pending || params.get('state') !== pending.state) {
    throw new Error('This login answer does not belong to a login started here; please log in again.');
  }
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const answer = (await response.json().catch(() => ({}))) as TokenAnswer;
  if (!response.ok || !answer.access_token) {
    throw new Error(`The identity provider gave no token: ${answer.error_description ?? response.status}.`);
  }
  keepTokens({ ...answer, access_token: answer.access_token }, pending);
  return answer.access_token;
}

export function storedOidcToken(): string | undefined {
  return sessionStorage.getItem(TOKEN) ?? undefined;
}

export function forgetOidcToken(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(RENEWAL);
}
