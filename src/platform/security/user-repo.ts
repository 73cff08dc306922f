import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { securityDb, splitRoles, type SecurityTables } from './tables.js';

type UserRow = SecurityTables['security_user'] & { id: number };

/** A local user as stored; the password hash stays in this module. */
export interface StoredUser {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  roles: string[];
  disabled: boolean;
  mustChangePassword: boolean;
  failedLogins: number;
  lockedUntil?: string;
  createdAt: string;
}

const toUser = (row: UserRow): StoredUser => ({
  id: Number(row.id), // bigint arrives as text from PostgreSQL
  username: row.username,
  displayName: row.display_name,
  passwordHash: row.password_hash,
  roles: splitRoles(row.roles),
  disabled: Number(row.disabled) === 1,
  mustChangePassword: Number(row.must_change_password) === 1,
  failedLogins: Number(row.failed_logins),
  ...(row.locked_until ? { lockedUntil: row.locked_until } : {}),
  createdAt: row.created_at,
});

export async function findUserByName(database: Database, username: string): Promise<StoredUser | undefined> {
  const row = await securityDb(database)
    .selectFrom('security_user')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  return row && toUser(row as UserRow);
}

export async function findUserById(database: Database, id: number): Promise<StoredUser | undefined> {
  const row = await securityDb(database)
    .selectFrom('security_user')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toUser(row as UserRow);
}

export async function listUsers(database: Database): Promise<StoredUser[]> {
  const rows = await securityDb(database)
    .selectFrom('security_user')
    .selectAll()
    .orderBy('username')
    .execute();
  return rows.map((row) => toUser(row as UserRow));
}

export async function countUsers(database: Database): Promise<number> {
  const row = await securityDb(database)
    .selectFrom('security_user')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts a user; false when the name is taken. */
export async function insertUser(
  database: Database,
  user: { username: string; displayName: string; passwordHash: string; roles: string[]; mustChange: boolean },
): Promise<boolean> {
  const now = nowIso();
  const result = await securityDb(database)
    .insertInto('security_user')
    .values({
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      roles: user.roles.join(','),
      disabled: 0,
      must_change_password: user.mustChange ? 1 : 0,
      failed_logins: 0,
      locked_until: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export type UserChange = Partial<{
  displayName: string;
  passwordHash: string;
  roles: string[];
  disabled: boolean;
  mustChangePassword: boolean;
  failedLogins: number;
  lockedUntil: string | null;
}>;

/** Applies a change; false when there is no such user. */
export async function updateUser(database: Database, username: string, change: UserChange): Promise<boolean> {
  const result = await securityDb(database)
    .updateTable('security_user')
    .set({
      ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
      ...(change.passwordHash !== undefined ? { password_hash: change.passwordHash } : {}),
      ...(change.roles !== undefined ? { roles: change.roles.join(',') } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled ? 1 : 0 } : {}),
      ...(change.mustChangePassword !== undefined
        ? { must_change_password: change.mustChangePassword ? 1 : 0 }
        : {}),
      ...(change.failedLogins !== undefined ? { failed_logins: change.failedLogins } : {}),
      ...(change.lockedUntil !== undefined ? { locked_until: change.lockedUntil } : {}),
      updated_at: nowIso(),
    })
    .where('username', '=', username)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Counts one failed login atomically (concurrent guesses each count) and returns the new count. A lock that
 * has run out starts the count again.
 */
export async function countFailedLogin(database: Database, username: string, now: string): Promise<number> {
  const db = securityDb(database);
  await db
    .updateTable('security_user')
    .set({ failed_logins: 0, locked_until: null })
    .where('username', '=', username)
    .where('locked_until', '<=', now)
    .execute();
  const row = await db
    .updateTable('security_user')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), updated_at: now }))
    .where('username', '=', username)
    .returning('failed_logins')
    .executeTakeFirst();
  return Number(row?.failed_logins ?? 0);
}
