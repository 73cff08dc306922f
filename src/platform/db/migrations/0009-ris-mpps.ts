import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/**
 * ris/: Modality Performed Procedure Steps and their orders, studies linked to orders, the queue of studies
 * no order matched, study arrival tracking for `study.stable`; platform/events: consumer cursors.
 */
export const risMppsMigration: LanternMigration = {
  name: '0009-ris-mpps',
  async up(db, dialect) {
    // Scheduled Performing Physician's Name (0040,0006) of a worklist step; null when none is planned.
    await db.schema
      .alterTable('scheduled_procedure_step')
      .addColumn('performing_physician_name', 'text')
      .execute();

    // PS3.4 F.7: one row per MPPS SOP Instance; `attributes` is its whole DICOM JSON, N-SETs merged in.
    await withIdColumn(db.schema.createTable('performed_procedure_step'), dialect)
      .addColumn('sop_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('performed_step_id', 'text', (c) => c.notNull())
      .addColumn('station_ae_title', 'text', (c) => c.notNull())
      .addColumn('modality', 'text', (c) => c.notNull())
      .addColumn('study_instance_uid', 'text', (c) => c.notNull())
      .addColumn('accession_number', 'text')
      .addColumn('patient_id', 'text')
      .addColumn('start_date', 'text', (c) => c.notNull())
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('end_date', 'text')
      .addColumn('end_time', 'text')
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('performed_procedure_step_study_idx')
      .on('performed_procedure_step')
      .column('study_instance_uid')
      .execute();

    // An MPPS names one or more scheduled steps (PS3.4 F.7.2.1, group case); none for an unscheduled one.
    await withIdColumn(db.schema.createTable('performed_step_order'), dialect)
      .addColumn('pps_ref', 'bigint', referenceColumn('performed_procedure_step', 'cascade'))
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'cascade'))
      .addUniqueConstraint('performed_step_order_uq', ['pps_ref', 'order_ref'])
      .execute();
    await db.schema
      .createIndex('performed_step_order_order_idx')
      .on('performed_step_order')
      .column('order_ref')
      .execute();

    // A stored study belongs to at most one order; an order may have several studies.
    await withIdColumn(db.schema.createTable('order_study'), dialect)
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'cascade'))
      .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('matched_by', 'text', (c) => c.notNull())
      .addColumn('linked_by', 'text', (c) => c.notNull())
      .addColumn('linked_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('order_study_order_idx').on('order_study').column('order_ref').execute();

    // Studies that became stable with no order to link to: the clerk's queue.
    await withIdColumn(db.schema.createTable('unmatched_study'), dialect)
      .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('accession_number', 'text')
      .addColumn('patient_id', 'text')
      .addColumn('issuer_of_patient_id', 'text')
      .addColumn('patient_name', 'text')
      .addColumn('study_date', 'text')
      .addColumn('modalities', 'text')
      .addColumn('num_instances', 'integer')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('queued_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('resolved_by', 'text')
      .execute();
    await db.schema
      .createIndex('unmatched_study_status_idx')
      .on('unmatched_study')
      .columns(['status', 'queued_at'])
      .execute();

    // When each study last received an instance (from `instance.stored`), and up to when it was stable.
    await db.schema
      .createTable('study_arrival')
      .addColumn('study_instance_uid', 'text', (c) => c.primaryKey())
      .addColumn('last_received_at', 'text', (c) => c.notNull())
      .addColumn('stable_through', 'text')
      .execute();
    await db.schema
      .createIndex('study_arrival_received_idx')
      .on('study_arrival')
      .column('last_received_at')
      .execute();

    // platform/events: how far each durable consumer has read the outbox.
    await db.schema
      .createTable('event_consumer')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('last_id', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
