import { createHash, randomBytes } from 'node:crypto';
import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { conflict, invalid, notFound } from '../errors.js';
import { recordAuditAlone } from './audit.js';
import { authorize } from './policy.js';
import { authorizedService } from './service-authorization.js';
import {
  findApiKeyByName,
  findLiveApiKeyByHash,
  listApiKeys,
  revokeApiKey,
  saveApiKey,
} from './api-key-repo.js';
import { parseRoles } from './users.js';

/** An API key of a service account, without its secret (which is shown once, at creation, and never kept). */
export interface ApiKey {
  name: string;
  roles: string[];
  createdAt: string;
  revokedAt?: string;
}

// 32 random bytes: a SHA-256 of the key is as good as a slow hash, and lets one indexed lookup find it.
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

const PREFIX = 'lantern_';
// A prefix lets secret scanners and people tell a Lantern key from a JWT at a glance.
export const newApiKeySecret = (): string => PREFIX + randomBytes(32).toString('base64url');

export function normalizeKeyName(text: string): string {
  const name = text.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw invalid(`'${text}' is not an API key name (1 to 64 of A-Z a-z 0-9 . _ -)`);
  }
  return name;
}

const publicKey = ({ keyHash: _hash, ...key }: { keyHash: string } & ApiKey): ApiKey => key;

export function createApiKeys(database: Database) {
  return {
    ...authorizedService(
      database,
      'apiKeys',
      {
        list: async (_ctx: RequestContext): Promise<ApiKey[]> => (await listApiKeys(database)).map(publicKey),
      },
      { list: 'admin.users' },
    ),

    /** A new key; the secret is returned this once. A revoked key's name may be used again. */
    async create(ctx: RequestContext, input: { name: string; roles: readonly string[] }) {
      await authorize(database, ctx, 'admin.users', { resource: 'apiKeys.create' });
      const name = normalizeKeyName(input.name);
      const roles = parseRoles(input.roles);
      const existing = await findApiKeyByName(database, name);
      if (existing && !existing.revokedAt) throw conflict(`API key ${name} exists; revoke it first`);
      const key = newApiKeySecret();
      await saveApiKey(database, { name, keyHash: hashApiKey(key), roles });
      await recordAuditAlone(database, ctx, { action: 'apikey.create', detail: { name, roles } });
      return { name, roles, key };
    },

    async revoke(ctx: RequestContext, name: string): Promise<void> {
      await authorize(database, ctx, 'admin.users', { resource: 'apiKeys.revoke' });
      if (!(await revokeApiKey(database, normalizeKeyName(name)))) throw notFound('API key', name);
      await recordAuditAlone(database, ctx, { action: 'apikey.revoke', detail: { name } });
    },

    /** The live key with this secret, if any. */
    async check(secret: string): Promise<ApiKey | undefined> {
      const key = await findLiveApiKeyByHash(database, hashApiKey(secret));
      return key && publicKey(key);
    },

    /**
     * Makes `name` a live key with exactly this secret and these roles (the bootstrap key of automation), or,
     * with no secret, revokes it: removing the setting takes the access away. Audited when anything changes.
     */
    async ensure(ctx: RequestContext, name: string, secret: string, roles: readonly string[]): Promise<void> {
      const existing = await findApiKeyByName(database, name);
      if (!secret) {
        if (existing && !existing.revokedAt && (await revokeApiKey(database, name))) {
          await recordAuditAlone(database, ctx, {
            action: 'apikey.revoke',
            detail: { name, reason: 'setting removed' },
          });
        }
        return;
      }
      const keyHash = hashApiKey(secret);
      const same =
        existing &&
        !existing.revokedAt &&
        existing.keyHash === keyHash &&
        existing.roles.join() === roles.join();
      if (same) return;
      await saveApiKey(database, { name, keyHash, roles: [...roles] });
      await recordAuditAlone(database, ctx, {
        action: 'apikey.create',
        detail: { name, roles, bootstrap: true },
      });
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
