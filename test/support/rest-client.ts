// A JSON client for Lantern's HTTP API in black-box tests: each call carries the caller's credentials, and the
// reply keeps status, content type, raw bytes and the parsed body (problem+json included).
import assert from 'node:assert/strict';

export interface Problem {
  status: number;
  title: string;
  detail: string;
}

export interface Reply<T> {
  status: number;
  type: string;
  body: T;
  bytes: Buffer;
  headers: Headers;
}

/** Calls `${base()}${path}` with `headers()` (an Authorization header, usually `server.auth`). */
export function restClient(base: () => string, headers: () => Record<string, string>) {
  return async function call<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...headers(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      type,
      body: (/json/.test(type) && bytes.length > 0 ? JSON.parse(bytes.toString()) : undefined) as T,
      bytes,
      headers: response.headers,
    };
  };
}

/** The body of a call's reply, which must have the given status (else the assertion shows what came back). */
export async function ok<T>(reply: Promise<Reply<T>>, status = 200): Promise<T> {
  const done = await reply;
  assert.equal(done.status, status, JSON.stringify(done.body) ?? done.bytes.toString().slice(0, 200));
  return done.body;
}

/** A refusal as problem+json with the given status and a detail matching `detail`. */
export function assertProblem(response: Reply<Problem>, status: number, detail: RegExp): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.type, /^application\/problem\+json/);
  assert.match(response.body.detail, detail);
}

/**
 * A user made through the REST API by the administrator, logged in: headers carrying their access token. The
 * display name (what the user's signature prints) is the username unless given.
 */
export async function userSession(
  server: { httpUrl: string; auth: Record<string, string> },
  username: string,
  roles: string[],
  displayName = username,
): Promise<{ id: string; headers: Record<string, string> }> {
  const password = `Test-day pass ${username.length} for ${roles.join('+')}!`;
  const created = await fetch(`${server.httpUrl}/api/users`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ username, roles, displayName, password }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { user } = (await created.json()) as { user: { id: string } };
  const login = await fetch(`${server.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { id: String(user.id), headers: { authorization: `Bearer ${accessToken}` } };
}
