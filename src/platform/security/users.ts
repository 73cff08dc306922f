import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { LanternError, conflict, invalid, notFound } from '../errors.js';
import { recordAuditAlone } from './audit.js';
import { userActor } from './identity.js';
import { authorize } from './policy.js';
import { authorizedService } from './service-authorization.js';
import { hashPassword, spendPasswordCheck, verifyPassword } from './password-hash.js';
import { checkPasswordRules } from './password-rules.js';
import { isRole, type Role } from './permissions.js';
import {
  countFailedLogin,
  countUsers,
  findUserById,
  findUserByName,
  insertUser,
  listUsers,
  updateUser,
  type StoredUser,
} from './user-repo.js';

export interface LockoutSettings {
  /** Failed logins in a row that lock the account. */
  lockoutThreshold: number;
  /** How long a locked account stays locked. */
  lockoutMinutes: number;
}

/** A local user as the rest of Lantern sees it: no password hash. */
export type User = Omit<StoredUser, 'passwordHash'>;

const publicUser = ({ passwordHash: _hash, ...user }: StoredUser): User => user;

export function normalizeUsername(text: string): string {
  const name = text.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._@-]{0,63}$/.test(name)) {
    throw invalid(
      `'${text}' is not a user name (1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit)`,
    );
  }
  return name;
}

/** A display name prints on what the user signs (reports, HL7 results): one line, at most 128 characters. */
function checkDisplayName(name: string): string {
  if (name.length > 128 || /\p{Cc}/u.test(name)) {
    throw invalid('displayName must be at most 128 characters on one line');
  }
  return name;
}

export function parseRoles(list: readonly string[]): Role[] {
  const roles = [...new Set(list.map((r) => r.trim()).filter(Boolean))];
  if (roles.length === 0) throw invalid('at least one role is needed');
  for (const role of roles) if (!isRole(role)) throw invalid(`unknown role '${role}'`);
  return roles as Role[];
}

/** Why a login failed, for the audit trail only: the caller always hears the same "login failed". */
type LoginRefusal = 'unknown-user' | 'wrong-password' | 'locked' | 'disabled';

