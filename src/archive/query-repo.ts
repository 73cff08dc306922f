import { sql, type Expression, type Kysely, type SqlBool } from '../platform/db/index.js';
import type { Database } from '../platform/db/index.js';
import { reachCondition, type ReachablePatients } from '../platform/security/index.js';
import type { QueryKey, QueryLevel } from './query-keys.js';
import { LIKE_ESCAPE, type Match, type MatchAtom } from './query-matching.js';

// The SQL of the one query model. Reads the patient table (owned by patients/) read-only for joins.

export interface KeyCondition {
  key: QueryKey;
  match: Match;
}

export interface QueryPlan {
  level: QueryLevel;
  conditions: KeyCondition[];
  returnKeys: QueryKey[];
  limit: number;
  offset: number;
  /** STUDY level: the order asked for, instead of the level's own (ORDER). */
  order?: { by: 'date' | 'lastReceived'; descending?: boolean }[];
  /** STUDY level: last received in [from, to), ISO UTC text. */
  lastReceived?: { from?: string; to?: string };
  /** The patients the caller may see (a referring physician's: policy.ts); all when left out. */
  reach?: ReachablePatients;
}

export type IndexRow = Record<string, string | number | null>;

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LEVEL_TABLE: Record<QueryLevel, string> = {
  PATIENT: 'patient',
  STUDY: 'study',
  SERIES: 'series',
  IMAGE: 'instance',
};

/** The level's table joined upwards; `upTo` stops the joins early (see countJoins). */
function baseQuery(db: AnyDb, level: QueryLevel, upTo: QueryLevel = 'PATIENT') {
  const depth = LEVELS_UP.indexOf(upTo);
  let query = db.selectFrom(LEVEL_TABLE[level]);
  // A patient merged into another is an old name for the survivor, which answers for its studies.
  if (level === 'PATIENT') query = query.where('patient.merged_into', 'is', null);
  if (level === 'IMAGE' && depth >= 1) query = query.innerJoin('series', 'series.id', 'instance.series_ref');
  if ((level === 'IMAGE' || level === 'SERIES') && depth >= 2)
    query = query.innerJoin('study', 'study.id', 'series.study_ref');
  if (level !== 'PATIENT' && depth >= 3)
    query = query.innerJoin('patient', 'patient.id', 'study.patient_ref');
  return query;
}

const LEVELS_UP: QueryLevel[] = ['IMAGE', 'SERIES', 'STUDY', 'PATIENT'];

/**
 * How far up a count must join: to the highest table a condition reads. Each join follows a non-null
 * reference to exactly one parent row, so leaving out one no condition reads cannot change the count, and
 * SQLite counts a bare table without scanning it (the study list's total at 200,000 studies: 17 ms → 0.02).
 */
function countJoins(level: QueryLevel, conditions: KeyCondition[], reach?: ReachablePatients): QueryLevel {
  let highest = LEVELS_UP.indexOf(level);
  if (reach?.kind === 'some') highest = Math.max(highest, LEVELS_UP.indexOf('STUDY'));
  for (const { key, match } of conditions) {
    if (match.kind === 'universal') continue;
    const table = key.match === 'code-list' ? 'study' : key.column!.split('.')[0];
    const reads = LEVELS_UP.find((l) => LEVEL_TABLE[l] === table)!;
    highest = Math.max(highest, LEVELS_UP.indexOf(reads));
  }
  return LEVELS_UP[highest]!;
}

function atomCondition(key: QueryKey, atom: MatchAtom): Expression<SqlBool> {
  const column = sql.ref(key.column!);
  const caseless = key.match === 'person-name';
  const subject = caseless ? sql`lower(${column})` : sql`${column}`;
  const integer = key.match === 'integer';
  switch (atom.kind) {
    case 'equals': {
      const value = integer ? Number(atom.value) : caseless ? atom.value.toLowerCase() : atom.value;
      if (!caseless) return sql<SqlBool>`${subject} = ${value}`;
      // A name without '=' is its alphabetic group: it also matches names that carry ideographic groups.
      return sql<SqlBool>`(${subject} = ${value} or ${subject} like ${escapeLike(String(value)) + '=%'} escape ${LIKE_ESCAPE})`;
    }
    case 'wildcard': {
      const pattern = caseless ? atom.likePattern.toLowerCase() : atom.likePattern;
      return sql<SqlBool>`${subject} like ${pattern} escape ${LIKE_ESCAPE}`;
    }
    case 'range': {
      if (atom.from !== undefined && atom.to !== undefined) {
        return sql<SqlBool>`(${subject} >= ${atom.from} and ${subject} <= ${atom.to})`;
      }
      if (atom.from !== undefined) return sql<SqlBool>`${subject} >= ${atom.from}`;
      return sql<SqlBool>`${subject} <= ${atom.to}`;
    }
  }
}

function escapeLike(value: string): string {
  return value.replace(/[%_!]/g, (ch) => LIKE_ESCAPE + ch);
}

/** ModalitiesInStudy matches when any series of the study has one of the listed modalities (C.6.1.1.3). */
function modalitiesCondition(match: Extract<Match, { kind: 'any' }>): Expression<SqlBool> {
  const atoms = match.atoms.map((atom) =>
    atom.kind === 'wildcard'
      ? sql<SqlBool>`m.modality like ${atom.likePattern} escape ${LIKE_ESCAPE}`
      : sql<SqlBool>`m.modality = ${atom.kind === 'equals' ? atom.value : ''}`,
  );
  return sql<SqlBool>`exists (select 1 from series m where m.study_ref = study.id and (${sql.join(atoms, sql` or `)}))`;
}

