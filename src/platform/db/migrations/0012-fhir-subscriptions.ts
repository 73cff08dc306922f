import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/**
 * platform/subscriptions: standing requests to be told of events (the FHIR door's R4 Subscription, rest-hook)
 * and the notifications owed to each, with their retry state.
 */
export const fhirSubscriptionsMigration: LanternMigration = {
  name: '0012-fhir-subscriptions',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('subscription'), dialect)
      // The subscriber's own words (FHIR criteria), and the event types they were translated into.
      .addColumn('criteria', 'text', (c) => c.notNull())
      .addColumn('event_types', 'text', (c) => c.notNull())
      // JSON { payloadKey: value }: an event is owed only if its payload has these values (e.g. a patient).
      .addColumn('event_filter', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('payload', 'text')
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('contact', 'text')
      .addColumn('ends_at', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await withIdColumn(db.schema.createTable('subscription_delivery'), dialect)
      .addColumn('subscription_ref', 'bigint', referenceColumn('subscription', 'cascade'))
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('event_payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // An event is owed to a subscription once, however often the consumer re-reads it.
    await db.schema
      .createIndex('subscription_delivery_event_idx')
      .on('subscription_delivery')
      .columns(['subscription_ref', 'event_id'])
      .unique()
      .execute();
    await db.schema
      .createIndex('subscription_delivery_due_idx')
      .on('subscription_delivery')
      .columns(['state', 'next_attempt_at'])
      .execute();
  },
};
