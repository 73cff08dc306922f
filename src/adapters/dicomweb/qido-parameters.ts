import {
  findQueryKey,
  LEVELS,
  MAX_QUERY_LIMIT,
  type QueryKey,
  type QueryLevel,
} from '../../archive/index.js';
import { keywordForTag, tagForKeyword } from '../../lib/dicom/index.js';
import { invalid } from '../../platform/errors.js';

// QIDO-RS query parameters (PS3.18 8.3.4): {attributeID}={value}, includefield, fuzzymatching, limit,
// offset. Anything else, or a value that cannot be used, is a 400 that names the parameter.

export interface QidoParameters {
  /** Matching keys for the archive's query model (values as DICOM matching strings). */
  keys: Record<string, string>;
  /** Attributes asked for with includefield, resolved to the query model's keys. */
  includeFields: QueryKey[];
  /** includefield=all. */
  includeAll: boolean;
  /** includefield attributes that exist in DICOM but that the index does not hold (a Warning says so). */
  unavailableFields: string[];
  fuzzyMatching: boolean;
  /** As asked; undefined when absent (the server's maximum applies). */
  limit: number | undefined;
  offset: number;
}

type RawQuery = Record<string, string | string[] | undefined>;

const TAG = /^[0-9A-Fa-f]{8}$/;

function single(raw: RawQuery, name: string): string | undefined {
  const value = raw[name];
  if (Array.isArray(value)) throw invalid(`${name} is given more than once`, { parameter: name });
  return value;
}

function integer(raw: RawQuery, name: string, min: number): number | undefined {
  const value = single(raw, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw invalid(`${name} must be an integer of at least ${min}, not '${value}'`, { parameter: name });
  }
  return Number(value);
}

/** The DICOM keyword of an attribute ID (keyword or tag), or undefined when DICOM has no such attribute. */
function dicomKeyword(id: string): string | undefined {
  if (TAG.test(id)) return keywordForTag(id.toUpperCase()) ?? id.toUpperCase();
  return tagForKeyword(id) ? id : undefined;
}

function includeFieldsOf(raw: RawQuery, level: QueryLevel) {
  const value = raw.includefield;
  const names = (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim());
  const depth = LEVELS.indexOf(level);
  const includeFields: QueryKey[] = [];
  const unavailableFields: string[] = [];
  let includeAll = false;
  for (const name of names) {
    if (name === 'all') {
      includeAll = true;
      continue;
    }
    const key = findQueryKey(name);
    if (key && LEVELS.indexOf(key.level) <= depth) includeFields.push(key);
    else if (key || dicomKeyword(name)) unavailableFields.push(name);
    else
      throw invalid(`includefield: '${name}' is not a DICOM attribute keyword or tag`, {
        parameter: 'includefield',
      });
  }
  return { includeFields, includeAll, unavailableFields };
}

/**
 * Parses a QIDO-RS query string for a search at `level`. `pathKeys` are the UIDs the path fixes (the study of
 * /studies/{study}/series); a parameter may not repeat them.
 */
export function parseQidoParameters(
  raw: RawQuery,
  level: QueryLevel,
  pathKeys: Record<string, string>,
): QidoParameters {
  const keys: Record<string, string> = { ...pathKeys };
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || ['includefield', 'fuzzymatching', 'limit', 'offset'].includes(name)) continue;
    if (name.includes('.')) {
      throw invalid(`${name}: matching on attributes inside sequences is not supported`, { parameter: name });
    }
    const key = findQueryKey(name);
    if (!key) {
      const known = dicomKeyword(name);
      throw invalid(known ? `${name} is not a supported matching key` : `unknown query parameter ${name}`, {
        parameter: name,
      });
    }
    if (key.keyword in keys) {
      throw invalid(`${name} is given more than once (or also in the path)`, { parameter: name });
    }
    const text = single(raw, name) ?? '';
    // PS3.18 8.3.4.1: a list of UIDs may be separated by commas as well as by backslashes.
    keys[key.keyword] = key.match === 'uid' ? text.replaceAll(',', '\\') : text;
  }
  const fuzzy = single(raw, 'fuzzymatching');
  if (fuzzy !== undefined && fuzzy !== 'true' && fuzzy !== 'false') {
    throw invalid(`fuzzymatching must be true or false, not '${fuzzy}'`, { parameter: 'fuzzymatching' });
  }
  const limit = integer(raw, 'limit', 1);
  return {
    keys,
    ...includeFieldsOf(raw, level),
    fuzzyMatching: fuzzy === 'true',
    limit,
    offset: integer(raw, 'offset', 0) ?? 0,
  };
}

/** The page size to ask the archive for: the client's limit, capped at the archive's maximum. */
export function effectiveLimit(limit: number | undefined): number {
  return Math.min(limit ?? MAX_QUERY_LIMIT, MAX_QUERY_LIMIT);
}