export function createUsers(database: Database, settings: LockoutSettings) {
  const mustFind = async (username: string) => {
    const user = await findUserByName(database, normalizeUsername(username));
    if (!user) throw notFound('user', username);
    return user;
  };

  async function setPassword(
    ctx: RequestContext,
    username: string,
    password: string,
    options: { mustChange: boolean },
  ): Promise<void> {
    const user = await mustFind(username);
    checkPasswordRules(password, user);
    // A new password also lifts a lockout: that is how an administrator unlocks an account.
    await updateUser(database, user.username, {
      passwordHash: await hashPassword(password),
      mustChangePassword: options.mustChange,
      failedLogins: 0,
      lockedUntil: null,
    });
    await recordAuditAlone(database, ctx, {
      action: 'user.passwd',
      detail: { username: user.username, mustChange: options.mustChange },
    });
  }

  async function refuseLogin(ctx: RequestContext, username: string, reason: LoginRefusal): Promise<never> {
    await recordAuditAlone(database, ctx, {
      action: 'user.login',
      outcome: 'failure',
      detail: { username, reason },
    });
    throw new LanternError(
      'unauthenticated',
      'login failed: wrong user name or password, or the account is locked',
    );
  }

  // Reading the user list is administration (admin.users), guarded at the service for every door.
  const reads = authorizedService(
    database,
    'users',
    {
      find: async (_ctx: RequestContext, username: string): Promise<User | undefined> => {
        const user = await findUserByName(database, username.trim().toLowerCase());
        return user && publicUser(user);
      },
      list: async (_ctx: RequestContext): Promise<User[]> => (await listUsers(database)).map(publicUser),
    },
    { find: 'admin.users', list: 'admin.users' },
  );

  return {
    ...reads,
    /** Internal (authentication): the user behind a verified token. */
    findById: async (id: number): Promise<User | undefined> => {
      const user = await findUserById(database, id);
      return user && publicUser(user);
    },
    count: () => countUsers(database),

    async add(
      ctx: RequestContext,
      input: {
        username: string;
        displayName?: string;
        roles: readonly string[];
        password: string;
        mustChange?: boolean;
      },
    ): Promise<User> {
      await authorize(database, ctx, 'admin.users', { resource: 'users.add' });
      const username = normalizeUsername(input.username);
      const roles = parseRoles(input.roles);
      const displayName = checkDisplayName(input.displayName?.trim() || username);
      checkPasswordRules(input.password, { username, displayName });
      const added = await insertUser(database, {
        username,
        displayName,
        passwordHash: await hashPassword(input.password),
        roles,
        mustChange: input.mustChange ?? false,
      });
      if (!added) throw conflict(`user ${username} exists`);
      await recordAuditAlone(database, ctx, { action: 'user.add', detail: { username, roles } });
      return publicUser((await findUserByName(database, username))!);
    },

    /** An administrator sets someone's password (the owner changes theirs with changeOwnPassword). */
    setPassword: async (...args: Parameters<typeof setPassword>) => {
      await authorize(database, args[0], 'admin.users', { resource: 'users.setPassword' });
      return setPassword(...args);
    },

    /** The user changes their own password: the current one is proven first. */
    async changeOwnPassword(
      ctx: RequestContext,
      username: string,
      current: string,
      next: string,
    ): Promise<void> {
      const user = await mustFind(username);
      if (!(await verifyPassword(user.passwordHash, current))) {
        await recordAuditAlone(database, ctx, {
          action: 'user.passwd',
          outcome: 'failure',
          detail: { username: user.username, reason: 'wrong current password' },
        });
        throw new LanternError('forbidden', 'the current password is wrong');
      }
      if (current === next) throw invalid('the new password must differ from the current one');
      await setPassword(ctx, user.username, next, { mustChange: false });
    },

    async setDisabled(ctx: RequestContext, username: string, disabled: boolean): Promise<void> {
      await authorize(database, ctx, 'admin.users', { resource: 'users.setDisabled' });
      const user = await mustFind(username);
      await updateUser(database, user.username, { disabled });
      await recordAuditAlone(database, ctx, {
        action: disabled ? 'user.disable' : 'user.enable',
        detail: { username: user.username },
      });
    },

    async setRoles(ctx: RequestContext, username: string, list: readonly string[]): Promise<void> {
      await authorize(database, ctx, 'admin.users', { resource: 'users.setRoles' });
      const user = await mustFind(username);
      const roles = parseRoles(list);
      await updateUser(database, user.username, { roles });
      await recordAuditAlone(database, ctx, {
        action: 'user.roles',
        detail: { username: user.username, from: user.roles, to: roles },
      });
    },

    /**
     * The password check of a login, with lockout: after `lockoutThreshold` failures in a row the account is
     * locked for `lockoutMinutes`, whatever is tried. Exactly one `user.login` record per attempt.
     */
    async checkPassword(ctx: RequestContext, name: string, password: string): Promise<User> {
      const username = name.trim().toLowerCase();
      const user = await findUserByName(database, username);
      if (!user) {
        await spendPasswordCheck(password);
        return refuseLogin(ctx, username.slice(0, 64), 'unknown-user');
      }
      const now = nowIso();
      if (user.lockedUntil && user.lockedUntil > now) return refuseLogin(ctx, username, 'locked');
      if (!(await verifyPassword(user.passwordHash, password))) {
        const failures = await countFailedLogin(database, username, now);
        if (failures >= settings.lockoutThreshold) {
          const until = new Date(Date.now() + settings.lockoutMinutes * 60_000).toISOString();
          await updateUser(database, username, { lockedUntil: until, failedLogins: 0 });
          await recordAuditAlone(database, ctx, {
            action: 'user.lockout',
            detail: { username, failures, until },
          });
        }
        return refuseLogin(ctx, username, 'wrong-password');
      }
      if (user.disabled) return refuseLogin(ctx, username, 'disabled');
      if (user.failedLogins > 0 || user.lockedUntil) {
        await updateUser(database, username, { failedLogins: 0, lockedUntil: null });
      }
      await recordAuditAlone(
        database,
        { ...ctx, actor: userActor(user) },
        { action: 'user.login', detail: { username, method: 'password' } },
      );
      return publicUser(user);
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
