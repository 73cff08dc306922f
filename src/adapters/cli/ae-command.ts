import type { AeTable } from '../../platform/security/index.js';
import type { Logger } from '../../platform/log/index.js';
import { cliContext } from './cli-context.js';
import { formatTable } from './terminal-table.js';

/** `lantern ae list`: the AE table as a table. */
export async function listAes(aeTable: AeTable, log: Logger): Promise<string> {
  const aes = await aeTable.list(cliContext(log, 'ae list'));
  if (aes.length === 0) return 'The AE table is empty. Add a node with: lantern ae add <AET> <host> <port>';
  return formatTable(
    ['AE title', 'Host', 'Port', 'May', 'From', 'Description'],
    aes.map((ae) => [
      ae.aeTitle,
      ae.host,
      String(ae.port),
      ae.permissions.join(','),
      ae.source,
      ae.description ?? '',
    ]),
  );
}

/** `lantern ae add <AET> <host> <port>`: adds or changes a remote AE. */
export async function addAe(
  aeTable: AeTable,
  log: Logger,
  input: { aeTitle: string; host: string; port: number; permissions: string[]; description?: string },
): Promise<string> {
  const ae = await aeTable.save(cliContext(log, 'ae add'), input);
  return `${ae.aeTitle} at ${ae.host}:${ae.port} may ${ae.permissions.join(', ') || 'do nothing'}.`;
}

/** `lantern ae remove <AET>`. */
export async function removeAe(aeTable: AeTable, log: Logger, aeTitle: string): Promise<string> {
  await aeTable.remove(cliContext(log, 'ae remove'), aeTitle);
  return `Removed ${aeTitle.trim()}.`;
}
