import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ConfigError } from '../config/index.js';
import type { UserActor } from '../context.js';
import { LanternError } from '../errors.js';
import { userActor } from './identity.js';
import { isRole, type Role } from './permissions.js';

export interface OidcSettings {
  /** The provider's issuer URL (`iss`); empty: no external provider. */
  issuer: string;
  /** The audience tokens must name (`aud`): Lantern's client id at the provider. Required with an issuer. */
  audience: string;
  /** Where the provider's signing keys are; empty: from its discovery document. */
  jwksUri: string;
  /** The claim holding group or role names; a dotted path reaches nested claims (realm_access.roles). */
  rolesClaim: string;
  usernameClaim: string;
  /** `claimValue=role` pairs; empty: claim values that are Lantern role names are taken as they are. */
  roleMap: readonly string[];
}

const refused = (message: string) => new LanternError('unauthenticated', message);

/** Maps the roles claim of a token to Lantern roles through the setting; unmapped values grant nothing. */
export function mapClaimRoles(
  payload: JWTPayload,
  settings: Pick<OidcSettings, 'rolesClaim' | 'roleMap'>,
): Role[] {
  let value: unknown = payload;
  for (const key of settings.rolesClaim.split('.'))
    value = (value as Record<string, unknown> | undefined)?.[key];
  const values = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : []).filter(
    (v): v is string => typeof v === 'string',
  );
  const map = new Map<string, string[]>();
  for (const pair of settings.roleMap) {
    const eq = pair.lastIndexOf('=');
    if (eq > 0) map.set(pair.slice(0, eq), [...(map.get(pair.slice(0, eq)) ?? []), pair.slice(eq + 1)]);
  }
  const roles = values.flatMap((v) => (settings.roleMap.length === 0 ? [v] : (map.get(v) ?? [])));
  return [...new Set(roles.filter(isRole))];
}

/**
 * Verifies bearer tokens of an external OpenID Connect provider against its published keys (JWKS, fetched
 * and cached by jose, re-fetched when a token names an unknown key) and turns them into user actors.
 */
export function createOidcVerifier(settings: OidcSettings) {
  // Without an audience, any token the provider issued to any of its clients would be taken: another
  // application's users (or a token stolen from it) would get in with their roles. So it is required.
  if (!settings.audience.trim()) {
    throw new ConfigError([
      `security.oidc.audience: empty, but security.oidc.issuer is set (${settings.issuer}); set it to Lantern's client id at the provider, the aud its tokens carry`,
    ]);
  }
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  async function keySet() {
    if (keys) return keys;
    let uri = settings.jwksUri;
    if (!uri) {
      const url = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const document = (await response.json()) as { jwks_uri?: string };
      if (!response.ok || !document.jwks_uri) throw new LanternError('unavailable', `no jwks_uri at ${url}`);
      uri = document.jwks_uri;
    }
    keys = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000 });
    return keys;
  }

  return {
    issuer: settings.issuer,
    async verify(token: string): Promise<UserActor> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keySet(), {
          issuer: settings.issuer,
          audience: settings.audience.trim(),
          algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
        }));
      } catch (error) {
        if (error instanceof LanternError) throw error;
        throw refused(`token of ${settings.issuer} refused: ${(error as Error).message}`);
      }
      if (!payload.sub) throw refused('the token has no subject');
      const username = payload[settings.usernameClaim];
      const roles = mapClaimRoles(payload, settings);
      const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      const login = typeof username === 'string' ? username : payload.sub;
      const name = typeof payload.name === 'string' ? payload.name.trim() : '';
      return {
        ...userActor({
          id: `oidc:${payload.sub}`,
          username: login,
          // OpenID Connect Core 5.1: `name` is the person's full name, as it prints on what they sign (one line
          // of at most 128 characters, as a local account's; else the username).
          displayName: name && name.length <= 128 && !/\p{Cc}/u.test(name) ? name : login,
          roles,
        }),
        ...(scope.length > 0 || typeof payload.patient === 'string'
          ? {
              oauth: {
                scopes: scope,
                ...(typeof payload.patient === 'string' ? { patient: payload.patient } : {}),
              },
            }
          : {}),
      };
    },
  };
}

export type OidcVerifier = ReturnType<typeof createOidcVerifier>;
