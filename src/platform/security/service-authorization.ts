import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import type { Permission } from './permissions.js';
import { authorize, delegationOffItsDoor, hasPermission } from './policy.js';

// Authorization at the service boundary: every operation a module offers names the permission it needs, in
// one table beside the module's façade (index.ts), and runs only after `authorize` said yes. A door that
// forgets to check still cannot get past it; the doors' own checks are early gates (README: two layers).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Operation = (ctx: RequestContext, ...args: any[]) => Promise<unknown>;

/** Each operation's permission. A table that leaves an operation out does not type-check. */
export type PermissionTable<S> = { readonly [K in keyof S]: Permission };

/**
 * The service with every operation guarded: the actor of the call's context must hold the operation's
 * permission, else `forbidden` (one `security.deny` audit record naming the operation) before the
 * operation runs; so must a SMART-scoped token's call come from the FHIR door. On success no SQL: one set
 * lookup (and, for a user with OAuth scopes, a look at them).
 */
export function authorizedService<S extends Record<string, Operation>>(
  database: Database,
  name: string,
  service: S,
  permissions: PermissionTable<S>,
): S {
  const guarded: Record<string, Operation> = {};
  for (const [operation, run] of Object.entries(service)) {
    const permission = permissions[operation as keyof S];
    if (permission === undefined) throw new Error(`${name}.${operation} has no permission`);
    const resource = `${name}.${operation}`;
    // The allowed case without an extra promise: this runs per instance on ingest.
    guarded[operation] = (ctx, ...args) => {
      if (!hasPermission(ctx.actor, permission) || delegationOffItsDoor(ctx))
        return authorize(database, ctx, permission, { resource }).then(() => run(ctx, ...args));
      try {
        return run(ctx, ...args);
      } catch (error) {
        return Promise.reject(error); // always a promise, as callers chain on it
      }
    };
  }
  return guarded as S;
}
