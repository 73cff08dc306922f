import type { Logger } from '../../platform/log/index.js';
import { oneTimePassword, type Security } from '../../platform/security/index.js';
import { cliContext } from './cli-context.js';
import { formatTable } from './terminal-table.js';

/** `lantern user add <username> --role <role>`: with no password given, a one-time one to change at login. */
export async function addUser(
  security: Security,
  log: Logger,
  input: { username: string; roles: string[]; displayName?: string; password?: string },
): Promise<string> {
  const generated = input.password === undefined ? oneTimePassword(input.username) : undefined;
  const user = await security.users.add(cliContext(log, 'user add'), {
    ...input,
    password: input.password ?? generated!,
    mustChange: generated !== undefined,
  });
  const who = `Added ${user.username} (${user.roles.join(', ')}).`;
  return generated
    ? `${who}\nOne-time password (shown once; must be changed at first login): ${generated}`
    : who;
}

/** `lantern user passwd <username>`: sets a password (from stdin) or a one-time one; lifts a lockout. */
export async function setUserPassword(
  security: Security,
  log: Logger,
  username: string,
  password?: string,
): Promise<string> {
  const next = password ?? oneTimePassword(username);
  const ctx = cliContext(log, 'user passwd');
  await security.users.setPassword(ctx, username, next, { mustChange: !password });
  const user = await security.users.find(ctx, username);
  if (user) await security.endSessionsOf(user.id);
  return password
    ? `Password of ${username.trim().toLowerCase()} changed.`
    : `One-time password of ${username.trim().toLowerCase()} (shown once; must be changed at next login): ${next}`;
}

/** `lantern user disable <username>` (and enable): a disabled user cannot log in; sessions end at once. */
export async function setUserDisabled(
  security: Security,
  log: Logger,
  username: string,
  disabled: boolean,
): Promise<string> {
  const ctx = cliContext(log, disabled ? 'user disable' : 'user enable');
  await security.users.setDisabled(ctx, username, disabled);
  const user = await security.users.find(ctx, username);
  if (user && disabled) await security.endSessionsOf(user.id);
  return `${user?.username ?? username} is ${disabled ? 'disabled' : 'enabled'}.`;
}

export async function listUsers(security: Security, log: Logger): Promise<string> {
  const users = await security.users.list(cliContext(log, 'user list'));
  if (users.length === 0) return 'No users. Add one with: lantern user add <username> --role administrator';
  const now = new Date().toISOString();
  return formatTable(
    ['User', 'Name', 'Roles', 'State'],
    users.map((u) => [
      u.username,
      u.displayName,
      u.roles.join(','),
      u.disabled
        ? 'disabled'
        : u.lockedUntil && u.lockedUntil > now
          ? `locked until ${u.lockedUntil}`
          : u.mustChangePassword
            ? 'must change password'
            : 'active',
    ]),
  );
}
