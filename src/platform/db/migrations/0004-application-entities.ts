import type { LanternMigration } from '../migration.js';

/** platform/security: the AE table of remote DICOM nodes. */
export const applicationEntitiesMigration: LanternMigration = {
  name: '0004-application-entities',
  async up(db) {
    await db.schema
      .createTable('application_entity')
      .addColumn('ae_title', 'text', (c) => c.primaryKey())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('port', 'integer', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
