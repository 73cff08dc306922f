import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { LanternError } from '../errors.js';

// Short-lived access tokens: HS256 JWTs signed with a key of this installation. They name the user only; the
// roles are read from the user table on every request, so disabling a user or changing roles acts at once.

const ISSUER = 'lantern';
const AUDIENCE = 'lantern';

/** The signing key: read from the file, or made (32 random bytes, owner-only) on first start. */
export async function loadSigningKey(file: string): Promise<Uint8Array> {
  try {
    return decodeKey(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // `wx`: when two processes start at once, one writes and the other reads what it wrote.
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(await readFile(file, 'utf8'), file);
}

function decodeKey(text: string, file: string): Uint8Array {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < 32)
    throw new Error(`${file}: the token signing key must be at least 32 bytes (base64url)`);
  return key;
}

export interface AccessTokenClaims {
  userId: number;
  username: string;
  expiresAt: Date;
}

export function createAccessTokens(
  key: Uint8Array,
  settings: { accessTokenMinutes: number },
  clock: () => Date = () => new Date(), // tests move time
) {
  return {
    async issue(user: { id: number; username: string }): Promise<{ token: string; expiresAt: Date }> {
      const now = clock();
      const expiresAt = new Date(now.getTime() + settings.accessTokenMinutes * 60_000);
      const token = await new SignJWT({ name: user.username })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(String(user.id))
        .setJti(randomBytes(12).toString('base64url'))
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },

    /** The claims of a valid token of ours; anything else (expired, forged, foreign) is unauthenticated. */
    async verify(token: string): Promise<AccessTokenClaims> {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          typ: 'at+jwt',
          currentDate: clock(),
        });
        const userId = Number(payload.sub);
        if (!Number.isInteger(userId) || typeof payload.name !== 'string') throw new Error('claims');
        return { userId, username: payload.name, expiresAt: new Date(payload.exp! * 1000) };
      } catch (error) {
        const expired = error instanceof joseErrors.JWTExpired;
        throw new LanternError(
          'unauthenticated',
          expired ? 'the access token has expired' : 'invalid access token',
        );
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;

/** Whether a bearer credential is shaped like a JWT (three base64url parts) rather than an API key. */
export const looksLikeJwt = (credential: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);

/** The claims of a JWT without checking them: for choosing a verifier and naming a refused caller only. */
function unverifiedClaims(jwt: string): Record<string, unknown> {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The `iss` of a JWT without checking it, to choose the verifier (ours or the OpenID provider's). */
export function unverifiedIssuer(jwt: string): string | undefined {
  const { iss } = unverifiedClaims(jwt);
  return typeof iss === 'string' ? iss : undefined;
}

const claim = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : undefined);

/**
 * What kind of credential a refused one was, and whom it claimed to be when it says so (a token's unverified
 * name or subject, for the audit record of the refusal). An API key names no one: nothing of it is kept.
 */
export function describeCredential(
  credential: string,
  oidcIssuer: string | undefined,
): { method: 'access-token' | 'oidc' | 'api-key'; claimed?: string } {
  if (!looksLikeJwt(credential)) return { method: 'api-key' };
  const claims = unverifiedClaims(credential);
  const iss = claim(claims.iss);
  const method = oidcIssuer !== undefined && iss === oidcIssuer ? 'oidc' : 'access-token';
  const name = claim(claims.name) ?? claim(claims.preferred_username) ?? claim(claims.sub);
  return name === undefined
    ? { method }
    : { method, claimed: iss && iss !== ISSUER ? `${name} (${iss})` : name };
}
