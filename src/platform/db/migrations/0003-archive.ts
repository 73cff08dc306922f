import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/** archive/: the study, series and instance index with the attributes C-FIND and QIDO-RS match on. */
export const archiveMigration: LanternMigration = {
  name: '0003-archive',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('study'), dialect)
      .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('patient_ref', 'bigint', referenceColumn('patient'))
      .addColumn('study_date', 'text')
      .addColumn('study_time', 'text')
      .addColumn('accession_number', 'text')
      .addColumn('study_id', 'text')
      .addColumn('study_description', 'text')
      .addColumn('referring_physician_name', 'text')
      .addColumn('institution_name', 'text')
      .addColumn('modalities_in_study', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('num_series', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('num_instances', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('study_date_idx').on('study').columns(['study_date', 'study_time']).execute();
    await db.schema.createIndex('study_patient_idx').on('study').column('patient_ref').execute();
    await db.schema.createIndex('study_accession_idx').on('study').column('accession_number').execute();

    await withIdColumn(db.schema.createTable('series'), dialect)
      .addColumn('series_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('study_ref', 'bigint', referenceColumn('study', 'cascade'))
      .addColumn('modality', 'text')
      .addColumn('series_number', 'integer')
      .addColumn('series_description', 'text')
      .addColumn('body_part_examined', 'text')
      .addColumn('series_date', 'text')
      .addColumn('series_time', 'text')
      .addColumn('station_name', 'text')
      .addColumn('performed_procedure_step_start_date', 'text')
      .addColumn('num_instances', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('series_study_idx').on('series').column('study_ref').execute();

    await withIdColumn(db.schema.createTable('instance'), dialect)
      .addColumn('sop_instance_uid', 'text', (c) => c.notNull().unique())
      .addColumn('sop_class_uid', 'text', (c) => c.notNull())
      .addColumn('series_ref', 'bigint', referenceColumn('series', 'cascade'))
      .addColumn('study_ref', 'bigint', referenceColumn('study', 'cascade'))
      .addColumn('instance_number', 'integer')
      .addColumn('transfer_syntax_uid', 'text', (c) => c.notNull())
      .addColumn('rows', 'integer')
      .addColumn('columns', 'integer')
      .addColumn('number_of_frames', 'integer')
      .addColumn('content_date', 'text')
      .addColumn('content_time', 'text')
      .addColumn('blob_key', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('pixel_data_offset', 'bigint')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('received_from', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('instance_series_idx').on('instance').column('series_ref').execute();
    await db.schema.createIndex('instance_study_idx').on('instance').column('study_ref').execute();
    await db.schema.createIndex('instance_blob_idx').on('instance').column('blob_key').execute();
  },
};
