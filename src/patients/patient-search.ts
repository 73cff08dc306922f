import { invalid } from '../platform/errors.js';
import { LIKE_ESCAPE, type PatientSearchPlan } from './patient-search-repo.js';

/** What a door passes to search patients; every value is the string the client sent. */
export interface PatientSearch {
  /** Case-insensitive: a prefix of the name or of any of its components, or a pattern with * and ?. */
  name?: string;
  /** A Patient ID or other identifier, optionally 'issuer|value' (FHIR token style). */
  identifier?: string;
  /** YYYYMMDD, or a range 'YYYYMMDD-YYYYMMDD' (either end may be left open). */
  birthDate?: string;
  includeMerged?: string;
  /** ISO 8601 instants with an offset: changed at or after `updatedFrom`, before `updatedTo`. */
  updatedFrom?: string;
  updatedTo?: string;
  /** Comma-separated keys `name`, `birthDate`, `updated`, each descending with a '-' (default: name). */
  sort?: string;
  limit?: string;
  offset?: string;
}

export const DEFAULT_PATIENT_LIMIT = 50;
export const MAX_PATIENT_LIMIT = 1000;

const refuse = (field: string, problem: string) => invalid(`${field}: ${problem}`, { field });

const SEARCH_KEYS = [
  'name',
  'identifier',
  'birthDate',
  'includeMerged',
  'updatedFrom',
  'updatedTo',
  'sort',
  'limit',
  'offset',
];
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An instant as stored (ISO UTC text), so that text comparison is time order. */
function instant(field: string, value: string): string {
  const ms = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw refuse(field, `'${value}' is not an ISO 8601 date-time with offset`);
  return new Date(ms).toISOString();
}

export function planPatientSearch(search: PatientSearch): PatientSearchPlan {
  for (const [key, value] of Object.entries(search)) {
    if (!SEARCH_KEYS.includes(key)) throw refuse(key, `not a search parameter (${SEARCH_KEYS.join(', ')})`);
    if (typeof value !== 'string') throw refuse(key, 'given more than once');
  }
  const plan: PatientSearchPlan = {
    includeMerged: flag('includeMerged', search.includeMerged),
    limit: integer('limit', search.limit, DEFAULT_PATIENT_LIMIT, MAX_PATIENT_LIMIT),
    offset: integer('offset', search.offset, 0, Number.MAX_SAFE_INTEGER),
  };
  const name = search.name?.trim();
  if (name) plan.namePatterns = namePatterns(name);
  const identifier = search.identifier?.trim();
  if (identifier) {
    const bar = identifier.indexOf('|');
    plan.identifier =
      bar === -1
        ? { value: identifier }
        : { issuer: identifier.slice(0, bar), value: identifier.slice(bar + 1) };
    if (plan.identifier.value === '') throw refuse('identifier', "no value after the issuer's '|'");
  }
  const birthDate = search.birthDate?.trim();
  if (birthDate) plan.birthDate = dateRange(birthDate);
  const updatedFrom = search.updatedFrom?.trim();
  const updatedTo = search.updatedTo?.trim();
  if (updatedFrom || updatedTo) {
    plan.updated = {
      ...(updatedFrom ? { from: instant('updatedFrom', updatedFrom) } : {}),
      ...(updatedTo ? { to: instant('updatedTo', updatedTo) } : {}),
    };
  }
  const sort = search.sort?.trim();
  if (sort) plan.order = sortKeys(sort);
  return plan;
}

const SORT_COLUMNS = { name: 'patient_name', birthDate: 'birth_date', updated: 'updated_at' } as const;

function sortKeys(sort: string): NonNullable<PatientSearchPlan['order']> {
  return sort.split(',').map((raw) => {
    const key = raw.trim().replace(/^-/, '');
    if (!(key in SORT_COLUMNS))
      throw refuse('sort', `cannot sort by '${key}' (${Object.keys(SORT_COLUMNS).join(', ')})`);
    return {
      column: SORT_COLUMNS[key as keyof typeof SORT_COLUMNS],
      descending: raw.trim().startsWith('-'),
    };
  });
}

/**
 * Like the archive's PN matching (PS3.4 C.2.2.2.4), case-insensitively, with '*' and '?' as wildcards. A
 * value without wildcards is a prefix, of the whole name ('doe^j') or of any component ('john').
 */
function namePatterns(name: string): string[] {
  if (name.length > 64 * 3) throw refuse('name', 'too long');
  const lowered = name.toLowerCase();
  const like = lowered
    .replace(/[%_!]/g, (ch) => LIKE_ESCAPE + ch)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
  if (/[*?]/.test(lowered)) return [like];
  return [`${like}%`, `%^${like}%`, `%=${like}%`];
}

function dateRange(value: string): { from?: string; to?: string } {
  const match = /^(\d{8})?(-)?(\d{8})?$/.exec(value);
  if (!match || (!match[1] && !match[3]))
    throw refuse('birthDate', `not a date or date range YYYYMMDD ('${value}')`);
  const [, from, dash, to] = match;
  if (!dash) return { from, to: from };
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function integer(field: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw refuse(field, 'must be a whole number ≥ 0');
  const number = Number(value);
  if (number > max) throw refuse(field, `must be at most ${max}`);
  return number;
}

function flag(field: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw refuse(field, 'must be true or false');
}
