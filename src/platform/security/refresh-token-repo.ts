import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { securityDb } from './tables.js';

export interface StoredRefreshToken {
  familyId: string;
  userId: number;
  expiresAt: string;
  usedAt?: string;
  revokedAt?: string;
}

export async function insertRefreshToken(
  database: Database,
  token: { tokenHash: string; familyId: string; userId: number; expiresAt: string },
): Promise<void> {
  await securityDb(database)
    .insertInto('security_refresh_token')
    .values({
      token_hash: token.tokenHash,
      family_id: token.familyId,
      user_id: token.userId,
      created_at: nowIso(),
      expires_at: token.expiresAt,
      used_at: null,
      revoked_at: null,
    })
    .execute();
}

export async function findRefreshToken(
  database: Database,
  tokenHash: string,
): Promise<StoredRefreshToken | undefined> {
  const row = await securityDb(database)
    .selectFrom('security_refresh_token')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return (
    row && {
      familyId: row.family_id,
      userId: Number(row.user_id),
      expiresAt: row.expires_at,
      ...(row.used_at ? { usedAt: row.used_at } : {}),
      ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    }
  );
}

/** Marks a token used; false when another request used it first (only one rotation wins). */
export async function markRefreshTokenUsed(database: Database, tokenHash: string): Promise<boolean> {
  const result = await securityDb(database)
    .updateTable('security_refresh_token')
    .set({ used_at: nowIso() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function revokeRefreshFamily(database: Database, familyId: string): Promise<void> {
  await securityDb(database)
    .updateTable('security_refresh_token')
    .set({ revoked_at: nowIso() })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeRefreshTokensOfUser(database: Database, userId: number): Promise<void> {
  await securityDb(database)
    .updateTable('security_refresh_token')
    .set({ revoked_at: nowIso() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
