import type { Kysely, Transaction } from '../platform/db/index.js';
import { nowIso } from '../platform/db/index.js';
import type { MppsTables } from './mpps-tables.js';
import type { RisExecutor } from './ris-transaction.js';

type Executor = Kysely<MppsTables> | Transaction<MppsTables>;
const on = (db: RisExecutor) => db as unknown as Executor;

export type UnmatchedRow = MppsTables['unmatched_study'];
export type UnmatchedStatus = 'open' | 'linked' | 'dismissed';

export async function findUnmatched(db: RisExecutor, studyInstanceUid: string) {
  return on(db)
    .selectFrom('unmatched_study')
    .selectAll()
    .where('study_instance_uid', '=', studyInstanceUid)
    .executeTakeFirst();
}

/** Queues a study (again: its details and reason are refreshed, a dismissed one stays dismissed). */
export async function queueUnmatched(
  db: RisExecutor,
  row: Omit<UnmatchedRow, 'id' | 'status' | 'queued_at' | 'resolved_at' | 'resolved_by'>,
): Promise<void> {
  const { study_instance_uid: _uid, ...details } = row;
  await on(db)
    .insertInto('unmatched_study')
    .values({ ...row, status: 'open', queued_at: nowIso(), resolved_at: null, resolved_by: null })
    .onConflict((oc) => oc.column('study_instance_uid').doUpdateSet(details))
    .execute();
}

export async function resolveUnmatched(
  db: RisExecutor,
  studyInstanceUid: string,
  status: Exclude<UnmatchedStatus, 'open'>,
  resolvedBy: string,
): Promise<void> {
  await on(db)
    .updateTable('unmatched_study')
    .set({ status, resolved_at: nowIso(), resolved_by: resolvedBy })
    .where('study_instance_uid', '=', studyInstanceUid)
    .execute();
}

export async function listUnmatched(
  db: RisExecutor,
  filter: { status: UnmatchedStatus; limit: number; offset: number },
): Promise<{ total: number; rows: UnmatchedRow[] }> {
  const base = on(db).selectFrom('unmatched_study').where('status', '=', filter.status);
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('queued_at')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { total: Number(counted.n), rows };
}
