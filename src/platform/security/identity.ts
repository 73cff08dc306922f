import type { Actor, UserActor } from '../context.js';
import { patientReachOfRoles, permissionsOfRoles } from './permissions.js';

// The actors of authenticated callers, with their permissions worked out once from the roles.

export function userActor(user: {
  id: string | number;
  username: string;
  displayName?: string;
  roles: readonly string[];
}): UserActor {
  return {
    kind: 'user',
    id: String(user.id),
    username: user.username,
    ...(user.displayName ? { displayName: user.displayName } : {}),
    roles: [...user.roles],
    permissions: permissionsOfRoles(user.roles),
    patientReach: patientReachOfRoles(user.roles),
  };
}

export function serviceActor(key: { name: string; roles: readonly string[] }): Actor {
  return {
    kind: 'service',
    apiKeyName: key.name,
    roles: [...key.roles],
    permissions: permissionsOfRoles(key.roles),
  };
}

/** Nobody logged in: what HTTP callers are while authentication is off, and before a login. */
export const ANONYMOUS: UserActor = { kind: 'user', id: 'anonymous', roles: [] };

/**
 * Callers without credentials while security.authentication is off (a closed evaluation network): they may
 * do what an administrator may, and read every patient, as before there was a login.
 */
export const OPEN_ACCESS_ANONYMOUS: UserActor = {
  kind: 'user',
  id: 'anonymous',
  roles: ['administrator'],
  permissions: permissionsOfRoles(['administrator']),
  patientReach: 'all',
};
