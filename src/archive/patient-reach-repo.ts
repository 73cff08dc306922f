import type { Database, Kysely } from '../platform/db/index.js';
import type { InstanceSelector } from './retrieve-repo.js';
import type { ArchiveTables } from './tables.js';

/**
 * The patients (keys) whose instances a retrieve selects: what a data-level limit is checked against before
 * anything is read. Indexed look-ups by UID; the most specific UID given decides, as in a retrieve.
 */
export async function patientKeysOfSelection(
  database: Database,
  selector: InstanceSelector,
): Promise<number[]> {
  const db = database.kysely as Kysely<ArchiveTables>;
  let query = db.selectFrom('study').select('study.patient_ref').distinct();
  if (selector.sopInstanceUid) {
    query = query
      .innerJoin('instance', 'instance.study_ref', 'study.id')
      .where('instance.sop_instance_uid', '=', selector.sopInstanceUid);
  } else if (selector.seriesInstanceUid) {
    query = query
      .innerJoin('series', 'series.study_ref', 'study.id')
      .where('series.series_instance_uid', '=', selector.seriesInstanceUid);
  } else if (selector.studyInstanceUid) {
    query = query.where('study.study_instance_uid', '=', selector.studyInstanceUid);
  } else {
    return [];
  }
  const rows = await query.execute();
  return rows.map((r) => Number(r.patient_ref));
}
