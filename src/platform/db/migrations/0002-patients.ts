import type { LanternMigration } from '../migration.js';
import { withIdColumn } from '../migration.js';

/** patients/: one row per patient identity (Patient ID within its issuer). */
export const patientsMigration: LanternMigration = {
  name: '0002-patients',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('patient'), dialect)
      .addColumn('patient_id', 'text', (c) => c.notNull())
      .addColumn('issuer_of_patient_id', 'text', (c) => c.notNull())
      .addColumn('patient_name', 'text')
      .addColumn('birth_date', 'text')
      .addColumn('sex', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('patient_identity_uq', ['patient_id', 'issuer_of_patient_id'])
      .execute();
    await db.schema.createIndex('patient_name_idx').on('patient').column('patient_name').execute();
  },
};
