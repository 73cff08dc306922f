import type { FastifyInstance } from 'fastify';
import type { LanternConfig } from '../../platform/config/index.js';

// The running configuration, read-only, for administrators (the web UI's settings screen): what each setting
// is now, after the file and LANTERN_* variables. Secrets are never shown, only whether they are set.
//   GET /api/admin/settings      { settings: { group: { name: value } } }
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

export function registerSettingsRoute(app: FastifyInstance, services: { config: LanternConfig }): void {
  const settings = redactSettings(services.config);
  app.get('/api/admin/settings', async () => ({ settings }));
}
