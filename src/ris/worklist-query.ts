import { auditPatients } from '../platform/security/index.js';
import type { RequestContext } from '../platform/context.js';
import type { OrderStatus } from './order-status.js';
import type { RisDeps } from './ris-deps.js';
import { auditedRead } from './ris-transaction.js';
import { toWorklistItem, type WorklistItem } from './worklist-item.js';
import { parseMatcher, type Matcher, type MatchKind } from './worklist-matching.js';
import { listWorklistRows, type WorklistNarrowing } from './worklist-repo.js';

/**
 * Matching keys of a Modality Worklist query (PS3.4 K.6.1.2), as DICOM matching strings; absent or empty
 * keys match everything. The step keys are those of the Scheduled Procedure Step Sequence item.
 */
export interface WorklistKeys {
  patientName?: string;
  patientId?: string;
  accessionNumber?: string;
  requestedProcedureId?: string;
  studyInstanceUid?: string;
  referringPhysicianName?: string;
  scheduledStationAeTitle?: string;
  scheduledStationName?: string;
  modality?: string;
  scheduledStartDate?: string;
  scheduledStartTime?: string;
  scheduledPerformingPhysicianName?: string;
  scheduledStepStatus?: string;
  scheduledStepId?: string;
}

export interface WorklistSettings {
  /** List steps of arrived orders too (the patient is at the desk), not only scheduled ones. */
  includeArrived: boolean;
  /** The wall clock of steps without a room (walk-ins); default: this process's time zone. */
  defaultTimeZone?: string;
}

/** Which stored value each key matches, and how (PS3.4 C.2.2.2). */
const KEYS: ReadonlyArray<[keyof WorklistKeys, MatchKind, (item: WorklistItem) => string | null]> = [
  ['patientName', 'person-name', (i) => i.patient.name],
  ['patientId', 'text', (i) => i.patient.id],
  ['accessionNumber', 'text', (i) => i.accessionNumber],
  ['requestedProcedureId', 'text', (i) => i.requestedProcedureId],
  ['studyInstanceUid', 'uid', (i) => i.studyInstanceUid],
  ['referringPhysicianName', 'person-name', (i) => i.referringPhysicianName],
  ['scheduledStationAeTitle', 'text', (i) => i.step.stationAeTitle],
  ['scheduledStationName', 'text', (i) => i.step.stationName],
  ['modality', 'text', (i) => i.step.modality],
  ['scheduledStartDate', 'date', (i) => i.step.startDate],
  ['scheduledStartTime', 'time', (i) => i.step.startTime],
  ['scheduledPerformingPhysicianName', 'person-name', (i) => i.step.performingPhysicianName],
  ['scheduledStepStatus', 'text', (i) => i.step.status],
  ['scheduledStepId', 'text', (i) => i.step.id],
];

/**
 * The Modality Worklist (PS3.4 K): steps of orders that are scheduled (booked), and arrived if the setting
 * says so, matching every key. Audited as `worklist.query` with the keys and the number returned.
 */
export async function queryWorklist(
  deps: RisDeps,
  settings: WorklistSettings,
  ctx: RequestContext,
  keys: WorklistKeys,
): Promise<WorklistItem[]> {
  return auditedRead(
    deps,
    ctx,
    { action: 'worklist.query', detail: { keys: { ...keys } } },
    async (db) => {
      const matchers: Array<[Matcher, (item: WorklistItem) => string | null]> = [];
      for (const [key, kind, value] of KEYS) {
        const matcher = parseMatcher(keyword(key), kind, keys[key]);
        if (matcher) matchers.push([matcher, value]);
      }
      const statuses: OrderStatus[] = settings.includeArrived ? ['scheduled', 'arrived'] : ['scheduled'];
      const rows = await listWorklistRows(db, narrowing(keys, statuses));
      const timeZone = settings.defaultTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      return rows
        .map((row) => toWorklistItem(row, timeZone))
        .filter((item) => matchers.every(([matches, value]) => matches(value(item))));
    },
    (items) => {
      // The patients the worklist disclosed, in one value as searches spanning patients name them.
      return {
        ...auditPatients(items.map((item) => item.patient.id)),
        ...(items.length === 1 ? { studyInstanceUid: items[0]!.studyInstanceUid } : {}),
        detail: { returned: items.length },
      };
    },
  );
}

/** Plain single values (no wildcard, no list) of the selective keys narrow the SQL too. */
function narrowing(keys: WorklistKeys, orderStatuses: OrderStatus[]): WorklistNarrowing {
  const exact = (value: string | undefined) => {
    const v = value?.trim() ?? '';
    return v === '' || /[*?\\]/.test(v) ? undefined : v;
  };
  return {
    orderStatuses,
    stationAeTitle: exact(keys.scheduledStationAeTitle),
    modality: exact(keys.modality),
    accessionNumber: exact(keys.accessionNumber),
    patientId: exact(keys.patientId),
  };
}

const keyword = (key: keyof WorklistKeys) => key.charAt(0).toUpperCase() + key.slice(1);
