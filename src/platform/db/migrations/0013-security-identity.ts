import type { LanternMigration } from '../migration.js';
import { withIdColumn } from '../migration.js';

/** platform/security: local users, API keys of service accounts, refresh tokens of login sessions. */
export const securityIdentityMigration: LanternMigration = {
  name: '0013-security-identity',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('security_user'), dialect)
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    // Keys are random and long, so a plain SHA-256 of the key finds and checks it in one indexed lookup.
    await db.schema
      .createTable('security_api_key')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    // Refresh tokens rotate: each use marks the row used and issues a new one of the same family. A used
    // token presented again means it was copied, and the whole family is revoked.
    await db.schema
      .createTable('security_refresh_token')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('security_refresh_token_family_idx')
      .on('security_refresh_token')
      .column('family_id')
      .execute();
  },
};