function whereClause(
  plan: Pick<QueryPlan, 'level' | 'conditions' | 'lastReceived' | 'reach'>,
): Expression<SqlBool> | undefined {
  const { conditions, lastReceived } = plan;
  const parts: Expression<SqlBool>[] = [];
  const reachable =
    plan.reach && reachCondition(plan.level === 'PATIENT' ? 'patient.id' : 'study.patient_ref', plan.reach);
  if (reachable) parts.push(reachable);
  if (lastReceived?.from !== undefined)
    parts.push(sql<SqlBool>`study.last_received_at >= ${lastReceived.from}`);
  if (lastReceived?.to !== undefined) parts.push(sql<SqlBool>`study.last_received_at < ${lastReceived.to}`);
  for (const { key, match } of conditions) {
    if (match.kind === 'universal') continue;
    if (key.match === 'code-list') parts.push(modalitiesCondition(match));
    else
      parts.push(
        sql<SqlBool>`(${sql.join(
          match.atoms.map((atom) => atomCondition(key, atom)),
          sql` or `,
        )})`,
      );
  }
  return parts.length === 0 ? undefined : sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

const PATIENT_COUNTS: Record<string, ReturnType<typeof sql>> = {
  NumberOfPatientRelatedStudies: sql`(select count(*) from study c where c.patient_ref = patient.id)`,
  NumberOfPatientRelatedSeries: sql`(select coalesce(sum(c.num_series), 0) from study c where c.patient_ref = patient.id)`,
  NumberOfPatientRelatedInstances: sql`(select coalesce(sum(c.num_instances), 0) from study c where c.patient_ref = patient.id)`,
};

/** The study columns an asked-for order reads. */
const STUDY_ORDER_COLUMNS = {
  date: ['study.study_date', 'study.study_time'],
  lastReceived: ['study.last_received_at'],
};

/** The ORDER BY of a page: the plan's order (then row id) when given, else the level's own. */
function pageOrder(plan: QueryPlan): string[] {
  if (!plan.order?.length) return ORDER[plan.level];
  const columns = plan.order.flatMap((o) =>
    STUDY_ORDER_COLUMNS[o.by].map((column) => `${column} ${o.descending ? 'desc' : 'asc'}`),
  );
  return [...columns, `study.id ${plan.order[plan.order.length - 1]!.descending ? 'desc' : 'asc'}`];
}

const ORDER: Record<QueryLevel, string[]> = {
  PATIENT: ['patient.patient_name', 'patient.id'],
  STUDY: ['study.study_date desc', 'study.study_time desc', 'study.id'],
  SERIES: ['series.series_number', 'series.id'],
  IMAGE: ['instance.instance_number', 'instance.id'],
};

/** One page of matching index rows (keyed by attribute keyword) and the total number of matches. */
export async function runQuery(
  database: Database,
  plan: QueryPlan,
  withTotal = true,
): Promise<{ total: number | undefined; rows: IndexRow[] }> {
  const db = database.kysely;
  const where = whereClause(plan);
  const filtered = (upTo?: QueryLevel) => {
    const query = baseQuery(db, plan.level, upTo);
    return where ? query.where(where) : query;
  };
  let total: number | undefined;
  if (withTotal) {
    const countRow = await filtered(countJoins(plan.level, plan.conditions, plan.reach))
      .select(sql<number>`count(*)`.as('total'))
      .executeTakeFirstOrThrow();
    total = Number(countRow.total);
    if (total === 0) return { total, rows: [] };
  }
  if (plan.limit === 0) return { total, rows: [] };

  let page = filtered().select(
    plan.returnKeys.map((k) => (k.column ? sql.ref(k.column) : PATIENT_COUNTS[k.keyword]!).as(k.keyword)),
  );
  for (const order of pageOrder(plan)) {
    const [column, direction] = order.split(' ');
    page = page.orderBy(sql.ref(column!), direction === 'desc' ? 'desc' : 'asc');
  }
  const rows = (await page.limit(plan.limit).offset(plan.offset).execute()) as IndexRow[];
  return { total, rows };
}

const ID_COLUMN: Record<QueryLevel, string> = {
  PATIENT: 'patient.id',
  STUDY: 'study.id',
  SERIES: 'series.id',
  IMAGE: 'instance.id',
};

/**
 * Every matching index row, page by page in the order of the level's row ids, each page starting after the
 * last id seen: every page costs the same, where OFFSET paging re-reads all the rows before the page.
 */
export async function* runQueryAll(
  database: Database,
  plan: Omit<QueryPlan, 'limit' | 'offset'>,
  pageSize: number,
): AsyncGenerator<IndexRow[]> {
  const where = whereClause(plan);
  const id = ID_COLUMN[plan.level];
  const columns = plan.returnKeys.map((k) =>
    (k.column ? sql.ref(k.column) : PATIENT_COUNTS[k.keyword]!).as(k.keyword),
  );
  for (let after = 0; ;) {
    let page = baseQuery(database.kysely, plan.level);
    if (where) page = page.where(where);
    const rows = (await page
      .select([...columns, sql.ref(id).as('__row_id')])
      .where(sql.ref(id), '>', after)
      .orderBy(sql.ref(id))
      .limit(pageSize)
      .execute()) as (IndexRow & { __row_id: number })[];
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.__row_id);
  }
}
