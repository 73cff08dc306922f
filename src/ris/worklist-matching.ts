import { invalid } from '../platform/errors.js';

// PS3.4 C.2.2.2 attribute matching as the Modality Worklist applies it (K.2.2.1): single value, list of
// UIDs, universal, wildcard, and date or time ranges. Worklists are small (the steps not yet performed),
// so rows are matched here rather than in SQL; the repo only narrows by the selective keys.

/** Tells whether a stored value (null: absent or empty) matches one key. */
export type Matcher = (value: string | null) => boolean;

export type MatchKind = 'text' | 'person-name' | 'uid' | 'date' | 'time';

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const UID = /^[0-9.]{1,64}$/;

/** Undefined for universal matching (an empty value or only '*', C.2.2.2.3): the key constrains nothing. */
export function parseMatcher(keyword: string, kind: MatchKind, raw: string | undefined): Matcher | undefined {
  const value = (raw ?? '').trim();
  if (value === '' || /^\*+$/.test(value)) return undefined;
  const items = value.split('\\').map((item) => item.trim());
  const atoms = items.map((item) => parseAtom(keyword, kind, item));
  return (stored) => stored !== null && stored !== '' && atoms.some((atom) => atom(stored));
}

function parseAtom(keyword: string, kind: MatchKind, item: string): (stored: string) => boolean {
  const problem = (what: string) =>
    invalid(`${keyword}: ${what} ('${item}')`, { attribute: keyword, value: item });
  switch (kind) {
    case 'uid':
      // C.2.2.2.2: UIDs match exactly; a list matches any of its items; wildcards are not allowed.
      if (!UID.test(item)) throw problem('not a UID');
      return (stored) => stored === item;
    case 'date':
      return parseRange(item, DATE, (v) => v, problem('not a date or date range (YYYYMMDD)'));
    case 'time':
      return parseRange(item, TIME, normalizeTime, problem('not a time or time range (HHMMSS)'));
    case 'person-name': {
      // Names match case-insensitively, on the whole value or any one of its groups (alphabetic,
      // ideographic, phonetic), so a name is found by any form a modality may send.
      const matches = textAtom(item.toLowerCase(), true);
      return (stored) => {
        const lower = stored.toLowerCase();
        return matches(lower) || lower.split('=').some((group) => group !== '' && matches(group));
      };
    }
    default:
      return textAtom(item, false);
  }
}

/** Single value (case-sensitive, C.2.2.2.1) or wildcard ('*' any run, '?' one character, C.2.2.2.4). */
function textAtom(item: string, personName: boolean): (stored: string) => boolean {
  if (!/[*?]/.test(item)) {
    // Stored names drop trailing empty components (PS3.5 6.2), so the query's are dropped too.
    const wanted = personName ? item.replace(/\^+$/, '') : item;
    return (stored) => stored === wanted;
  }
  const pattern = [...item]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${pattern}$`, 's');
  return (stored) => regex.test(stored);
}

/**
 * C.2.2.2.5: 'a-b', '-b', 'a-' and a single value. An upper bound of lower precision ('10' as a time)
 * covers its whole span, so values are compared on the bound's own length.
 */
function parseRange(
  item: string,
  pattern: RegExp,
  normalize: (value: string) => string,
  error: Error,
): (stored: string) => boolean {
  const dash = item.indexOf('-');
  const from = dash === -1 ? item : item.slice(0, dash);
  const to = dash === -1 ? item : item.slice(dash + 1);
  if ((from === '' && to === '') || (from !== '' && !pattern.test(from)) || (to !== '' && !pattern.test(to)))
    throw error;
  const low = from === '' ? undefined : normalize(from);
  const high = to === '' ? undefined : normalize(to);
  return (stored) => {
    const value = normalize(stored);
    if (low !== undefined && value < low) return false;
    if (high !== undefined && value.slice(0, high.length) > high) return false;
    return true;
  };
}

/** HHMMSS.FFFFFF without the fraction's trailing zeros, so '1030' and '103000.0' compare alike. */
function normalizeTime(value: string): string {
  const digits = value.replace(/:/g, '');
  const [whole = '', fraction = ''] = digits.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}` : whole;
}
