import { invalid } from '../platform/errors.js';
import type { ReachablePatients } from '../platform/security/index.js';
import type { OrderId } from './ids.js';
import { PRIORITIES, type Priority } from './order.js';
import type { OrderStatus } from './order-status.js';
import type { ReadingClaim } from './reading-claim.js';
import { codeString } from './procedure.js';

/** What a reader filters the reading worklist by. Lists accept one value or several. */
export interface ReadingWorklistSearch {
  modality?: string | string[];
  priority?: string | string[];
  /** `completed` (awaiting a first report) or `preliminary` (awaiting the final one); both by default. */
  status?: string | string[];
  patientRef?: number;
  /** Completed at least this long ago. */
  minAgeMinutes?: number;
  /** Completed at most this long ago. */
  maxAgeMinutes?: number;
  limit?: number;
  offset?: number;
}

/** One exam awaiting its report. */
export interface ReadingWorklistEntry {
  orderId: OrderId;
  accessionNumber: string;
  /** The exam's (first) study: the one linked to the order, else the UID it was scheduled with. */
  studyInstanceUid: string;
  status: OrderStatus;
  priority: Priority;
  patient: { ref: number; patientId: string; issuerOfPatientId: string; name: string | null };
  procedure: {
    code: string;
    codingScheme: string;
    meaning: string;
    modality: string;
    bodyPart: string | null;
  };
  completedAt: string;
  /** Whole minutes since the exam was completed. */
  ageMinutes: number;
  claim: ReadingClaim | null;
  /** Reserved for the AI module (e.g. 'critical' from a triage model); null until it sets one. */
  aiFlag: string | null;
}

export interface ReadingWorklistPlan {
  statuses: OrderStatus[];
  modalities?: string[];
  priorities?: Priority[];
  patientRef?: number;
  completedBefore?: string;
  completedAfter?: string;
  limit: number;
  offset: number;
  /** The patients the caller may see (a referring physician's); all when left out. */
  reach?: ReachablePatients;
}

const MAX_LIMIT = 500;
const list = (value: string | string[] | undefined) =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));

function wholeNumber(what: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${what} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Checks the filters and turns ages into completion instants relative to `now`. */
export function planReadingWorklist(search: ReadingWorklistSearch, now: Date): ReadingWorklistPlan {
  const statuses = (list(search.status) ?? ['completed', 'preliminary']).map((s) => {
    if (s !== 'completed' && s !== 'preliminary') {
      throw invalid(`status must be completed or preliminary (the exams awaiting a report), got '${s}'`);
    }
    return s;
  });
  const priorities = list(search.priority)?.map((p) => {
    const upper = p.trim().toUpperCase();
    if (!(PRIORITIES as readonly string[]).includes(upper)) {
      throw invalid(`priority must be one of ${PRIORITIES.join(', ')}, got '${p}'`);
    }
    return upper as Priority;
  });
  const minAge = wholeNumber('minAgeMinutes', search.minAgeMinutes, 0, 10_000_000);
  const maxAge = wholeNumber('maxAgeMinutes', search.maxAgeMinutes, 0, 10_000_000);
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  return {
    statuses,
    modalities: list(search.modality)?.map((m) => codeString('modality', m.toUpperCase())),
    priorities,
    patientRef: wholeNumber('patientRef', search.patientRef, 1, Number.MAX_SAFE_INTEGER),
    completedBefore: minAge === undefined ? undefined : ago(minAge),
    completedAfter: maxAge === undefined ? undefined : ago(maxAge),
    limit: wholeNumber('limit', search.limit, 1, MAX_LIMIT) ?? 50,
    offset: wholeNumber('offset', search.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}
