// Cookies of web UI sessions (RFC 6265), without a plugin: three names, read and written here only.

export const ACCESS_COOKIE = 'lantern_access';
export const REFRESH_COOKIE = 'lantern_refresh';
/** Readable by the page's script, which echoes it in X-CSRF-Token (double-submit). */
export const CSRF_COOKIE = 'lantern_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  httpOnly: boolean;
  /** Only over HTTPS: set when the request came over TLS. */
  secure: boolean;
}

/** SameSite=Strict always: the browser never sends these on a request another site starts. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'SameSite=Strict',
    ...(options.httpOnly ? ['HttpOnly'] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
