import type { PatientKey } from '../patients/index.js';
import { invalid } from '../platform/errors.js';
import type { BookingId, OrderId, ProcedureId, ResourceId } from './ids.js';
import type { OrderStatus } from './order-status.js';
import type { Procedure } from './procedure.js';

export const PRIORITIES = ['STAT', 'URGENT', 'ROUTINE'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** An imaging service request as a placer (EMR, HL7 ORM/OMI, FHIR ServiceRequest, the UI) gives it. */
export interface OrderInput {
  patientRef: number;
  procedureId: number;
  /** Given by the placer: kept if no other order uses it; otherwise one is generated. */
  accessionNumber?: string;
  placerOrderNumber?: string;
  priority?: Priority;
  reason?: string;
  orderingProvider?: { id?: string; name?: string };
}

/** The worklist entry of an order (PS3.4 K.6.1.2.2 Scheduled Procedure Step). */
export interface ScheduledStep {
  stepId: string;
  status: string;
  modality: string;
  stationAeTitle: string | null;
  stationName: string | null;
  resourceId: ResourceId | null;
  bookingId: BookingId | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
}

export interface Order {
  id: OrderId;
  patientRef: PatientKey;
  accessionNumber: string;
  placerOrderNumber: string | null;
  fillerOrderNumber: string;
  requestedProcedureId: string;
  /** Generated with the order and offered to the modality through the worklist (which may not adopt it). */
  studyInstanceUid: string;
  /**
   * The exam's studies: those linked to the order (first linked first), or while none is, `studyInstanceUid`.
   * What reports, FHIR and the viewer name as the order's images.
   */
  examStudyInstanceUids: string[];
  status: OrderStatus;
  priority: Priority;
  reason: string | null;
  orderingProvider: { id: string | null; name: string | null };
  procedure: Omit<Procedure, 'charges'> & { id: ProcedureId };
  steps: ScheduledStep[];
  createdAt: string;
  updatedAt: string;
}

/** One row of an order's history: every status change, with who made it, when and why. */
export interface OrderHistoryEntry {
  from: OrderStatus | null;
  to: OrderStatus;
  actor: { kind: string; id: string };
  at: string;
  reason: string | null;
}

export function parsePriority(value: string | undefined): Priority {
  if (value === undefined) return 'ROUTINE';
  const upper = value.trim().toUpperCase();
  if (!(PRIORITIES as readonly string[]).includes(upper)) {
    throw invalid(`priority must be one of ${PRIORITIES.join(', ')}, got '${value}'`);
  }
  return upper as Priority;
}

/** Optional free text: undefined or blank becomes null; longer than `max` is refused. */
export function optionalText(what: string, value: string | undefined, max: number): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if (text.length > max || /\p{Cc}/u.test(text)) {
    throw invalid(`${what} must be at most ${max} characters without control characters`);
  }
  return text;
}

export function positiveId(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(`${what} must be a positive whole number`);
  }
  return value;
}
