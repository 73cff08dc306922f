import type { LanternMigration } from '../migration.js';
import { withIdColumn } from '../migration.js';

/** platform/messages: the durable log of integration messages (HL7 v2 in and out), with retry state. */
export const messagesMigration: LanternMigration = {
  name: '0011-messages',
  async up(db, dialect) {
    const bytes = dialect === 'sqlite' ? 'blob' : 'bytea';
    await withIdColumn(db.schema.createTable('integration_message'), dialect)
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('peer', 'text', (c) => c.notNull())
      .addColumn('sending_application', 'text', (c) => c.notNull())
      .addColumn('sending_facility', 'text', (c) => c.notNull())
      .addColumn('receiving_application', 'text', (c) => c.notNull())
      .addColumn('receiving_facility', 'text', (c) => c.notNull())
      .addColumn('message_type', 'text', (c) => c.notNull())
      .addColumn('control_id', 'text', (c) => c.notNull())
      .addColumn('ordering_key', 'text')
      .addColumn('payload', bytes, (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text')
      .addColumn('locked_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('outcome', 'text')
      // Sender + control ID of the first arrival; NULL for duplicates and outbound messages.
      .addColumn('dedup_key', 'text', (c) => c.unique())
      .addColumn('duplicate_of', 'bigint')
      // What an outbound message was made for (an event and a destination): enqueueing it twice is a no-op.
      .addColumn('source', 'text', (c) => c.unique())
      .addColumn('ack_code', 'text')
      .addColumn('ack', bytes)
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('processed_at', 'text')
      .execute();
    await db.schema
      .createIndex('integration_message_due_idx')
      .on('integration_message')
      .columns(['direction', 'state', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('integration_message_order_idx')
      .on('integration_message')
      .columns(['ordering_key', 'id'])
      .execute();
    await db.schema
      .createIndex('integration_message_control_idx')
      .on('integration_message')
      .column('control_id')
      .execute();
  },
};
