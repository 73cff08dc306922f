import { createContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';
import type { Security } from '../../platform/security/index.js';

/**
 * `lantern serve` start-up duties of security; returns what must be shown on the terminal once (the first
 * administrator's one-time password goes to stdout only, never to the log).
 */
export async function securityFirstStart(security: Security, log: Logger): Promise<string | undefined> {
  const ctx = createContext(log, { kind: 'system', name: 'serve' }, { door: 'cli' });
  const { adminPassword } = await security.prepareFirstStart(ctx);
  if (!security.authenticationRequired) {
    log.warn(
      'security.authentication is off: HTTP callers are not authenticated (closed evaluation networks only)',
    );
  }
  if (!adminPassword) return undefined;
  return [
    'First start: created user "admin" (administrator) with the one-time password below. It is shown only',
    'now and must be changed at first login (POST /api/auth/password, or `lantern user passwd admin`).',
    `  admin password: ${adminPassword}`,
  ].join('\n');
}
