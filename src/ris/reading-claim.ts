import { describeActor, type RequestContext } from '../platform/context.js';
import { LanternError, conflict } from '../platform/errors.js';

/** Who holds an exam on the reading worklist, until when. */
export interface ReadingClaim {
  by: string;
  at: string;
  expiresAt: string;
}

export const DEFAULT_CLAIM_MINUTES = 30;

/** The claim key of an actor: `user:alice`, `ae:WORKSTATION` … (kinds keep ids of different kinds apart). */
export function claimant(ctx: RequestContext): string {
  const { kind, id } = describeActor(ctx.actor);
  return `${kind}:${id}`;
}

/** An administrator (role 'administrator', as platform/security names it) may release anyone's claim. */
export const isAdministrator = (ctx: RequestContext) =>
  ctx.actor.kind === 'user' && ctx.actor.roles.includes('administrator');

/** A claim counts until it expires; an expired one is as good as none. */
export function activeClaim(
  row: { claimed_by: string | null; claimed_at: string | null; claim_expires_at: string | null } | undefined,
  now: Date,
): ReadingClaim | null {
  if (!row?.claimed_by || !row.claimed_at || !row.claim_expires_at) return null;
  if (row.claim_expires_at <= now.toISOString()) return null;
  return { by: row.claimed_by, at: row.claimed_at, expiresAt: row.claim_expires_at };
}

/** The conflict of acting on an exam someone else holds: it names the holder and until when. */
export function claimedByOther(orderId: number, claim: ReadingClaim): LanternError {
  return conflict(`exam of order ${orderId} is claimed by ${claim.by} until ${claim.expiresAt}`, {
    holder: claim.by,
    expiresAt: claim.expiresAt,
  });
}

/** Refuses `ctx` when another actor holds an active claim on the exam. */
export function assertNotHeldByOther(ctx: RequestContext, orderId: number, claim: ReadingClaim | null): void {
  if (claim && claim.by !== claimant(ctx)) throw claimedByOther(orderId, claim);
}

/** Release is for the holder or an administrator. */
export function assertMayRelease(ctx: RequestContext, orderId: number, claim: ReadingClaim | null): void {
  if (!claim || claim.by === claimant(ctx) || isAdministrator(ctx)) return;
  throw new LanternError(
    'forbidden',
    `exam of order ${orderId} is claimed by ${claim.by}; only they or an administrator may release it`,
    { holder: claim.by },
  );
}
