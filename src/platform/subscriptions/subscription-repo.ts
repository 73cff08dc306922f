import type { Kysely } from 'kysely';
import { nowIso } from '../db/index.js';
import type { Delivery, Subscription, SubscriptionInput, SubscriptionStatus } from './subscription.js';
import type { SubscriptionTables } from './tables.js';

// All SQL on the subscription tables.

type Db = Kysely<SubscriptionTables>;
type Row = SubscriptionTables['subscription'];

const toSubscription = (r: Row): Subscription => ({
  id: Number(r.id),
  criteria: r.criteria,
  eventTypes: JSON.parse(r.event_types) as string[],
  eventFilter: JSON.parse(r.event_filter) as Record<string, string | number>,
  status: r.status as SubscriptionStatus,
  endpoint: r.endpoint,
  payload: r.payload,
  headers: JSON.parse(r.headers) as string[],
  reason: r.reason,
  contact: r.contact,
  endsAt: r.ends_at,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const columns = (input: SubscriptionInput) => ({
  criteria: input.criteria,
  event_types: JSON.stringify(input.eventTypes),
  event_filter: JSON.stringify(input.eventFilter),
  status: input.status,
  endpoint: input.endpoint,
  payload: input.payload,
  headers: JSON.stringify(input.headers),
  reason: input.reason,
  contact: input.contact,
  ends_at: input.endsAt,
});

export async function insertSubscription(db: Db, input: SubscriptionInput): Promise<number> {
  const now = nowIso();
  const row = await db
    .insertInto('subscription')
    .values({ ...columns(input), error: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function replaceSubscription(db: Db, id: number, input: SubscriptionInput): Promise<boolean> {
  const result = await db
    .updateTable('subscription')
    .set({ ...columns(input), error: null, updated_at: nowIso() })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findSubscription(db: Db, id: number): Promise<Subscription | undefined> {
  const row = await db.selectFrom('subscription').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSubscription(row);
}

export async function listSubscriptions(
  db: Db,
  filter: { status?: SubscriptionStatus; limit: number; offset: number },
): Promise<{ total: number; subscriptions: Subscription[] }> {
  let query = db.selectFrom('subscription');
  if (filter.status) query = query.where('status', '=', filter.status);
  const { total } = await query
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const rows =
    filter.limit === 0
      ? []
      : await query.selectAll().orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return { total: Number(total), subscriptions: rows.map(toSubscription) };
}

export async function deleteSubscription(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('subscription').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function activeSubscriptions(db: Db): Promise<Subscription[]> {
  const rows = await db.selectFrom('subscription').selectAll().where('status', '=', 'active').execute();
  return rows.map(toSubscription);
}

export async function insertDelivery(
  db: Db,
  row: { subscriptionRef: number; eventId: number; eventType: string; payload: Record<string, unknown> },
): Promise<void> {
  const now = nowIso();
  await db
    .insertInto('subscription_delivery')
    .values({
      subscription_ref: row.subscriptionRef,
      event_id: row.eventId,
      event_type: row.eventType,
      event_payload: JSON.stringify(row.payload),
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['subscription_ref', 'event_id']).doNothing())
    .execute();
}

/** Pending deliveries due by `now`, oldest first, of subscriptions still active. */
export async function dueDeliveries(db: Db, now: string, limit: number): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('subscription_delivery as d')
    .innerJoin('subscription as s', 's.id', 'd.subscription_ref')
    .selectAll('s')
    .select(['d.id as delivery_id', 'd.event_id', 'd.event_type', 'd.event_payload', 'd.attempts'])
    .where('d.state', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where('s.status', '=', 'active')
    .orderBy('d.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.delivery_id),
    subscription: toSubscription(r),
    eventId: Number(r.event_id),
    eventType: r.event_type,
    eventPayload: JSON.parse(r.event_payload) as Record<string, unknown>,
    attempts: r.attempts,
  }));
}

export async function settleDelivery(
  db: Db,
  id: number,
  change: {
    state: 'pending' | 'delivered' | 'failed';
    attempts: number;
    nextAttemptAt: string;
    error: string | null;
  },
): Promise<void> {
  await db
    .updateTable('subscription_delivery')
    .set({
      state: change.state,
      attempts: change.attempts,
      next_attempt_at: change.nextAttemptAt,
      last_error: change.error,
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .execute();
}

export async function markSubscriptionError(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('subscription')
    .set({ status: 'error', error, updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
}
