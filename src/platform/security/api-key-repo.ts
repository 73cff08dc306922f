import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { securityDb, splitRoles } from './tables.js';

export interface StoredApiKey {
  name: string;
  keyHash: string;
  roles: string[];
  createdAt: string;
  revokedAt?: string;
}

type Row = { name: string; key_hash: string; roles: string; created_at: string; revoked_at: string | null };

const toKey = (row: Row): StoredApiKey => ({
  name: row.name,
  keyHash: row.key_hash,
  roles: splitRoles(row.roles),
  createdAt: row.created_at,
  ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
});

export async function findApiKeyByName(database: Database, name: string): Promise<StoredApiKey | undefined> {
  const row = await securityDb(database)
    .selectFrom('security_api_key')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row && toKey(row);
}

export async function findLiveApiKeyByHash(
  database: Database,
  keyHash: string,
): Promise<StoredApiKey | undefined> {
  const row = await securityDb(database)
    .selectFrom('security_api_key')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && toKey(row);
}

export async function listApiKeys(database: Database): Promise<StoredApiKey[]> {
  return (
    await securityDb(database).selectFrom('security_api_key').selectAll().orderBy('name').execute()
  ).map(toKey);
}

/** Creates the key, or replaces a revoked (or, with `replace`, any) key of that name. */
export async function saveApiKey(
  database: Database,
  key: { name: string; keyHash: string; roles: string[] },
): Promise<void> {
  const values = {
    key_hash: key.keyHash,
    roles: key.roles.join(','),
    created_at: nowIso(),
    revoked_at: null,
  };
  await securityDb(database)
    .insertInto('security_api_key')
    .values({ name: key.name, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
}

export async function revokeApiKey(database: Database, name: string): Promise<boolean> {
  const result = await securityDb(database)
    .updateTable('security_api_key')
    .set({ revoked_at: nowIso() })
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
