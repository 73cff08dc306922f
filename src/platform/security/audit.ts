import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describeActor, type RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { nowIso, preparedQuery } from '../db/index.js';
import { toLanternError } from '../errors.js';
import type { AuditAnchor } from './audit-anchor.js';

export type AuditOutcome = 'success' | 'failure';

/** What happened to which patient data. Actions are `noun.verb` (instance.store, study.query …). */
export interface AuditEntry {
  action: string;
  outcome?: AuditOutcome;
  patientId?: string;
  studyInstanceUid?: string;
  detail?: Record<string, unknown>;
}

/**
 * The patients a record of a page, a batch or a retrieve names: each once, in one value separated by `\`
 * (DICOM's value multiplicity), which the search by patient (audit-search.ts) also finds one by one.
 */
export function auditPatients(patientIds: Iterable<string | null | undefined>): { patientId?: string } {
  const ids = [...new Set([...patientIds].filter((id): id is string => !!id))];
  return ids.length ? { patientId: ids.join('\\') } : {};
}

/** The audit trail's tables; only this module and audit-search.ts read them. */
export interface AuditTables {
  audit_event: {
    id?: number;
    seq: number;
    recorded_at: string;
    request_id: string;
    actor_kind: string;
    actor_id: string;
    door: string;
    remote_address: string | null;
    action: string;
    outcome: string;
    patient_id: string | null;
    study_instance_uid: string | null;
    detail: string | null;
    prev_hash: string;
    hash: string;
  };
  audit_chain_head: { id: number; seq: number; last_hash: string };
}

type AuditRow = AuditTables['audit_event'];

