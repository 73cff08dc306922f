import { invalid } from '../platform/errors.js';
import { normalizePersonName } from '../patients/index.js';
import { normalizeDate, normalizeTime } from './instance-attributes.js';
import type { QueryKey } from './query-keys.js';

// PS3.4 C.2.2.2 attribute matching, parsed from the DICOM matching string a C-FIND identifier or a QIDO-RS
// parameter carries. A value with backslashes is a list: it matches when any of its items matches.

export type MatchAtom =
  | { kind: 'equals'; value: string }
  | { kind: 'wildcard'; likePattern: string }
  | { kind: 'range'; from?: string; to?: string };

export type Match = { kind: 'universal' } | { kind: 'any'; atoms: MatchAtom[] };

/** Escape character for LIKE patterns: not a DICOM wildcard and never special in SQL string literals. */
export const LIKE_ESCAPE = '!';

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const INTEGER = /^[+-]?\d+$/;

export function parseMatch(key: QueryKey, raw: string): Match {
  const value = raw.trim();
  // C.2.2.2.3: an empty value, or a value of only '*', matches everything (including absent values).
  if (value === '' || /^\*+$/.test(value)) return { kind: 'universal' };
  const items = value.split('\\').map((item) => item.trim());
  return { kind: 'any', atoms: items.map((item) => parseAtom(key, item)) };
}

function parseAtom(key: QueryKey, item: string): MatchAtom {
  const problem = (what: string) =>
    invalid(`${key.keyword}: ${what} ('${item}')`, { attribute: key.keyword, value: item });
  switch (key.match) {
    case 'uid':
      // C.2.2.2.2: UIDs match exactly, one at a time or as a list; wildcards are not allowed.
      if (!/^[0-9.]{1,64}$/.test(item)) throw problem('not a UID');
      return { kind: 'equals', value: item };
    case 'date':
      return parseRange(
        item,
        (v) => normalizeDate(v) ?? '',
        DATE,
        problem('not a date or date range (YYYYMMDD)'),
      );
    case 'time':
      return parseRange(
        item,
        (v) => normalizeTime(v) ?? '',
        TIME,
        problem('not a time or time range (HHMMSS)'),
      );
    case 'integer':
      if (!INTEGER.test(item)) throw problem('not an integer');
      return { kind: 'equals', value: String(Number.parseInt(item, 10)) };
    case 'person-name':
      if (/[*?]/.test(item)) return { kind: 'wildcard', likePattern: toLikePattern(item) };
      // Stored names drop trailing empty components (PS3.5 6.2), so the query must too.
      return { kind: 'equals', value: normalizePersonName(item) ?? '' };
    case 'text':
    case 'code-list':
      if (/[*?]/.test(item)) return { kind: 'wildcard', likePattern: toLikePattern(item) };
      return { kind: 'equals', value: item };
    default:
      throw problem('this attribute is returned but cannot be matched');
  }
}

// C.2.2.2.5: 'a-b', '-b' and 'a-' ranges; a single value matches itself. An upper bound of lower precision
// ('2020', '12') covers its whole span, hence the '~' that sorts after every digit.
function parseRange(
  item: string,
  normalize: (v: string) => string,
  pattern: RegExp,
  error: Error,
): MatchAtom {
  const dash = item.indexOf('-');
  if (dash === -1) {
    const value = normalize(item);
    if (!pattern.test(value)) throw error;
    return { kind: 'equals', value };
  }
  const from = normalize(item.slice(0, dash));
  const to = normalize(item.slice(dash + 1));
  if (
    (from === '' && to === '') ||
    (from !== '' && !pattern.test(from)) ||
    (to !== '' && !pattern.test(to))
  ) {
    throw error;
  }
  return { kind: 'range', from: from || undefined, to: to ? `${to}~` : undefined };
}

/** DICOM '*' and '?' as SQL LIKE '%' and '_', with SQL's own wildcards escaped. */
export function toLikePattern(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === LIKE_ESCAPE) out += LIKE_ESCAPE + ch;
    else out += ch;
  }
  return out;
}
