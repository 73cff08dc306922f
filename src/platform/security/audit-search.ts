import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { invalid, notFound } from '../errors.js';
import { recordAuditAlone, recordAuditFailure } from './audit.js';
import { authorizedService } from './service-authorization.js';
import type { AuditTables } from './audit.js';

// Reading the audit trail, for auditors (FHIR AuditEvent, later the UI). Reading it is itself audited:
// who looked at the record of who looked.

/** One audit record as stored: `seq` is its place in the hash chain and its id. */
export interface AuditRecord {
  seq: number;
  recordedAt: string;
  requestId: string;
  actor: { kind: string; id: string };
  door: string;
  remoteAddress: string | null;
  action: string;
  outcome: 'success' | 'failure';
  patientId: string | null;
  studyInstanceUid: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditSearch {
  seqs?: number[];
  /** ISO 8601 instants: recordedAt ≥ from and < to. */
  from?: string;
  to?: string;
  /** Exact actions (`order.place`), or prefixes ending in '.' (`patient.`). */
  actions?: string[];
  outcome?: 'success' | 'failure';
  actorIds?: string[];
  remoteAddress?: string;
  patientId?: string;
  studyInstanceUid?: string;
  /** Newest first unless ascending. */
  ascending?: boolean;
  limit: number;
  offset: number;
}

export const MAX_AUDIT_LIMIT = 1000;

type AuditEventTable = Pick<AuditTables, 'audit_event'>;

// The columns a search reads: the row without its key and hash chain.
type Row = Omit<AuditEventTable['audit_event'], 'id' | 'prev_hash' | 'hash'>;

const toRecord = (r: Row): AuditRecord => ({
  seq: Number(r.seq),
  recordedAt: r.recorded_at,
  requestId: r.request_id,
  actor: { kind: r.actor_kind, id: r.actor_id },
  door: r.door,
  remoteAddress: r.remote_address,
  action: r.action,
  outcome: r.outcome === 'failure' ? 'failure' : 'success',
  patientId: r.patient_id,
  studyInstanceUid: r.study_instance_uid,
  detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
});

function instant(what: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`${what}: '${value}' is not a date-time`, { field: what });
  return new Date(ms).toISOString();
}

async function runSearch(db: Kysely<AuditEventTable>, search: AuditSearch & { afterSeq?: number }) {
  if (!Number.isInteger(search.limit) || search.limit < 0 || search.limit > MAX_AUDIT_LIMIT) {
    throw invalid(`limit: a whole number from 0 to ${MAX_AUDIT_LIMIT}`, { field: 'limit' });
  }
  const from = instant('from', search.from);
  const to = instant('to', search.to);
  let query = db.selectFrom('audit_event');
  if (search.seqs) query = query.where('seq', 'in', search.seqs.length ? search.seqs : [-1]);
  if (search.afterSeq !== undefined) query = query.where('seq', '>', search.afterSeq);
  if (from) query = query.where('recorded_at', '>=', from);
  if (to) query = query.where('recorded_at', '<', to);
  if (search.outcome) query = query.where('outcome', '=', search.outcome);
  if (search.actorIds?.length) query = query.where('actor_id', 'in', search.actorIds);
  if (search.remoteAddress) query = query.where('remote_address', '=', search.remoteAddress);
  if (search.patientId) {
    // A page or batch read names every patient it returned, as one backslash-separated value (PS3.5 style
    // multiplicity): one of them is a match too. replace() is case-sensitive in SQLite and PostgreSQL alike.
    const id = search.patientId;
    const padded = sql<string>`(${'\\'} || patient_id || ${'\\'})`;
    query = query.where((eb) =>
      eb.or([
        eb('patient_id', '=', id),
        eb(sql`length(replace(${padded}, ${`\\${id}\\`}, ''))`, '<', sql`length(${padded})`),
      ]),
    );
  }
  if (search.studyInstanceUid) query = query.where('study_instance_uid', '=', search.studyInstanceUid);
  if (search.actions?.length) {
    const actions = search.actions;
    query = query.where((eb) =>
      eb.or(
        actions.map((a) =>
          a.endsWith('.') ? eb('action', 'like', `${a.replace(/[%_]/g, '')}%`) : eb('action', '=', a),
        ),
      ),
    );
  }
  const { total } = await query
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const rows =
    search.limit === 0
      ? []
      : await query
          .select([
            'seq',
            'recorded_at',
            'request_id',
            'actor_kind',
            'actor_id',
            'door',
            'remote_address',
            'action',
            'outcome',
            'patient_id',
            'study_instance_uid',
            'detail',
          ])
          .orderBy('seq', search.ascending ? 'asc' : 'desc')
          .limit(search.limit)
          .offset(search.offset)
          .execute();
  return { total: Number(total), records: rows.map(toRecord) };
}

/** The audit trail's reader, bound to its database. */
export function createAuditReader(database: Database) {
  const db = database.kysely as Kysely<AuditEventTable>;
  const audited = async <T>(ctx: RequestContext, action: string, detail: object, work: () => Promise<T>) => {
    const entry = { action, detail: { ...detail } };
    try {
      const result = await work();
      await recordAuditAlone(database, ctx, entry);
      return result;
    } catch (error) {
      await recordAuditFailure(database, ctx, entry, error);
      throw error;
    }
  };
  // Guarded at the service (audit.read) whichever door asks: REST, FHIR AuditEvent.
  const operations = {
    get: (ctx: RequestContext, seq: number): Promise<AuditRecord> =>
      audited(ctx, 'audit.read', { seq }, async () => {
        const { records } = await runSearch(db, { seqs: [seq], limit: 1, offset: 0 });
        if (!records[0]) throw notFound('audit record', String(seq));
        return records[0];
      }),
    search: (ctx: RequestContext, search: AuditSearch) =>
      audited(ctx, 'audit.search', search, () => runSearch(db, search)),
  };
  return authorizedService(database, 'audit', operations, { get: 'audit.read', search: 'audit.read' });
}

export type AuditReader = ReturnType<typeof createAuditReader>;

/** The records after `seq`, oldest first, unaudited: for Lantern's own copy of the trail (audit-forwarder.ts). */
export async function auditRecordsAfter(
  database: Database,
  seq: number,
  limit: number,
): Promise<AuditRecord[]> {
  return (
    await runSearch(database.kysely as Kysely<AuditEventTable>, {
      seqs: undefined,
      limit,
      offset: 0,
      ascending: true,
      afterSeq: seq,
    })
  ).records;
}

/** The sequence number of the newest record (0: none). */
export async function lastAuditSeq(database: Database): Promise<number> {
  const row = await (database.kysely as Kysely<AuditEventTable>)
    .selectFrom('audit_event')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}
