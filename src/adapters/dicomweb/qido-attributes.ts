import { findQueryKey, LEVELS, QUERY_KEYS, type QueryLevel } from '../../archive/index.js';
import type { DicomJson } from '../../lib/dicom/index.js';
import { resourceUrl } from './wado-urls.js';

// Which attributes a QIDO-RS match carries (PS3.18 10.6.3.3): the level's defaults (Tables 10.6.3-3 to -5,
// as far as the index holds them), the levels above when the path does not fix them, matching keys and
// includefield; plus Retrieve URL and Instance Availability, which every match has.

const DEFAULTS: Record<Exclude<QueryLevel, 'PATIENT'>, string[]> = {
  STUDY: [
    'StudyDate',
    'StudyTime',
    'AccessionNumber',
    'ModalitiesInStudy',
    'ReferringPhysicianName',
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'PatientSex',
    'StudyInstanceUID',
    'StudyID',
    'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
  ],
  SERIES: [
    'Modality',
    'SeriesDescription',
    'SeriesInstanceUID',
    'SeriesNumber',
    'PerformedProcedureStepStartDate',
    'NumberOfSeriesRelatedInstances',
  ],
  IMAGE: ['SOPClassUID', 'SOPInstanceUID', 'InstanceNumber', 'Rows', 'Columns', 'NumberOfFrames'],
};

const RETRIEVE_URL = '00081190';
const INSTANCE_AVAILABILITY = '00080056';
const tagOf = (keyword: string) => findQueryKey(keyword)!.tag;

/**
 * The tags a match returns at `level` when the path fixes `fixedLevels` (e.g. STUDY for
 * /studies/{study}/series): the UIDs of the levels above are always kept, so each match can be retrieved.
 */
export function returnTags(
  level: Exclude<QueryLevel, 'PATIENT'>,
  fixedLevels: QueryLevel[],
  extra: { includeAll: boolean; keywords: string[] },
): Set<string> {
  const depth = LEVELS.indexOf(level);
  const tags = new Set<string>();
  for (const l of ['STUDY', 'SERIES', 'IMAGE'] as const) {
    if (LEVELS.indexOf(l) > depth) break;
    if (l === level || !fixedLevels.includes(l)) DEFAULTS[l].forEach((k) => tags.add(tagOf(k)));
  }
  if (depth >= LEVELS.indexOf('SERIES')) tags.add(tagOf('StudyInstanceUID'));
  if (depth >= LEVELS.indexOf('IMAGE')) tags.add(tagOf('SeriesInstanceUID'));
  if (extra.includeAll) {
    for (const key of QUERY_KEYS) if (LEVELS.indexOf(key.level) <= depth) tags.add(key.tag);
  }
  for (const keyword of extra.keywords) tags.add(tagOf(keyword));
  return tags;
}

/** A query model match as a QIDO-RS result: only the returned tags, with Retrieve URL, in tag order. */
export function toQidoMatch(
  match: DicomJson,
  tags: Set<string>,
  level: Exclude<QueryLevel, 'PATIENT'>,
  baseUrl: string,
): DicomJson {
  const uid = (tag: string) => String(match[tag]?.Value?.[0] ?? '');
  const url = resourceUrl(baseUrl, {
    studyInstanceUid: uid('0020000D'),
    ...(level !== 'STUDY' ? { seriesInstanceUid: uid('0020000E') } : {}),
    ...(level === 'IMAGE' ? { sopInstanceUid: uid('00080018') } : {}),
  });
  const out: DicomJson = {};
  const all: DicomJson = {
    ...match,
    [INSTANCE_AVAILABILITY]: { vr: 'CS', Value: ['ONLINE'] },
    [RETRIEVE_URL]: { vr: 'UR', Value: [url] },
  };
  for (const tag of Object.keys(all).sort()) {
    if (tag === INSTANCE_AVAILABILITY || tag === RETRIEVE_URL || tags.has(tag)) {
      const element = all[tag]!;
      out[tag] = element.Value ? element : { vr: element.vr };
    }
  }
  return out;
}
