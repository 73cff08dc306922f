import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { LanternError } from '../errors.js';
import { recordAuditAlone } from './audit.js';
import {
  findRefreshToken,
  insertRefreshToken,
  markRefreshTokenUsed,
  revokeRefreshFamily,
  revokeRefreshTokensOfUser,
} from './refresh-token-repo.js';

// Refresh tokens: random, stored only as a hash, used once. Each refresh returns a new token of the same
// family (a login session); presenting a used token again means someone kept a copy, so the family dies.

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const refused = (message: string) => new LanternError('unauthenticated', message);

export function createRefreshTokens(database: Database, settings: { refreshTokenHours: number }) {
  async function issue(userId: number, familyId: string = randomUUID()) {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + settings.refreshTokenHours * 3_600_000);
    await insertRefreshToken(database, {
      tokenHash: hashToken(token),
      familyId,
      userId,
      expiresAt: expiresAt.toISOString(),
    });
    return { token, expiresAt };
  }

  return {
    /** A new session's first token. */
    issue: (userId: number) => issue(userId),

    /** Uses a token up and returns its successor, or refuses (and, on reuse, ends the session). */
    async rotate(ctx: RequestContext, token: string) {
      const tokenHash = hashToken(token);
      const stored = await findRefreshToken(database, tokenHash);
      if (!stored || stored.revokedAt) throw refused('invalid refresh token');
      if (stored.usedAt || !(await markRefreshTokenUsed(database, tokenHash))) {
        await revokeRefreshFamily(database, stored.familyId);
        await recordAuditAlone(database, ctx, {
          action: 'session.reuse',
          outcome: 'failure',
          detail: {
            userId: stored.userId,
            reason: 'a used refresh token was presented again; session ended',
          },
        });
        throw refused('invalid refresh token');
      }
      if (stored.expiresAt <= nowIso()) throw refused('the refresh token has expired; log in again');
      return { userId: stored.userId, ...(await issue(stored.userId, stored.familyId)) };
    },

    /** Ends the session the token belongs to (logout); an unknown token is ignored. */
    async revoke(token: string): Promise<number | undefined> {
      const stored = await findRefreshToken(database, hashToken(token));
      if (stored) await revokeRefreshFamily(database, stored.familyId);
      return stored?.userId;
    },

    /** Ends every session of a user (disabled, password reset). */
    revokeAllOf: (userId: number) => revokeRefreshTokensOfUser(database, userId),
  };
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>;
