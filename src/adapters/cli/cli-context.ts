import { userInfo } from 'node:os';
import { createContext, type RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';

/** Commands run by someone with the server's files at hand: recorded as the system, named by OS user. */
export function cliContext(log: Logger, command: string): RequestContext {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): the audit trail still records the command.
  }
  return createContext(log, { kind: 'system', name: `cli:${command} (${user})` }, { door: 'cli' });
}
