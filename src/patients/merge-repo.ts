import type { Kysely } from '../platform/db/index.js';
import { nowIso } from '../platform/db/index.js';
import type { PatientKey } from './patient-identity.js';
import type { PatientTables } from './tables.js';

// All SQL on the merge record (patient_merge, patient_merge_item) and the patient's merge link.
type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tables = (executor: Executor) => executor as Kysely<PatientTables>;

const SLICE = 500;

/**
 * Marks `merged` as merged into `survivor`, if both are still active; false when another merge got there
 * first. The two rows are written in key order: on PostgreSQL the updates take the row locks, and one
 * order for every merge means opposite merges of the same pair wait for each other instead of deadlocking.
 */
export async function linkMerged(trx: Executor, merged: PatientKey, survivor: PatientKey): Promise<boolean> {
  const now = nowIso();
  let linked = true;
  for (const key of [merged, survivor].sort((a, b) => a - b)) {
    const result = await tables(trx)
      .updateTable('patient')
      .set(key === merged ? { merged_into: survivor, updated_at: now } : { updated_at: now })
      .where('id', '=', key)
      .where('merged_into', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) linked = false;
  }
  return linked;
}

export async function unlinkMerged(trx: Executor, merged: PatientKey): Promise<void> {
  await tables(trx)
    .updateTable('patient')
    .set({ merged_into: null, updated_at: nowIso() })
    .where('id', '=', merged)
    .execute();
}

export async function insertMergeRecord(
  trx: Executor,
  merged: PatientKey,
  survivor: PatientKey,
  actor: string,
): Promise<{ id: number; mergedAt: string }> {
  const mergedAt = nowIso();
  const row = await tables(trx)
    .insertInto('patient_merge')
    .values({
      merged_ref: merged,
      survivor_ref: survivor,
      merged_at: mergedAt,
      merged_by: actor,
      unmerged_at: null,
      unmerged_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id!, mergedAt };
}

export async function insertMergeItems(trx: Executor, mergeId: number, kind: string, keys: number[]) {
  for (let i = 0; i < keys.length; i += SLICE) {
    await tables(trx)
      .insertInto('patient_merge_item')
      .values(keys.slice(i, i + SLICE).map((key) => ({ merge_ref: mergeId, kind, item_ref: key })))
      .execute();
  }
}

/** The merge that currently holds `merged` in its survivor, if any. */
export async function findActiveMerge(executor: Executor, merged: PatientKey) {
  const row = await tables(executor)
    .selectFrom('patient_merge')
    .select(['id', 'survivor_ref', 'merged_at', 'merged_by'])
    .where('merged_ref', '=', merged)
    .where('unmerged_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row && { id: row.id!, survivor: row.survivor_ref as PatientKey, mergedAt: row.merged_at };
}

/** What a merge moved, by kind. */
export async function mergeItems(executor: Executor, mergeId: number): Promise<Map<string, number[]>> {
  const rows = await tables(executor)
    .selectFrom('patient_merge_item')
    .select(['kind', 'item_ref'])
    .where('merge_ref', '=', mergeId)
    .orderBy('kind')
    .orderBy('item_ref')
    .execute();
  const items = new Map<string, number[]>();
  for (const row of rows) items.set(row.kind, [...(items.get(row.kind) ?? []), row.item_ref]);
  return items;
}

export async function closeMergeRecord(trx: Executor, mergeId: number, actor: string) {
  const unmergedAt = nowIso();
  await tables(trx)
    .updateTable('patient_merge')
    .set({ unmerged_at: unmergedAt, unmerged_by: actor })
    .where('id', '=', mergeId)
    .execute();
  return unmergedAt;
}
