import type { LanternMigration } from '../migration.js';

/**
 * archive/: the patient identity a stored file's header carries, as a comparable key (set at ingest). Retrieve
 * compares it with the patient row and reads a file's header only when they differ (current demographics).
 */
export const archiveInstanceHeaderPatientMigration: LanternMigration = {
  name: '0014-archive-instance-header-patient',
  async up(db) {
    await db.schema.alterTable('instance').addColumn('header_patient', 'text').execute();
  },
};
