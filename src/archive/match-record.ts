import { isPersonName, personNameToText, type DicomJson } from '../lib/dicom/index.js';
import { QUERY_KEYS } from './query-keys.js';

export type MatchRecord = Record<string, string | number | undefined>;

const keywordOf = new Map(QUERY_KEYS.map((k) => [k.tag, k.keyword]));

/**
 * A query match as plain keyword → value pairs, for tables and simple JSON: person names as their
 * DICOM string form, multi-valued attributes joined with a backslash.
 */
export function toMatchRecord(match: DicomJson): MatchRecord {
  const record: MatchRecord = {};
  for (const [tag, element] of Object.entries(match)) {
    const keyword = keywordOf.get(tag) ?? (tag === '00080052' ? 'QueryRetrieveLevel' : tag);
    const values = (element.Value ?? []).map((value) =>
      isPersonName(value) ? personNameToText(value) : (value as string | number),
    );
    record[keyword] = values.length <= 1 ? values[0] : values.join('\\');
  }
  return record;
}
