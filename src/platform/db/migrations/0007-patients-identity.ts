import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/**
 * patients/: the full identity model. Contact details and the merge link on `patient`; other identifiers
 * (MRNs of other assigning authorities, national IDs …) in `patient_identifier`; every merge with exactly
 * what it moved in `patient_merge` and `patient_merge_item`, so an unmerge can put it back.
 */
export const patientsIdentityMigration: LanternMigration = {
  name: '0007-patients-identity',
  async up(db, dialect) {
    // SQLite adds one column per ALTER TABLE.
    await db.schema.alterTable('patient').addColumn('address', 'text').execute();
    await db.schema.alterTable('patient').addColumn('phone', 'text').execute();
    // The surviving patient while this one is merged into it; null for an active patient.
    await db.schema
      .alterTable('patient')
      .addColumn('merged_into', 'bigint', (c) => c.references('patient.id'))
      .execute();

    await withIdColumn(db.schema.createTable('patient_identifier'), dialect)
      .addColumn('patient_ref', 'bigint', referenceColumn('patient', 'cascade'))
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addUniqueConstraint('patient_identifier_uq', ['issuer', 'type', 'value'])
      .execute();
    await db.schema
      .createIndex('patient_identifier_patient_idx')
      .on('patient_identifier')
      .column('patient_ref')
      .execute();
    await db.schema
      .createIndex('patient_identifier_value_idx')
      .on('patient_identifier')
      .column('value')
      .execute();

    await withIdColumn(db.schema.createTable('patient_merge'), dialect)
      .addColumn('merged_ref', 'bigint', referenceColumn('patient'))
      .addColumn('survivor_ref', 'bigint', referenceColumn('patient'))
      .addColumn('merged_at', 'text', (c) => c.notNull())
      .addColumn('merged_by', 'text', (c) => c.notNull())
      .addColumn('unmerged_at', 'text')
      .addColumn('unmerged_by', 'text')
      .execute();
    await db.schema
      .createIndex('patient_merge_merged_idx')
      .on('patient_merge')
      .column('merged_ref')
      .execute();

    // One row per thing a merge moved: kind names the owning module's rows ('study', later 'order' …).
    await db.schema
      .createTable('patient_merge_item')
      .addColumn('merge_ref', 'bigint', referenceColumn('patient_merge', 'cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('item_ref', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('patient_merge_item_pk', ['merge_ref', 'kind', 'item_ref'])
      .execute();
  },
};
