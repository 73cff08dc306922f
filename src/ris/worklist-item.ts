import type { OrderId } from './ids.js';
import type { WorklistRow } from './worklist-repo.js';

/** A code item (PS3.3 8.8): Requested Procedure Code Sequence, Scheduled Protocol Code Sequence. */
export interface CodedEntry {
  value: string;
  scheme: string;
  meaning: string;
}

/** One Modality Worklist entry: a scheduled procedure step with its requested procedure (PS3.4 K.6.1). */
export interface WorklistItem {
  orderId: OrderId;
  patient: {
    name: string | null;
    id: string;
    issuer: string;
    birthDate: string | null;
    sex: string | null;
  };
  accessionNumber: string;
  referringPhysicianName: string | null;
  requestedProcedureId: string;
  requestedProcedureDescription: string;
  requestedProcedureCode: CodedEntry;
  studyInstanceUid: string;
  /** Requested Procedure Priority (0040,1003): STAT, HIGH or ROUTINE. */
  priority: string;
  step: {
    id: string;
    /** Scheduled Procedure Step Status (0040,0020): SCHEDULED or ARRIVED. */
    status: string;
    modality: string;
    stationAeTitle: string | null;
    stationName: string | null;
    /** DICOM DA and TM on the room's local clock (the modality's wall clock, not UTC). */
    startDate: string;
    startTime: string;
    performingPhysicianName: string | null;
    description: string;
    protocolCode: CodedEntry;
  };
}

// An order's priority as DICOM's defined terms (PS3.3 C.4.11): URGENT is HIGH there.
const PRIORITY: Record<string, string> = { STAT: 'STAT', URGENT: 'HIGH', ROUTINE: 'ROUTINE' };

/**
 * A row as a worklist entry. A walk-in (arrived without a booking) has no scheduled start: its arrival,
 * the order's last change, stands in, since the Start Date and Time are required return keys (K.6.1.2.2).
 */
export function toWorklistItem(row: WorklistRow, defaultTimeZone: string): WorklistItem {
  const start = new Date(row.scheduled_start ?? row.order_updated_at);
  const { date, time } = dicomDateTime(start, row.time_zone ?? defaultTimeZone);
  const code = { value: row.code, scheme: row.coding_scheme, meaning: row.meaning };
  return {
    orderId: row.order_id as OrderId,
    patient: {
      name: row.patient_name,
      id: row.patient_id,
      issuer: row.issuer_of_patient_id,
      birthDate: row.birth_date,
      sex: row.sex,
    },
    accessionNumber: row.accession_number,
    referringPhysicianName: row.ordering_provider_name,
    requestedProcedureId: row.requested_procedure_id,
    requestedProcedureDescription: row.meaning,
    requestedProcedureCode: code,
    studyInstanceUid: row.study_instance_uid,
    priority: PRIORITY[row.priority] ?? 'ROUTINE',
    step: {
      id: row.step_id,
      status: row.step_status,
      modality: row.modality,
      stationAeTitle: row.station_ae_title,
      stationName: row.station_name,
      startDate: date,
      startTime: time,
      performingPhysicianName: row.performing_physician_name,
      description: row.meaning,
      protocolCode: code,
    },
  };
}

/** An instant as DICOM DA (YYYYMMDD) and TM (HHMMSS) on a time zone's wall clock. */
export function dicomDateTime(instant: Date, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return {
    date: `${parts.year}${parts.month}${parts.day}`,
    time: `${parts.hour}${parts.minute}${parts.second}`,
  };
}
