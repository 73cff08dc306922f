import { isValidUid, type DataElement, type DataElements } from '../lib/dicom/index.js';
import { invalid } from '../platform/errors.js';

// PS3.4 F.7.2 attribute rules of the Modality Performed Procedure Step SOP Class, as far as the RIS needs
// them: the type 1 attributes of N-CREATE, the status values, what N-SET may not change, and the final
// state requirements. A refusal names its reason and attribute, which the DIMSE door turns into the
// status PS3.7 C.4 gives it (0120 missing attribute, 0121 missing value, 0106 invalid value).

export const MPPS_STATUSES = ['IN PROGRESS', 'COMPLETED', 'DISCONTINUED'] as const;
export type MppsStatus = (typeof MPPS_STATUSES)[number];

export const TAG = {
  specificCharacterSet: '00080005',
  modality: '00080060',
  accessionNumber: '00080050',
  patientName: '00100010',
  patientId: '00100020',
  studyInstanceUid: '0020000D',
  requestedProcedureId: '00401001',
  scheduledStepId: '00400009',
  stationAeTitle: '00400241',
  startDate: '00400244',
  startTime: '00400245',
  endDate: '00400250',
  endTime: '00400251',
  status: '00400252',
  performedStepId: '00400253',
  scheduledStepAttributes: '00400270',
  performedSeries: '00400340',
} as const;

/** What identifies the scheduled step(s) an MPPS was performed for (Scheduled Step Attributes Sequence). */
export interface ScheduledStepReference {
  studyInstanceUid: string;
  accessionNumber: string | null;
  requestedProcedureId: string | null;
  scheduledStepId: string | null;
}

/** The columns an MPPS is found and shown by; the whole data set is kept beside them. */
export interface MppsSummary {
  status: MppsStatus;
  performedStepId: string;
  stationAeTitle: string;
  modality: string;
  references: ScheduledStepReference[];
  patientId: string | null;
  startDate: string;
  startTime: string;
  endDate: string | null;
  endTime: string | null;
}

export type MppsRefusal = 'missing-attribute' | 'missing-value' | 'invalid-value';

export const refuse = (reason: MppsRefusal, tag: string, message: string) =>
  invalid(message, { mpps: reason, attribute: tag });

const first = (element: DataElement | undefined): string | null => {
  const value = element?.Value?.[0];
  if (value === undefined || value === null || typeof value === 'object') return null;
  const text = String(value).trim();
  return text === '' ? null : text;
};

/** A type 1 attribute: present (else 0120) with a value (else 0121). */
function required(elements: DataElements, tag: string, name: string): string {
  if (!(tag in elements)) throw refuse('missing-attribute', tag, `${name} (${tag}) is missing`);
  const value = first(elements[tag]);
  if (value === null) throw refuse('missing-value', tag, `${name} (${tag}) has no value`);
  return value;
}

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;

function checked(value: string | null, pattern: RegExp, tag: string, name: string): string | null {
  if (value !== null && !pattern.test(value))
    throw refuse('invalid-value', tag, `${name} '${value}' is invalid`);
  return value;
}

export function parseStatus(value: string): MppsStatus {
  if (!(MPPS_STATUSES as readonly string[]).includes(value)) {
    throw refuse(
      'invalid-value',
      TAG.status,
      `status '${value}' is not IN PROGRESS, COMPLETED or DISCONTINUED`,
    );
  }
  return value as MppsStatus;
}

/** N-CREATE (Table F.7.2-1): the type 1 attributes, a status of IN PROGRESS, valid dates, times and UIDs. */
export function readCreated(elements: DataElements): MppsSummary {
  const status = parseStatus(required(elements, TAG.status, 'Performed Procedure Step Status'));
  if (status !== 'IN PROGRESS') {
    throw refuse('invalid-value', TAG.status, `an MPPS is created IN PROGRESS, not ${status}`);
  }
  if (!(TAG.scheduledStepAttributes in elements)) {
    throw refuse(
      'missing-attribute',
      TAG.scheduledStepAttributes,
      'Scheduled Step Attributes Sequence is missing',
    );
  }
  const items = (elements[TAG.scheduledStepAttributes]!.Value ?? []) as DataElements[];
  if (items.length === 0) {
    throw refuse(
      'missing-value',
      TAG.scheduledStepAttributes,
      'Scheduled Step Attributes Sequence has no item',
    );
  }
  return {
    status,
    performedStepId: required(elements, TAG.performedStepId, 'Performed Procedure Step ID'),
    stationAeTitle: required(elements, TAG.stationAeTitle, 'Performed Station AE Title'),
    modality: required(elements, TAG.modality, 'Modality'),
    references: items.map(readReference),
    patientId: first(elements[TAG.patientId]),
    startDate: checked(required(elements, TAG.startDate, 'Start Date'), DATE, TAG.startDate, 'Start Date')!,
    startTime: checked(required(elements, TAG.startTime, 'Start Time'), TIME, TAG.startTime, 'Start Time')!,
    endDate: checked(first(elements[TAG.endDate]), DATE, TAG.endDate, 'End Date'),
    endTime: checked(first(elements[TAG.endTime]), TIME, TAG.endTime, 'End Time'),
  };
}

