import type { LanternMigration } from '../migration.js';

/** archive/: where each stored file's data set begins, so DIMSE can send it without the file meta. */
export const archiveDatasetOffsetMigration: LanternMigration = {
  name: '0005-archive-dataset-offset',
  async up(db) {
    await db.schema
      .alterTable('instance')
      .addColumn('dataset_offset', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
