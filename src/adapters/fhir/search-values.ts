import { fhirError } from './operation-outcome.js';
import type { SortKey } from './resource-handler.js';

// FHIR search value syntax (R4 search.html#ptypes), turned into what Lantern's services take.

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export const isFhirId = (value: string) => FHIR_ID.test(value);

/** `Patient/12`, or an absolute URL ending so, or a bare id when the type is implied: the id. */
export function referenceId(value: string, type: string, param: string): string {
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`).exec(value.trim());
  if (match) return match[1]!;
  if (isFhirId(value.trim())) return value.trim();
  throw fhirError(400, 'invalid', `${param}: '${value}' is not a reference to a ${type}`, param);
}

/** `system|code`, `|code` (no system), or `code` (any system). */
export function token(value: string): { system?: string; code: string } {
  const bar = value.indexOf('|');
  if (bar === -1) return { code: value };
  return { system: value.slice(0, bar), code: value.slice(bar + 1) };
}

/** The comma-separated alternatives of each value (R4 search.html#combining: OR). */
export const alternatives = (values: readonly string[]) =>
  values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

export interface InstantRange {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

const DATE_VALUE =
  /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The instants a date value covers, at its precision: 2024 is the whole year, 2024-05-01 the whole day. */
function covered(m: RegExpExecArray, param: string, raw: string): { start: Date; end: Date } {
  const [, , y, mo, d, hh, mi, ss, frac, zone] = m;
  if (hh !== undefined && zone === undefined) {
    throw fhirError(400, 'invalid', `${param}: '${raw}' has a time but no time zone`, param);
  }
  if (hh !== undefined) {
    const start = new Date(`${y}-${mo}-${d}T${hh}:${mi}:${ss ?? '00'}${frac ?? ''}${zone}`);
    const unit = ss === undefined ? 60_000 : frac === undefined ? 1000 : 1;
    return { start, end: new Date(start.getTime() + unit) };
  }
  const year = Number(y);
  if (mo === undefined)
    return { start: new Date(Date.UTC(year, 0, 1)), end: new Date(Date.UTC(year + 1, 0, 1)) };
  const month = Number(mo) - 1;
  if (d === undefined)
    return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
  const start = new Date(Date.UTC(year, month, Number(d)));
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** Every value of a date parameter ANDed into one range (`date=ge2024-01-01&date=lt2024-02-01`). */
export function dateRange(values: readonly string[], param: string): InstantRange {
  const range: InstantRange = {};
  for (const raw of values) {
    const m = DATE_VALUE.exec(raw.trim());
    if (!m) throw fhirError(400, 'invalid', `${param}: '${raw}' is not a FHIR date search value`, param);
    const { start, end } = covered(m, param, raw);
    if (Number.isNaN(start.getTime()))
      throw fhirError(400, 'invalid', `${param}: '${raw}' is not a date`, param);
    const prefix = m[1] ?? 'eq';
    const later = (d: Date) => (range.from = range.from && range.from > d ? range.from : d);
    const earlier = (d: Date) => (range.to = range.to && range.to < d ? range.to : d);
    if (prefix === 'eq') {
      later(start);
      earlier(end);
    } else if (prefix === 'ge') later(start);
    else if (prefix === 'gt' || prefix === 'sa') later(end);
    else if (prefix === 'le') earlier(end);
    else if (prefix === 'lt' || prefix === 'eb') earlier(start);
    else
      throw fhirError(
        400,
        'not-supported',
        `${param}: the prefix '${prefix}' is not supported (eq, gt, ge, lt, le, sa, eb)`,
        param,
      );
  }
  return range;
}

/** DICOM DA range (inclusive days, UTC) for a range of instants: `20240101-20240131`. */
export function dicomDateRange(range: InstantRange): string {
  const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
  const from = range.from ? day(range.from) : '';
  const to = range.to ? day(new Date(range.to.getTime() - 1)) : '';
  return from === to ? from : `${from}-${to}`;
}

/** A FHIR date from DICOM DA (YYYYMMDD) and, if given, TM, as a dateTime without zone when timed. */
export function fhirDate(da: string | undefined): string | undefined {
  const m = da ? /^(\d{4})(\d{2})(\d{2})$/.exec(da) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/**
 * Sorts in place by _sort keys, for searches that hold every match before paging. `valueOf` reads a key's
 * value (ISO 8601 text, so that text order is time order); items without one go last either way.
 */
export function sortByKeys<T>(
  items: T[],
  keys: readonly SortKey[],
  valueOf: (item: T, key: string) => string | undefined,
): T[] {
  return items.sort((a, b) => {
    for (const { key, descending } of keys) {
      const [x, y] = [valueOf(a, key), valueOf(b, key)];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    }
    return 0;
  });
}

/** Whether an instant lies in a range from dateRange (from inclusive, to exclusive). */
export const inRange = (iso: string | undefined, range: InstantRange) =>
  iso !== undefined &&
  (!range.from || Date.parse(iso) >= range.from.getTime()) &&
  (!range.to || Date.parse(iso) < range.to.getTime());

/** versionId of a resource Lantern stores with an update time: the time in milliseconds. */
export const versionOf = (updatedAt: string) => String(Date.parse(updatedAt));
/** The update time a versionId stands for (see versionOf), or a time no record has for a foreign one. */
export const updatedAtOf = (versionId: string) =>
  /^\d{1,15}$/.test(versionId) ? new Date(Number(versionId)).toISOString() : new Date(0).toISOString();
