import type { Kysely, Transaction } from 'kysely';
import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { notFound } from '../errors.js';
import { createEventConsumer, type StoredEvent } from '../events/index.js';
import {
  authorizedService,
  recordAudit,
  recordAuditAlone,
  recordAuditFailure,
  type AuditEntry,
} from '../security/index.js';
import {
  activeSubscriptions,
  deleteSubscription,
  dueDeliveries,
  findSubscription,
  insertDelivery,
  insertSubscription,
  listSubscriptions,
  markSubscriptionError,
  replaceSubscription,
  settleDelivery,
} from './subscription-repo.js';
import {
  validateSubscription,
  type Delivery,
  type DeliveryOutcome,
  type Subscription,
  type SubscriptionInput,
  type SubscriptionStatus,
} from './subscription.js';
import type { SubscriptionTables } from './tables.js';

export interface SubscriptionSettings {
  /** Waits before the 2nd, 3rd … attempt; after the last one fails the subscription is put in error. */
  retryDelaysMs?: readonly number[];
  now?: () => Date;
}

/** 1 + 4 attempts over about 6 minutes: long enough for a subscriber's restart, short enough to notice. */
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 15_000, 60_000, 300_000] as const;

/**
 * Subscriptions: who wants to hear of which events, and the notifications owed to them. Events reach the
 * deliveries through a durable outbox consumer (nothing is lost across restarts); a door sends them and
 * reports each attempt, and the retry schedule lives here.
 */
export function createSubscriptions(database: Database, settings: SubscriptionSettings = {}) {
  const db = database.kysely as Kysely<SubscriptionTables>;
  const delays = settings.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const now = settings.now ?? (() => new Date());

  const change = async <T>(
    ctx: RequestContext,
    entry: AuditEntry,
    work: (trx: Transaction<SubscriptionTables>) => Promise<T>,
  ): Promise<T> => {
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await work(trx);
        await recordAudit(trx, ctx, entry);
        return result;
      });
    } catch (error) {
      await recordAuditFailure(database, ctx, entry, error);
      throw error;
    }
  };

  const read = async <T>(ctx: RequestContext, entry: AuditEntry, work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      await recordAuditAlone(database, ctx, entry);
      return result;
    } catch (error) {
      await recordAuditFailure(database, ctx, entry, error);
      throw error;
    }
  };

  const load = async (executor: Kysely<SubscriptionTables>, id: number): Promise<Subscription> => {
    const found = await findSubscription(executor, id);
    if (!found) throw notFound('subscription', String(id));
    return found;
  };

  // Owed notifications are written in the transaction that moves the consumer's cursor.
  const consumer = createEventConsumer(database, {
    name: 'subscriptions',
    handle: async (trx, events: StoredEvent[]) => {
      const subscriptions = await activeSubscriptions(trx as Transaction<SubscriptionTables>);
      const at = now().toISOString();
      for (const event of events) {
        for (const s of subscriptions) {
          if (!s.eventTypes.includes(event.type) || (s.endsAt !== null && s.endsAt < at)) continue;
          const matches = Object.entries(s.eventFilter).every(([key, value]) => event.payload[key] === value);
          if (!matches) continue;
          await insertDelivery(trx as Transaction<SubscriptionTables>, {
            subscriptionRef: s.id,
            eventId: event.id,
            eventType: event.type,
            payload: event.payload,
          });
        }
      }
    },
  });

  // What people do (FHIR Subscription): guarded at the service. A subscription sends patient data to an
  // endpoint outside Lantern, so it is integration configuration: admin.config, as the FHIR door's gate asks.
  const people = authorizedService(
    database,
    'subscriptions',
    {
      create: (ctx: RequestContext, input: SubscriptionInput): Promise<Subscription> =>
        change(ctx, { action: 'subscription.create', detail: { criteria: input.criteria } }, async (trx) =>
          load(trx, await insertSubscription(trx, validateSubscription(input))),
        ),

      get: (ctx: RequestContext, id: number): Promise<Subscription> =>
        read(ctx, { action: 'subscription.read', detail: { id } }, () => load(db, id)),

      list: (ctx: RequestContext, filter: { status?: SubscriptionStatus; limit: number; offset: number }) =>
        read(ctx, { action: 'subscription.search', detail: { ...filter } }, () =>
          listSubscriptions(db, filter),
        ),

      /** Replaces a subscription; putting one in error back to active clears its error. */
      replace: (ctx: RequestContext, id: number, input: SubscriptionInput): Promise<Subscription> =>
        change(ctx, { action: 'subscription.update', detail: { id, status: input.status } }, async (trx) => {
          if (!(await replaceSubscription(trx, id, validateSubscription(input)))) {
            throw notFound('subscription', String(id));
          }
          return load(trx, id);
        }),

      remove: (ctx: RequestContext, id: number): Promise<void> =>
        change(ctx, { action: 'subscription.delete', detail: { id } }, async (trx) => {
          if (!(await deleteSubscription(trx, id))) throw notFound('subscription', String(id));
        }),
    },
    {
      create: 'admin.config',
      get: 'admin.config',
      list: 'admin.config',
      replace: 'admin.config',
      remove: 'admin.config',
    },
  );

  return {
    ...people,

    // The notifier's own work (internal: no door reaches these).

    /** Turns new events into owed notifications; resolves with the number of events read (0: caught up). */
    collect: () => consumer.poll(),

    /** Notifications due now, oldest first. */
    due: (limit = 20): Promise<Delivery[]> => dueDeliveries(db, now().toISOString(), limit),

    /**
     * Records one attempt: delivered, or failed and retried after the next delay; after the last delay the
     * delivery is given up and the subscription put in error (R4 Subscription.status), with the reason.
     */
    settle: async (ctx: RequestContext, delivery: Delivery, outcome: DeliveryOutcome): Promise<void> => {
      const attempts = delivery.attempts + 1;
      const entry: AuditEntry = {
        action: 'subscription.notify',
        outcome: outcome.ok ? 'success' : 'failure',
        detail: {
          subscriptionId: delivery.subscription.id,
          eventId: delivery.eventId,
          eventType: delivery.eventType,
          endpoint: delivery.subscription.endpoint,
          attempt: attempts,
          ...(outcome.ok ? {} : { reason: outcome.error }),
        },
      };
      await db.transaction().execute(async (trx) => {
        if (outcome.ok) {
          await settleDelivery(trx, delivery.id, {
            state: 'delivered',
            attempts,
            nextAttemptAt: now().toISOString(),
            error: null,
          });
        } else if (attempts > delays.length) {
          await settleDelivery(trx, delivery.id, {
            state: 'failed',
            attempts,
            nextAttemptAt: now().toISOString(),
            error: outcome.error,
          });
          await markSubscriptionError(
            trx,
            delivery.subscription.id,
            `notification of event ${delivery.eventId} failed ${attempts} times: ${outcome.error}`,
          );
        } else {
          const next = new Date(now().getTime() + delays[attempts - 1]!).toISOString();
          await settleDelivery(trx, delivery.id, {
            state: 'pending',
            attempts,
            nextAttemptAt: next,
            error: outcome.error,
          });
        }
        await recordAudit(trx, ctx, entry);
      });
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
