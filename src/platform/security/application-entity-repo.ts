import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { nowIso } from '../db/index.js';
import type { AePermission, ApplicationEntity } from './application-entity.js';

interface AeTables {
  application_entity: {
    ae_title: string;
    host: string;
    port: number;
    permissions: string;
    description: string | null;
    updated_at: string;
  };
}

const table = (database: Database) => database.kysely as Kysely<AeTables>;

const toEntity = (row: AeTables['application_entity']): ApplicationEntity => ({
  aeTitle: row.ae_title,
  host: row.host,
  port: row.port,
  permissions: row.permissions.split(',').filter(Boolean) as AePermission[],
  ...(row.description ? { description: row.description } : {}),
  source: 'database',
});

export async function listStoredAes(database: Database): Promise<ApplicationEntity[]> {
  return (
    await table(database).selectFrom('application_entity').selectAll().orderBy('ae_title').execute()
  ).map(toEntity);
}

export async function findStoredAe(
  database: Database,
  aeTitle: string,
): Promise<ApplicationEntity | undefined> {
  const row = await table(database)
    .selectFrom('application_entity')
    .selectAll()
    .where('ae_title', '=', aeTitle)
    .executeTakeFirst();
  return row && toEntity(row);
}

export async function saveAe(database: Database, ae: Omit<ApplicationEntity, 'source'>): Promise<void> {
  const values = {
    host: ae.host,
    port: ae.port,
    permissions: ae.permissions.join(','),
    description: ae.description ?? null,
    updated_at: nowIso(),
  };
  await table(database)
    .insertInto('application_entity')
    .values({ ae_title: ae.aeTitle, ...values })
    .onConflict((oc) => oc.column('ae_title').doUpdateSet(values))
    .execute();
}

export async function deleteAe(database: Database, aeTitle: string): Promise<boolean> {
  const result = await table(database)
    .deleteFrom('application_entity')
    .where('ae_title', '=', aeTitle)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