function readReference(item: DataElements): ScheduledStepReference {
  const studyInstanceUid = required(item, TAG.studyInstanceUid, 'Study Instance UID');
  if (!isValidUid(studyInstanceUid)) {
    throw refuse(
      'invalid-value',
      TAG.studyInstanceUid,
      `Study Instance UID '${studyInstanceUid}' is not a UID`,
    );
  }
  return {
    studyInstanceUid,
    accessionNumber: first(item[TAG.accessionNumber]),
    requestedProcedureId: first(item[TAG.requestedProcedureId]),
    scheduledStepId: first(item[TAG.scheduledStepId]),
  };
}

// Table F.7.2-1 "Not allowed" in N-SET: what identifies the step and where and when it began.
const FIXED_AFTER_CREATE = [
  TAG.scheduledStepAttributes,
  TAG.performedStepId,
  TAG.stationAeTitle,
  TAG.startDate,
  TAG.startTime,
  TAG.modality,
  TAG.patientId,
  TAG.patientName,
];

/**
 * N-SET (F.7.2.2): the modification list merged over the stored data set (a sequence is replaced whole).
 * Attributes N-SET may not change are refused unless sent unchanged; a final status needs the end date
 * and time, and COMPLETED at least one performed series (final state requirements).
 */
export function applyModifications(
  stored: DataElements,
  modifications: DataElements,
): {
  merged: DataElements;
  summary: MppsSummary;
} {
  for (const tag of FIXED_AFTER_CREATE) {
    if (
      tag in modifications &&
      JSON.stringify(modifications[tag]?.Value ?? []) !== JSON.stringify(stored[tag]?.Value ?? [])
    ) {
      throw refuse('invalid-value', tag, `(${tag}) cannot be changed by N-SET (PS3.4 F.7.2-1)`);
    }
  }
  const merged: DataElements = { ...stored };
  for (const [tag, element] of Object.entries(modifications)) {
    if (tag === TAG.specificCharacterSet) continue;
    merged[tag] = element;
  }
  const status = parseStatus(first(merged[TAG.status]) ?? '');
  const summary = { ...readCreatedLenient(merged), status };
  if (status !== 'IN PROGRESS') {
    required(merged, TAG.endDate, 'End Date');
    required(merged, TAG.endTime, 'End Time');
    if (status === 'COMPLETED' && ((merged[TAG.performedSeries]?.Value ?? []) as unknown[]).length === 0) {
      throw refuse(
        'missing-value',
        TAG.performedSeries,
        'a COMPLETED step needs its Performed Series Sequence',
      );
    }
  }
  return { merged, summary };
}

/** The summary of a merged data set, checked as at creation (its status is read by the caller). */
function readCreatedLenient(elements: DataElements): Omit<MppsSummary, 'status'> {
  const inProgress = { ...elements, [TAG.status]: { vr: 'CS', Value: ['IN PROGRESS'] } };
  const { status: _status, ...rest } = readCreated(inProgress);
  return rest;
}

/** Elements as storable JSON: binary values are not part of an MPPS the RIS keeps, so they are left out. */
export function storable(elements: DataElements): DataElements {
  const out: DataElements = {};
  for (const [tag, element] of Object.entries(elements)) {
    if (element.bytes || element.fragments) continue;
    out[tag] =
      element.vr === 'SQ'
        ? { vr: 'SQ', Value: ((element.Value ?? []) as DataElements[]).map(storable) }
        : { vr: element.vr, ...(element.Value ? { Value: element.Value } : {}) };
  }
  return out;
}
