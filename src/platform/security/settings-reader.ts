import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { authorizedService } from './service-authorization.js';

// The running configuration, read-only, for administrators (GET /api/admin/settings): what each setting is
// now, after the file and LANTERN_* variables. Reading it is administration (admin.config), guarded here
// for every door; secrets are never shown, only whether they are set.
const REDACTED = '(set, hidden)';
// Names of settings that hold secrets or paths to them are shown as set/unset only.
const SECRET_NAME = /password|secret|apikey|token(?!minutes|hours)|passphrase|privatekey/i;

/** A copy of the settings with secret values replaced and credentials in URLs masked. */
export function redactSettings(value: unknown, name = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => redactSettings(item, name));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        redactSettings(inner, key),
      ]),
    );
  }
  if (typeof value !== 'string' || value === '') return value;
  if (SECRET_NAME.test(name)) return REDACTED;
  // postgres://user:password@host/db → postgres://user:(hidden)@host/db
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@]*@/i, '$1:(hidden)@');
}

/** The settings reader of one running configuration (redacted once, at start). */
export function createSettingsReader(database: Database, settings: object) {
  const shown = redactSettings(settings);
  return authorizedService(
    database,
    'settings',
    { read: async (_ctx: RequestContext): Promise<unknown> => shown },
    { read: 'admin.config' },
  );
}

export type SettingsReader = ReturnType<typeof createSettingsReader>;
