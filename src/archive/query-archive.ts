import { personNameFromText, type DicomJson } from '../lib/dicom/index.js';
import type { RequestContext } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import {
  ALL_PATIENTS,
  recordAuditAlone,
  recordAuditFailure,
  type ReachablePatients,
} from '../platform/security/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import { LEVELS, findQueryKey, keysForLevel, type QueryKey, type QueryLevel } from './query-keys.js';
import { parseMatch } from './query-matching.js';
import { runQuery, runQueryAll, type IndexRow, type KeyCondition } from './query-repo.js';

/** A query in the one query model that C-FIND, QIDO-RS, FHIR and the UI translate into. */
export interface ArchiveQuery {
  level: QueryLevel;
  /** Matching keys by keyword or tag, with DICOM matching strings (PS3.4 C.2.2.2) as values. */
  keys?: Record<string, string>;
  limit?: number;
  offset?: number;
  /** Count all matches (default). A door that walks every page, like C-FIND, can skip the count. */
  withTotal?: boolean;
  /**
   * STUDY level only: the page's order, key by key (ties broken by index row). Without it each level keeps
   * its own order (studies newest first by date and time), as C-FIND and QIDO-RS have it.
   */
  order?: StudyOrder[];
  /** STUDY level only: last received (an instance stored into the study) in [from, to), ISO 8601 instants. */
  lastReceived?: { from?: string; to?: string };
}

/** `date`: Study Date and Time; `lastReceived`: when the study last took in an instance. */
export interface StudyOrder {
  by: 'date' | 'lastReceived';
  descending?: boolean;
}

export interface QueryResult {
  /** All matches, not only this page: what a study list pages with (undefined when not asked for). */
  total: number | undefined;
  matches: DicomJson[];
}

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;

/**
 * Finds patients, studies, series or instances among those of the patients within `reach` (the total counts
 * only those); every query leaves an audit record.
 */
export async function queryArchive(
  deps: ArchiveDeps,
  ctx: RequestContext,
  query: ArchiveQuery,
  reach: ReachablePatients = ALL_PATIENTS,
): Promise<QueryResult> {
  const audit = {
    action: `${query.level.toLowerCase()}.query`,
    detail: { level: query.level, keys: query.keys ?? {} },
  };
  try {
    const plan = { ...planQuery(query), reach };
    const { total, rows } = await runQuery(deps.database, plan, query.withTotal ?? true);
    await recordAuditAlone(deps.database, ctx, {
      ...audit,
      detail: { ...audit.detail, total, returned: rows.length },
    });
    return { total, matches: rows.map((row) => toDicomJson(row, plan.returnKeys, plan.level)) };
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

/** Rows fetched per round trip when a door walks every match. */
const ALL_MATCHES_PAGE = 1000;

/**
 * Every match of a query, in no particular order, fetched page by page as the caller iterates (C-FIND: a
 * large result is never held, and every page costs the same whatever the archive's size). `limit` and
 * `offset` are ignored. One audit record, written when the first page is asked for.
 */
export function queryAllMatches(
  deps: ArchiveDeps,
  ctx: RequestContext,
  query: ArchiveQuery,
  pageSize = ALL_MATCHES_PAGE,
  reach: ReachablePatients = ALL_PATIENTS,
): AsyncIterable<DicomJson> {
  const audit = {
    action: `${query.level.toLowerCase()}.query`,
    detail: { level: query.level, keys: query.keys ?? {}, all: true },
  };
  return {
    async *[Symbol.asyncIterator]() {
      let plan;
      try {
        plan = { ...planQuery({ ...query, limit: 0, offset: 0 }), reach };
        await recordAuditAlone(deps.database, ctx, audit);
      } catch (error) {
        await recordAuditFailure(deps.database, ctx, audit, error);
        throw error;
      }
      for await (const rows of runQueryAll(deps.database, plan, pageSize)) {
        for (const row of rows) yield toDicomJson(row, plan.returnKeys, plan.level);
      }
    },
  };
}

function planQuery(query: ArchiveQuery) {
  if (!LEVELS.includes(query.level)) throw invalid(`unknown query level ${String(query.level)}`);
  const depth = LEVELS.indexOf(query.level);
  const conditions: KeyCondition[] = [];
  for (const [name, value] of Object.entries(query.keys ?? {})) {
    const key = findQueryKey(name);
    if (!key) throw invalid(`${name} is not a supported matching key`, { attribute: name });
    if (LEVELS.indexOf(key.level) > depth) {
      throw invalid(`${key.keyword} cannot be matched at ${query.level} level`, { attribute: key.keyword });
    }
    if (!key.column || !key.match) {
      if (value.trim() !== '') throw invalid(`${key.keyword} is returned but cannot be matched`);
      continue;
    }
    conditions.push({ key, match: parseMatch(key, value) });
  }
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_QUERY_LIMIT) {
    throw invalid(`limit must be an integer from 0 to ${MAX_QUERY_LIMIT}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw invalid('offset must be a non-negative integer');
  if ((query.order?.length || query.lastReceived) && query.level !== 'STUDY')
    throw invalid('order and lastReceived are for STUDY level queries');
  for (const o of query.order ?? [])
    if (o.by !== 'date' && o.by !== 'lastReceived') throw invalid(`cannot order by ${String(o.by)}`);
  const received = query.lastReceived && {
    ...(query.lastReceived.from !== undefined
      ? { from: instant('lastReceived.from', query.lastReceived.from) }
      : {}),
    ...(query.lastReceived.to !== undefined ? { to: instant('lastReceived.to', query.lastReceived.to) } : {}),
  };
  return {
    level: query.level,
    conditions,
    returnKeys: keysForLevel(query.level),
    limit,
    offset,
    ...(query.order?.length ? { order: query.order } : {}),
    ...(received ? { lastReceived: received } : {}),
  };
}

/** An instant as the index stores it (ISO UTC text, so that text order is time order). */
function instant(what: string, value: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(`${what}: '${value}' is not an ISO 8601 date-time`);
  return new Date(ms).toISOString();
}

/** An index row in the DICOM JSON model (PS3.18 F.2): empty attributes are present without a Value. */
function toDicomJson(row: IndexRow, keys: QueryKey[], level: QueryLevel): DicomJson {
  const json: DicomJson = {};
  for (const key of keys) {
    const raw = row[key.keyword];
    json[key.tag] =
      raw === null || raw === undefined || raw === ''
        ? { vr: key.vr }
        : { vr: key.vr, Value: values(key, raw) };
  }
  // Query/Retrieve Level (0008,0052), as C-FIND responses carry it.
  json['00080052'] = { vr: 'CS', Value: [level] };
  return json;
}

function values(key: QueryKey, raw: string | number): unknown[] {
  if (key.vr === 'IS' || key.vr === 'US') return [Number(raw)];
  const text = String(raw);
  if (key.vr === 'PN') return [personNameFromText(text)];
  return key.keyword === 'ModalitiesInStudy' ? text.split('\\') : [text];
}
