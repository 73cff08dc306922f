import { toMatchRecord, type Archive, type RetrievableInstance } from '../../archive/index.js';
import type { RequestContext } from '../../platform/context.js';
import { LanternError } from '../../platform/errors.js';
import { identifierError, type Identifier } from './identifier.js';

// The unique key of each level (PS3.4 C.6.1.1, C.6.2.1): a C-MOVE/C-GET names what to send by it.
const UNIQUE_KEY = {
  PATIENT: ['00100020', 'PatientID'],
  STUDY: ['0020000D', 'StudyInstanceUID'],
  SERIES: ['0020000E', 'SeriesInstanceUID'],
  IMAGE: ['00080018', 'SOPInstanceUID'],
} as const;

/** The stored instances a retrieve identifier names; unknown UIDs name nothing. */
export async function selectInstances(
  archive: Archive,
  ctx: RequestContext,
  identifier: Identifier,
): Promise<RetrievableInstance[]> {
  const [tag, keyword] = UNIQUE_KEY[identifier.level];
  const values = (identifier.values.get(tag) ?? '')
    .split('\\')
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length === 0) throw identifierError(`a ${identifier.level} level retrieve needs ${keyword}`);
  const studyUids =
    identifier.level === 'PATIENT' ? await studiesOfPatients(archive, ctx, values) : undefined;
  const selectors =
    studyUids?.map((studyInstanceUid) => ({ studyInstanceUid })) ??
    values.map((uid) =>
      identifier.level === 'STUDY'
        ? { studyInstanceUid: uid }
        : identifier.level === 'SERIES'
          ? { seriesInstanceUid: uid }
          : { sopInstanceUid: uid },
    );
  const instances: RetrievableInstance[] = [];
  for (const selector of selectors) {
    try {
      instances.push(...(await archive.retrieve(ctx, selector)));
    } catch (error) {
      if (!(error instanceof LanternError && error.code === 'not-found')) throw error;
    }
  }
  return instances;
}

async function studiesOfPatients(
  archive: Archive,
  ctx: RequestContext,
  patientIds: string[],
): Promise<string[]> {
  const result = await archive.query(ctx, {
    level: 'STUDY',
    keys: { PatientID: patientIds.join('\\') },
    limit: 10_000,
  });
  return result.matches.map((match) => String(toMatchRecord(match).StudyInstanceUID));
}
