import { join } from 'node:path';
import type { Actor, RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { LanternError, invalid } from '../errors.js';
import {
  createAccessTokens,
  describeCredential,
  loadSigningKey,
  looksLikeJwt,
  unverifiedIssuer,
} from './access-tokens.js';
import { createApiKeys } from './api-keys.js';
import { auditAnchorFile, readAuditAnchor } from './audit-anchor.js';
import { findAuditRecord, recordAuditAlone, verifyAuditChain } from './audit.js';
import { serviceActor, userActor } from './identity.js';
import { createOidcVerifier, type OidcSettings } from './oidc.js';
import { oneTimePassword } from './one-time-password.js';
import type { Permission } from './permissions.js';
import { authorize, authorizeDoor, breakGlass, type AuthorizeTarget } from './policy.js';
import { createRefreshTokens } from './refresh-tokens.js';
import { createUsers, type LockoutSettings, type User } from './users.js';

export interface SecuritySettings extends LockoutSettings {
  /** `on`: every HTTP route but the public ones needs credentials; `off`: callers are anonymous. */
  authentication: 'on' | 'off';
  bootstrapAdminApiKey: string;
  accessTokenMinutes: number;
  refreshTokenHours: number;
  loginAttemptsPerMinutePerAddress: number;
  loginAttemptsPerMinutePerUser: number;
  /** The access-token signing key file; empty: security/token-signing.key in the data folder. */
  tokenKeyFile: string;
  oidc: OidcSettings;
}

/** Who a credential belongs to. `mustChangePassword`: may only change the password until it does. */
export interface Authenticated {
  actor: Actor;
  method: 'access-token' | 'api-key' | 'oidc';
  mustChangePassword: boolean;
}

export interface Session {
  user: User;
  accessToken: string;
  accessExpiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';
const unauthenticated = (message: string) => new LanternError('unauthenticated', message);

/** Identity, sessions and policy of one Lantern: what the doors call to know and check their callers. */
export async function createSecurity(database: Database, settings: SecuritySettings, dataDir: string) {
  const key = await loadSigningKey(settings.tokenKeyFile || join(dataDir, 'security', 'token-signing.key'));
  const accessTokens = createAccessTokens(key, settings);
  const refreshTokens = createRefreshTokens(database, settings);
  const users = createUsers(database, settings);
  const apiKeys = createApiKeys(database);
  const oidc = settings.oidc.issuer ? createOidcVerifier(settings.oidc) : undefined;

  async function startSession(user: User, refresh?: { token: string; expiresAt: Date }): Promise<Session> {
    const access = await accessTokens.issue(user);
    const next = refresh ?? (await refreshTokens.issue(user.id));
    return {
      user,
      accessToken: access.token,
      accessExpiresAt: access.expiresAt,
      refreshToken: next.token,
      refreshExpiresAt: next.expiresAt,
    };
  }

  async function identify(credential: string): Promise<Authenticated> {
    if (looksLikeJwt(credential)) {
      if (oidc && unverifiedIssuer(credential) === oidc.issuer) {
        return { actor: await oidc.verify(credential), method: 'oidc', mustChangePassword: false };
      }
      const claims = await accessTokens.verify(credential);
      const user = await users.findById(claims.userId);
      if (!user || user.disabled) throw unauthenticated('the account is disabled');
      return {
        actor: userActor(user),
        method: 'access-token',
        mustChangePassword: user.mustChangePassword,
      };
    }
    const apiKey = await apiKeys.check(credential);
    if (!apiKey) throw unauthenticated('invalid or revoked API key');
    return { actor: serviceActor(apiKey), method: 'api-key', mustChangePassword: false };
  }

  return {
    settings,
    users,
    apiKeys,
    authenticationRequired: settings.authentication === 'on',

    /** Password login: a new session (access token and first refresh token). */
    async login(ctx: RequestContext, username: string, password: string): Promise<Session> {
      return startSession(await users.checkPassword(ctx, username, password));
    },

    /** Rotates the refresh token and issues a new access token, for a user who is still allowed in. */
    async refresh(ctx: RequestContext, refreshToken: string): Promise<Session> {
      const next = await refreshTokens.rotate(ctx, refreshToken);
      const user = await users.findById(next.userId);
      if (!user || user.disabled) {
        await refreshTokens.revokeAllOf(next.userId);
        throw unauthenticated('the account is disabled');
      }
      return startSession(user, next);
    },

    async logout(ctx: RequestContext, refreshToken: string): Promise<void> {
      const userId = await refreshTokens.revoke(refreshToken);
      if (userId !== undefined)
        await recordAuditAlone(database, ctx, { action: 'user.logout', detail: { userId } });
    },

    /** Ends every session of a user, e.g. after disabling the account or resetting its password. */
    endSessionsOf: (userId: number) => refreshTokens.revokeAllOf(userId),

    /**
     * The identity behind a bearer credential: our access token, an OpenID provider's token, or an API key.
     * A refusal is audited (`security.authenticate`, failure) with the door and address of `ctx`, what was
     * asked (`resource`) and whom the credential claimed to be when it says (a token's unverified name),
     * never the credential itself.
     */
    async authenticateBearer(
      ctx: RequestContext,
      credential: string,
      resource: string,
      /** The door counts refusals per address; past its limit they are logged, not recorded one by one. */
      refusals: { thisMinute: number; recordedUpTo: number } = { thisMinute: 1, recordedUpTo: 1 },
    ): Promise<Authenticated> {
      try {
        return await identify(credential);
      } catch (error) {
        const { method, claimed } = describeCredential(credential, oidc?.issuer);
        if (refusals.thisMinute > refusals.recordedUpTo) {
          ctx.log.warn({ method, resource, refusalsThisMinute: refusals.thisMinute }, 'credential refused');
          throw error;
        }
        await recordAuditAlone(database, ctx, {
          action: 'security.authenticate',
          outcome: 'failure',
          detail: {
            method,
            resource,
            ...(claimed ? { claimed } : {}),
            reason: error instanceof LanternError ? error.message : 'refused',
            ...(refusals.thisMinute === refusals.recordedUpTo && refusals.thisMinute > 1
              ? {
                  note: 'the last refusal from this address recorded this minute; further ones are only logged',
                }
              : {}),
          },
        });
        throw error;
      }
    },

    authorize: (ctx: RequestContext, permission: Permission, target?: AuthorizeTarget) =>
      authorize(database, ctx, permission, target),

    /** Refuses a SMART-scoped token off the FHIR door (403, one security.deny); see policy.authorizeDoor. */
    authorizeDoor: (ctx: RequestContext, target?: AuthorizeTarget) => authorizeDoor(database, ctx, target),

    /** Emergency access for one request: the elevated actor, after the grant is audited (flagged). */
    async breakGlass(ctx: RequestContext, reason: string, resource: string): Promise<Actor> {
      let actor: Actor;
      try {
        actor = breakGlass(ctx.actor, reason);
      } catch (error) {
        await recordAuditAlone(database, ctx, {
          action: 'security.break-glass',
          outcome: 'failure',
          detail: { reason: reason.slice(0, 500), resource, refused: (error as Error).message },
        });
        throw error;
      }
      await recordAuditAlone(
        database,
        { ...ctx, actor },
        { action: 'security.break-glass', detail: { resource } },
      );
      return actor;
    },

    /** The audit chain checked end to end, naming the first record that does not verify (audit.read). */
    async verifyAudit(ctx: RequestContext) {
      await authorize(database, ctx, 'audit.read', { resource: 'security.verifyAudit' });
      const report = await verifyAuditChain(database, await readAuditAnchor(auditAnchorFile(dataDir)));
      const firstBroken =
        report.firstBrokenSeq === undefined
          ? undefined
          : await findAuditRecord(database, report.firstBrokenSeq);
      // Reading the trail is on the trail, whatever it found (110101 Audit Log Used).
      await recordAuditAlone(database, ctx, {
        action: 'audit.verify',
        outcome: report.intact ? 'success' : 'failure',
        detail: { ...report },
      });
      return { ...report, ...(firstBroken ? { firstBroken } : {}) };
    },

    /**
     * Start-up duties: the bootstrap administrator key is made to match its setting, and, with
     * authentication on and no user yet, `admin` is created with a one-time password, returned to be shown
     * once (never logged).
     */
    async prepareFirstStart(ctx: RequestContext): Promise<{ adminPassword?: string }> {
      const bootstrap = settings.bootstrapAdminApiKey;
      if (bootstrap && bootstrap.length < 24) {
        throw invalid('security.bootstrapAdminApiKey must have at least 24 characters');
      }
      await apiKeys.ensure(ctx, BOOTSTRAP_KEY_NAME, bootstrap, ['administrator']);
      if (settings.authentication !== 'on' || (await users.count()) > 0) return {};
      const adminPassword = oneTimePassword('admin');
      await users.add(ctx, {
        username: 'admin',
        displayName: 'Administrator',
        roles: ['administrator'],
        password: adminPassword,
        mustChange: true,
      });
      return { adminPassword };
    },
  };
}

export type Security = Awaited<ReturnType<typeof createSecurity>>;