/** The hash of one audit row chained to its predecessor: editing or removing any row breaks the chain. */
export function auditRowHash(row: Omit<AuditRow, 'id' | 'hash'>): string {
  const fields = [
    row.seq,
    row.recorded_at,
    row.request_id,
    row.actor_kind,
    row.actor_id,
    row.door,
    row.remote_address,
    row.action,
    row.outcome,
    row.patient_id,
    row.study_instance_uid,
    row.detail,
  ];
  return createHash('sha256').update(row.prev_hash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

// Every access to patient data appends a record: its statements are compiled once, not built on each call.
const bumpHead = preparedQuery<never, { seq: number | string; last_hash: string }>((db) =>
  (db as Kysely<AuditTables>)
    .updateTable('audit_chain_head')
    .set({ seq: sql`seq + 1` })
    .where('id', '=', sql<number>`1`)
    .returning(['seq', 'last_hash']),
);

type AuditValues = Omit<AuditRow, 'id'>;

const insertRecord = preparedQuery<keyof AuditValues>((db, param) =>
  (db as Kysely<AuditTables>).insertInto('audit_event').values({
    seq: param('seq') as never,
    recorded_at: param('recorded_at'),
    request_id: param('request_id'),
    actor_kind: param('actor_kind'),
    actor_id: param('actor_id'),
    door: param('door'),
    remote_address: param('remote_address'),
    action: param('action'),
    outcome: param('outcome'),
    patient_id: param('patient_id'),
    study_instance_uid: param('study_instance_uid'),
    detail: param('detail'),
    prev_hash: param('prev_hash'),
    hash: param('hash'),
  }),
);

const setHeadHash = preparedQuery<'hash'>((db, param) =>
  (db as Kysely<AuditTables>)
    .updateTable('audit_chain_head')
    .set({ last_hash: param('hash') })
    .where('id', '=', sql<number>`1`),
);

/**
 * Appends an audit record inside the caller's transaction, so the record commits or rolls back with the
 * change it describes. Bumping the chain head first takes its row lock: concurrent writers queue there.
 */
export async function recordAudit(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  ctx: RequestContext,
  entry: AuditEntry,
): Promise<void> {
  const { rows } = await bumpHead(executor, {});
  const head = rows[0];
  if (head === undefined) throw new Error('the audit chain head row is missing');
  const actor = describeActor(ctx.actor);
  // Everything done under break-glass is flagged with its reason, so a reviewer finds it by one field.
  const breakGlass = ctx.actor.kind === 'user' ? ctx.actor.breakGlass : undefined;
  const detail = breakGlass ? { ...entry.detail, breakGlass: breakGlass.reason } : entry.detail;
  const row = {
    seq: Number(head.seq),
    recorded_at: nowIso(),
    request_id: ctx.requestId,
    actor_kind: actor.kind,
    actor_id: actor.id,
    door: ctx.origin.door,
    remote_address: ctx.origin.remoteAddress ?? null,
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    patient_id: entry.patientId ?? null,
    study_instance_uid: entry.studyInstanceUid ?? null,
    detail: detail === undefined ? null : JSON.stringify(detail),
    prev_hash: head.last_hash,
  };
  const hash = auditRowHash(row);
  await insertRecord(executor, { ...row, hash });
  await setHeadHash(executor, { hash });
}

/** An audit record in a transaction of its own: for reads and for failures whose work was rolled back. */
export async function recordAuditAlone(
  database: Database,
  ctx: RequestContext,
  entry: AuditEntry,
): Promise<void> {
  await database.kysely.transaction().execute((trx) => recordAudit(trx, ctx, entry));
}

/**
 * Records a failed operation (the error's code and message) and never hides the original error. Inside a
 * batch's unit of work the record waits until the unit is undone, or it would be undone with it.
 */
export async function recordAuditFailure(
  database: Database,
  ctx: RequestContext,
  entry: AuditEntry,
  error: unknown,
): Promise<void> {
  const { code, message } = toLanternError(error);
  const write = async () => {
    try {
      await recordAuditAlone(database, ctx, {
        ...entry,
        outcome: 'failure',
        detail: { ...entry.detail, error: code, reason: message },
      });
    } catch (auditError) {
      ctx.log.error(
        { err: auditError, action: entry.action },
        'audit record of a failure could not be written',
      );
    }
  };
  if (database.deferUntilSettled?.(write)) return;
  await write();
}

export interface AuditChainReport {
  records: number;
  intact: boolean;
  /** The first record that does not verify: changed (its hash or link is wrong) or missing (removed). */
  firstBrokenSeq?: number;
  problem?: 'changed' | 'missing';
}

/** The last record of the chain as the head says: its sequence number (0: none yet) and hash. */
export async function readAuditChainHead(database: Database): Promise<{ seq: number; hash: string }> {
  const head = await (database.kysely as Kysely<AuditTables>)
    .selectFrom('audit_chain_head')
    .select(['seq', 'last_hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return { seq: Number(head?.seq ?? 0), hash: head?.last_hash ?? '' };
}

/**
 * Re-computes every hash of the trail in order, up to the chain head (`audit_chain_head`, bumped in the same
 * transaction as each record), and checks that the chain ends where the head says, with the head's hash: a
 * removed newest record leaves the head ahead of the rows. The head is read first, so records appended while
 * this runs are simply not looked at. Rows and head cut back together cannot be told from the database
 * alone: with `anchor` (audit-anchor.ts, kept outside the database) the chain must still reach the anchored
 * record and agree with its hash. Forwarding the trail (audit-forwarder.ts) keeps a whole copy elsewhere.
 */
export async function verifyAuditChain(database: Database, anchor?: AuditAnchor): Promise<AuditChainReport> {
  const db = database.kysely as Kysely<AuditTables>;
  const head = await readAuditChainHead(database);
  const headSeq = head.seq;
  let prev = '0'.repeat(64);
  let records = 0;
  let lastSeq = 0;
  const pageSize = 1000;
  const broken = (seq: number, problem: 'changed' | 'missing'): AuditChainReport => ({
    records,
    intact: false,
    firstBrokenSeq: seq,
    problem,
  });
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', lastSeq)
      .where('seq', '<=', headSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== lastSeq + 1) return broken(lastSeq + 1, 'missing');
      const { id: _id, hash, ...rest } = row;
      if (row.prev_hash !== prev || auditRowHash({ ...rest, seq }) !== hash) return broken(seq, 'changed');
      if (seq === anchor?.seq && hash !== anchor.hash) return broken(seq, 'changed');
      prev = hash;
      lastSeq = seq;
      records++;
    }
    if (rows.length < pageSize) break;
  }
  if (lastSeq < headSeq) return broken(lastSeq + 1, 'missing');
  // Rows past the head: the head was set back over them. Both read in one statement, one snapshot, since a
  // record and its head move in one transaction (records appended meanwhile move both).
  const ends = await sql<{ rows_end: number | string | null; head_seq: number | string | null }>`
    select (select max(seq) from audit_event) as rows_end,
           (select seq from audit_chain_head where id = 1) as head_seq`.execute(db);
  const end = ends.rows[0];
  if (Number(end?.rows_end ?? 0) > Number(end?.head_seq ?? 0)) return broken(headSeq + 1, 'changed');
  // Cut back with its head: the anchor outside the database remembers a longer chain (audit-anchor.ts).
  if (anchor && anchor.seq > headSeq) return broken(headSeq + 1, 'missing');
  // The newest record re-hashed with the rest of the chain after an edit still disagrees with the head.
  if (headSeq > 0 && prev !== head.hash) return broken(headSeq, 'changed');
  return { records, intact: true };
}

export interface AuditRecordSummary {
  seq: number;
  recordedAt: string;
  action: string;
  actor: string;
  outcome: string;
}

/** One record of the trail by its sequence number, to name it (e.g. the first one that fails to verify). */
export async function findAuditRecord(
  database: Database,
  seq: number,
): Promise<AuditRecordSummary | undefined> {
  const row = await (database.kysely as Kysely<AuditTables>)
    .selectFrom('audit_event')
    .select(['seq', 'recorded_at', 'action', 'actor_kind', 'actor_id', 'outcome'])
    .where('seq', '=', seq)
    .executeTakeFirst();
  return (
    row && {
      seq: Number(row.seq),
      recordedAt: row.recorded_at,
      action: row.action,
      actor: `${row.actor_kind}:${row.actor_id}`,
      outcome: row.outcome,
    }
  );
}
