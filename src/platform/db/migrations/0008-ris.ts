import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/** ris/: procedure catalogue, orders with their scheduled procedure steps and status history, scheduling. */
export const risMigration: LanternMigration = {
  name: '0008-ris',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('procedure_code'), dialect)
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('coding_scheme', 'text', (c) => c.notNull())
      .addColumn('meaning', 'text', (c) => c.notNull())
      .addColumn('modality', 'text', (c) => c.notNull())
      .addColumn('body_part', 'text')
      .addColumn('duration_minutes', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('procedure_code_uq', ['coding_scheme', 'code'])
      .execute();

    await withIdColumn(db.schema.createTable('procedure_charge'), dialect)
      .addColumn('procedure_ref', 'bigint', referenceColumn('procedure_code', 'cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('charge_code', 'text', (c) => c.notNull())
      .addColumn('coding_scheme', 'text', (c) => c.notNull())
      .addColumn('modifiers', 'text', (c) => c.notNull())
      .addColumn('quantity', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('procedure_charge_procedure_idx')
      .on('procedure_charge')
      .column('procedure_ref')
      .execute();

    await withIdColumn(db.schema.createTable('imaging_order'), dialect)
      .addColumn('patient_ref', 'bigint', referenceColumn('patient'))
      .addColumn('procedure_ref', 'bigint', referenceColumn('procedure_code'))
      .addColumn('accession_number', 'text', (c) => c.notNull().unique())
      .addColumn('placer_order_number', 'text')
      .addColumn('filler_order_number', 'text', (c) => c.notNull().unique())
      .addColumn('requested_procedure_id', 'text', (c) => c.notNull())
      .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('ordering_provider_id', 'text')
      .addColumn('ordering_provider_name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('imaging_order_patient_idx')
      .on('imaging_order')
      .column('patient_ref')
      .execute();
    await db.schema
      .createIndex('imaging_order_status_idx')
      .on('imaging_order')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('imaging_order_placer_idx')
      .on('imaging_order')
      .column('placer_order_number')
      .execute();

    // The date-based accession sequence: one row per day, bumped with an upsert.
    await db.schema
      .createTable('accession_sequence')
      .addColumn('day', 'text', (c) => c.primaryKey())
      .addColumn('last_value', 'integer', (c) => c.notNull())
      .execute();

    await withIdColumn(db.schema.createTable('order_status_history'), dialect)
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'cascade'))
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('order_status_history_order_idx')
      .on('order_status_history')
      .columns(['order_ref', 'id'])
      .execute();

    await withIdColumn(db.schema.createTable('modality_resource'), dialect)
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('ae_title', 'text', (c) => c.notNull())
      .addColumn('modality', 'text', (c) => c.notNull())
      .addColumn('station_name', 'text')
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await withIdColumn(db.schema.createTable('resource_opening_hours'), dialect)
      .addColumn('resource_ref', 'bigint', referenceColumn('modality_resource', 'cascade'))
      .addColumn('weekday', 'integer', (c) => c.notNull())
      .addColumn('opens', 'text', (c) => c.notNull())
      .addColumn('closes', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('resource_opening_hours_resource_idx')
      .on('resource_opening_hours')
      .columns(['resource_ref', 'weekday'])
      .execute();

    await withIdColumn(db.schema.createTable('booking'), dialect)
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'cascade'))
      .addColumn('resource_ref', 'bigint', referenceColumn('modality_resource'))
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('ends_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('booking_resource_idx')
      .on('booking')
      .columns(['resource_ref', 'status', 'starts_at'])
      .execute();
    await db.schema.createIndex('booking_order_idx').on('booking').column('order_ref').execute();

    // The Modality Worklist's rows (PS3.4 K.6.1): one step per order for now, several allowed.
    await withIdColumn(db.schema.createTable('scheduled_procedure_step'), dialect)
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'cascade'))
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('modality', 'text', (c) => c.notNull())
      .addColumn('station_ae_title', 'text')
      .addColumn('station_name', 'text')
      .addColumn('resource_ref', 'bigint', (c) => c.references('modality_resource.id').onDelete('set null'))
      .addColumn('booking_ref', 'bigint', (c) => c.references('booking.id').onDelete('set null'))
      .addColumn('scheduled_start', 'text')
      .addColumn('scheduled_end', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('scheduled_procedure_step_uq', ['order_ref', 'step_id'])
      .execute();
    await db.schema
      .createIndex('scheduled_procedure_step_worklist_idx')
      .on('scheduled_procedure_step')
      .columns(['station_ae_title', 'scheduled_start'])
      .execute();
  },
};
