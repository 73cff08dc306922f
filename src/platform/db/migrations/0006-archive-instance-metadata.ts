import type { LanternMigration } from '../migration.js';

/**
 * archive/: the DICOM JSON (WADO-RS metadata) of each stored file, computed on first request. Keyed by the
 * file's content hash: a replaced instance gets a new key, so a cached entry can never be stale.
 */
export const archiveInstanceMetadataMigration: LanternMigration = {
  name: '0006-archive-instance-metadata',
  async up(db) {
    await db.schema
      .createTable('instance_metadata')
      .addColumn('blob_key', 'text', (c) => c.primaryKey())
      .addColumn('json', 'text', (c) => c.notNull())
      .execute();
  },
};
