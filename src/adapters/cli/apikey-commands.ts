import type { Logger } from '../../platform/log/index.js';
import type { Security } from '../../platform/security/index.js';
import { cliContext } from './cli-context.js';
import { formatTable } from './terminal-table.js';

/** `lantern apikey create <name> --role <role>`: the key is printed this once and never stored. */
export async function createApiKey(
  security: Security,
  log: Logger,
  name: string,
  role: string,
): Promise<string> {
  const created = await security.apiKeys.create(cliContext(log, 'apikey create'), { name, roles: [role] });
  return [
    `API key ${created.name} (${created.roles.join(', ')}). It is shown only now; keep it secret:`,
    created.key,
    `Use it as: Authorization: Bearer ${created.key}`,
  ].join('\n');
}

export async function revokeApiKey(security: Security, log: Logger, name: string): Promise<string> {
  await security.apiKeys.revoke(cliContext(log, 'apikey revoke'), name);
  return `API key ${name.trim()} revoked.`;
}

export async function listApiKeys(security: Security, log: Logger): Promise<string> {
  const keys = await security.apiKeys.list(cliContext(log, 'apikey list'));
  if (keys.length === 0) return 'No API keys. Create one with: lantern apikey create <name> --role <role>';
  return formatTable(
    ['Name', 'Roles', 'Created', 'Revoked'],
    keys.map((k) => [k.name, k.roles.join(','), k.createdAt, k.revokedAt ?? '']),
  );
}
