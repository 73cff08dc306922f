// The attributes the one query model matches and returns, per level (PS3.4 C.6.1.1 / C.6.2.1, PS3.18 10.6).
// `column` is the index column a key matches on; derived attributes are computed per row.

export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export const LEVELS: readonly QueryLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

export type MatchKind = 'text' | 'person-name' | 'uid' | 'date' | 'time' | 'integer' | 'code-list';

export interface QueryKey {
  keyword: string;
  tag: string;
  vr: string;
  level: QueryLevel;
  /** `table.column` in the index; absent for derived (count) attributes, which are return-only. */
  column?: string;
  match?: MatchKind;
}

const key = (
  keyword: string,
  tag: string,
  vr: string,
  level: QueryLevel,
  column?: string,
  match?: MatchKind,
) => ({ keyword, tag, vr, level, column, match }) satisfies QueryKey;

export const QUERY_KEYS: readonly QueryKey[] = [
  key('PatientName', '00100010', 'PN', 'PATIENT', 'patient.patient_name', 'person-name'),
  key('PatientID', '00100020', 'LO', 'PATIENT', 'patient.patient_id', 'text'),
  key('IssuerOfPatientID', '00100021', 'LO', 'PATIENT', 'patient.issuer_of_patient_id', 'text'),
  key('PatientBirthDate', '00100030', 'DA', 'PATIENT', 'patient.birth_date', 'date'),
  key('PatientSex', '00100040', 'CS', 'PATIENT', 'patient.sex', 'text'),
  key('NumberOfPatientRelatedStudies', '00201200', 'IS', 'PATIENT'),
  key('NumberOfPatientRelatedSeries', '00201202', 'IS', 'PATIENT'),
  key('NumberOfPatientRelatedInstances', '00201204', 'IS', 'PATIENT'),

  key('StudyDate', '00080020', 'DA', 'STUDY', 'study.study_date', 'date'),
  key('StudyTime', '00080030', 'TM', 'STUDY', 'study.study_time', 'time'),
  key('AccessionNumber', '00080050', 'SH', 'STUDY', 'study.accession_number', 'text'),
  key('ModalitiesInStudy', '00080061', 'CS', 'STUDY', 'study.modalities_in_study', 'code-list'),
  key('InstitutionName', '00080080', 'LO', 'STUDY', 'study.institution_name', 'text'),
  key('ReferringPhysicianName', '00080090', 'PN', 'STUDY', 'study.referring_physician_name', 'person-name'),
  key('StudyDescription', '00081030', 'LO', 'STUDY', 'study.study_description', 'text'),
  key('StudyInstanceUID', '0020000D', 'UI', 'STUDY', 'study.study_instance_uid', 'uid'),
  key('StudyID', '00200010', 'SH', 'STUDY', 'study.study_id', 'text'),
  key('NumberOfStudyRelatedSeries', '00201206', 'IS', 'STUDY', 'study.num_series'),
  key('NumberOfStudyRelatedInstances', '00201208', 'IS', 'STUDY', 'study.num_instances'),

  key('Modality', '00080060', 'CS', 'SERIES', 'series.modality', 'text'),
  key('SeriesDate', '00080021', 'DA', 'SERIES', 'series.series_date', 'date'),
  key('SeriesTime', '00080031', 'TM', 'SERIES', 'series.series_time', 'time'),
  key('StationName', '00081010', 'SH', 'SERIES', 'series.station_name', 'text'),
  key('SeriesDescription', '0008103E', 'LO', 'SERIES', 'series.series_description', 'text'),
  key('BodyPartExamined', '00180015', 'CS', 'SERIES', 'series.body_part_examined', 'text'),
  key('SeriesInstanceUID', '0020000E', 'UI', 'SERIES', 'series.series_instance_uid', 'uid'),
  key('SeriesNumber', '00200011', 'IS', 'SERIES', 'series.series_number', 'integer'),
  key(
    'PerformedProcedureStepStartDate',
    '00400244',
    'DA',
    'SERIES',
    'series.performed_procedure_step_start_date',
    'date',
  ),
  key('NumberOfSeriesRelatedInstances', '00201209', 'IS', 'SERIES', 'series.num_instances'),

  key('SOPClassUID', '00080016', 'UI', 'IMAGE', 'instance.sop_class_uid', 'uid'),
  key('SOPInstanceUID', '00080018', 'UI', 'IMAGE', 'instance.sop_instance_uid', 'uid'),
  key('ContentDate', '00080023', 'DA', 'IMAGE', 'instance.content_date', 'date'),
  key('ContentTime', '00080033', 'TM', 'IMAGE', 'instance.content_time', 'time'),
  key('InstanceNumber', '00200013', 'IS', 'IMAGE', 'instance.instance_number', 'integer'),
  key('Rows', '00280010', 'US', 'IMAGE', 'instance.rows', 'integer'),
  key('Columns', '00280011', 'US', 'IMAGE', 'instance.columns', 'integer'),
  key('NumberOfFrames', '00280008', 'IS', 'IMAGE', 'instance.number_of_frames', 'integer'),
  key('AvailableTransferSyntaxUID', '00083002', 'UI', 'IMAGE', 'instance.transfer_syntax_uid', 'uid'),
];

const byKeyword = new Map(QUERY_KEYS.map((k) => [k.keyword, k]));
const byTag = new Map(QUERY_KEYS.map((k) => [k.tag, k]));

/** A key by keyword ('PatientName') or tag ('00100010', any case). */
export function findQueryKey(name: string): QueryKey | undefined {
  return byKeyword.get(name) ?? byTag.get(name.toUpperCase());
}

/** Keys whose values a match at `level` carries: its own level and every level above it. */
export function keysForLevel(level: QueryLevel): QueryKey[] {
  const depth = LEVELS.indexOf(level);
  return QUERY_KEYS.filter(
    (k) =>
      LEVELS.indexOf(k.level) <= depth && !(k.level === 'PATIENT' && depth > 0 && k.column === undefined),
  );
}
