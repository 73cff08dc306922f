import type { LanternMigration } from '../migration.js';
import { withIdColumn } from '../migration.js';

/** Platform tables: the event outbox and the hash-chained audit trail. */
export const platformMigration: LanternMigration = {
  name: '0001-platform',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('event_outbox'), dialect)
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('event_outbox_type_idx').on('event_outbox').columns(['type', 'id']).execute();

    await withIdColumn(db.schema.createTable('audit_event'), dialect)
      .addColumn('seq', 'bigint', (c) => c.notNull().unique())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('door', 'text', (c) => c.notNull())
      .addColumn('remote_address', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('patient_id', 'text')
      .addColumn('study_instance_uid', 'text')
      .addColumn('detail', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_event_recorded_idx').on('audit_event').column('recorded_at').execute();
    await db.schema.createIndex('audit_event_patient_idx').on('audit_event').column('patient_id').execute();

    // One row: the head of the chain. Updating it first in each audit write serialises writers on every dialect.
    await db.schema
      .createTable('audit_chain_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();
    await db
      .insertInto('audit_chain_head')
      .values({ id: 1, seq: 0, last_hash: '0'.repeat(64) })
      .execute();
  },
};
