import { Migrator, sql, type Kysely, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import type { Database, DialectName } from './connect.js';

/** One step of the single migration sequence. DDL may differ per dialect; queries never do. */
export interface LanternMigration {
  name: string;
  up(db: Kysely<any>, dialect: DialectName): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An auto-numbered primary key column, in each dialect's own form. */
export function withIdColumn<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: DialectName,
  name = 'id',
): CreateTableBuilder<T, never> {
  if (dialect === 'sqlite') return table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
  return table.addColumn(name, 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

/** A reference to another table's id column. */
export const referenceColumn =
  (table: string, onDelete: 'cascade' | 'restrict' = 'restrict') =>
  (c: ColumnDefinitionBuilder) =>
    c.references(`${table}.id`).onDelete(onDelete).notNull();

/** Applies every migration not yet applied, in order; safe when several nodes start at once (Kysely locks). */
export async function migrateToLatest(
  database: Database,
  migrations: readonly LanternMigration[],
): Promise<string[]> {
  const migrator = new Migrator({
    db: database.kysely,
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
    provider: {
      getMigrations: async () =>
        Object.fromEntries(
          migrations.map((m) => [m.name, { up: (db: Kysely<any>) => m.up(db, database.dialect) }]), // eslint-disable-line @typescript-eslint/no-explicit-any
        ),
    },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export { sql };
