import { nowIso, sql } from '../platform/db/index.js';
import type { ResourceId } from './ids.js';
import type { OpeningHours } from './opening-hours.js';
import type { Resource, ValidResource } from './resource.js';
import type { RisExecutor } from './ris-transaction.js';

export async function listResources(db: RisExecutor, ids?: readonly number[]): Promise<Resource[]> {
  if (ids !== undefined && ids.length === 0) return [];
  let query = db.selectFrom('modality_resource').selectAll();
  if (ids !== undefined) query = query.where('id', 'in', ids);
  const rows = await query.orderBy('name').execute();
  if (rows.length === 0) return [];
  const hours = await db
    .selectFrom('resource_opening_hours')
    .selectAll()
    .where(
      'resource_ref',
      'in',
      rows.map((r) => r.id!),
    )
    .orderBy('resource_ref')
    .orderBy('weekday')
    .orderBy('opens')
    .execute();
  const byResource = new Map<number, OpeningHours[]>();
  for (const h of hours) {
    const list = byResource.get(h.resource_ref) ?? [];
    list.push({ weekday: h.weekday, opens: h.opens, closes: h.closes });
    byResource.set(h.resource_ref, list);
  }
  return rows.map((r) => ({
    id: r.id! as ResourceId,
    name: r.name,
    aeTitle: r.ae_title,
    modality: r.modality,
    stationName: r.station_name,
    timeZone: r.time_zone,
    openingHours: byResource.get(r.id!) ?? [],
  }));
}

export async function findResource(db: RisExecutor, id: number): Promise<Resource | undefined> {
  return (await listResources(db, [id]))[0];
}

/**
 * Takes the resource's row lock (a no-op update) so that bookings on one resource run one at a time:
 * PostgreSQL's read committed would otherwise let two overlapping bookings both pass the overlap check.
 * SQLite transactions already hold the database's write lock from their start.
 */
export async function lockResource(db: RisExecutor, id: number): Promise<boolean> {
  const result = await db
    .updateTable('modality_resource')
    .set({ name: sql<string>`name` })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertResource(db: RisExecutor, resource: ValidResource): Promise<ResourceId> {
  const now = nowIso();
  const row = await db
    .insertInto('modality_resource')
    .values({
      name: resource.name,
      ae_title: resource.aeTitle,
      modality: resource.modality,
      station_name: resource.stationName,
      time_zone: resource.timeZone,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertHours(db, row.id!, resource.openingHours);
  return row.id! as ResourceId;
}

export async function updateResource(db: RisExecutor, id: number, resource: ValidResource): Promise<boolean> {
  const result = await db
    .updateTable('modality_resource')
    .set({
      name: resource.name,
      ae_title: resource.aeTitle,
      modality: resource.modality,
      station_name: resource.stationName,
      time_zone: resource.timeZone,
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await db.deleteFrom('resource_opening_hours').where('resource_ref', '=', id).execute();
  await insertHours(db, id, resource.openingHours);
  return true;
}

export async function deleteResource(db: RisExecutor, id: number): Promise<boolean> {
  const result = await db.deleteFrom('modality_resource').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

async function insertHours(db: RisExecutor, resourceRef: number, hours: OpeningHours[]) {
  if (hours.length === 0) return;
  await db
    .insertInto('resource_opening_hours')
    .values(
      hours.map((h) => ({ resource_ref: resourceRef, weekday: h.weekday, opens: h.opens, closes: h.closes })),
    )
    .execute();
}
