// The RIS and patient REST APIs as the UI uses them (src/adapters/api/ris-routes.ts, patients-routes.ts).
import { apiJson, query } from './http';

export interface Patient {
  id: number;
  patientId: string;
  issuerOfPatientId: string;
  name?: { dicom: string; family?: string; given?: string };
  birthDate?: string;
  sex?: string;
  mergedInto?: number;
}

export interface Procedure {
  id: number;
  code: string;
  codingScheme: string;
  meaning: string;
  modality: string;
  bodyPart: string | null;
  durationMinutes: number;
}

export interface ScheduledStep {
  stepId: string;
  status: string;
  modality: string;
  stationAeTitle: string | null;
  stationName: string | null;
  resourceId: number | null;
  bookingId: number | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
}

export type Priority = 'STAT' | 'URGENT' | 'ROUTINE';

export interface Order {
  id: number;
  patientRef: number;
  accessionNumber: string;
  /** Generated with the order for the worklist; the modality may not have used it. */
  studyInstanceUid: string;
  /** The studies linked to the order (else the scheduled UID): the exam's images. */
  examStudyInstanceUids: string[];
  status: string;
  priority: Priority;
  reason: string | null;
  procedure: Procedure;
  steps: ScheduledStep[];
  createdAt: string;
}

export interface Resource {
  id: number;
  name: string;
  aeTitle: string;
  modality: string;
  stationName: string | null;
  timeZone: string;
}

export interface Slot {
  start: string;
  end: string;
  available: boolean;
}

export interface Booking {
  id: number;
  orderId: number;
  resourceId: number;
  startsAt: string;
  endsAt: string;
  status: string;
}

export const patients = {
  search: (params: {
    name?: string;
    identifier?: string;
    birthDate?: string;
    limit?: number;
    offset?: number;
  }) => apiJson<{ total: number; patients: Patient[] }>(`/api/patients${query(params)}`),
  get: (id: number) => apiJson<Patient>(`/api/patients/${id}`),
  register: (body: { patientId: string; name: string; birthDate?: string; sex?: string }) =>
    apiJson<Patient>('/api/patients', { method: 'POST', json: body }),
};

export const procedures = {
  list: () => apiJson<{ procedures: Procedure[] }>('/api/procedures'),
};

export const orders = {
  place: (body: { patientRef: number; procedureId: number; priority?: Priority; reason?: string }) =>
    apiJson<Order>('/api/orders', { method: 'POST', json: body }),
  search: (params: {
    status?: string;
    patientRef?: number;
    scheduledFrom?: string;
    scheduledTo?: string;
    accessionNumber?: string;
    limit?: number;
    offset?: number;
  }) => apiJson<{ total: number; orders: Order[] }>(`/api/orders${query(params)}`),
  transition: (id: number, to: string, reason?: string) =>
    apiJson<Order>(`/api/orders/${id}/transitions`, {
      method: 'POST',
      json: { to, ...(reason ? { reason } : {}) },
    }),
};

export const resources = {
  list: () => apiJson<{ resources: Resource[] }>('/api/resources'),
  slots: (id: number, date: string, procedureId?: number) =>
    apiJson<{ timeZone: string; durationMinutes: number; slots: Slot[] }>(
      `/api/resources/${id}/slots${query({ date, procedureId })}`,
    ),
};

export const bookings = {
  book: (body: { orderId: number; resourceId: number; start: string }) =>
    apiJson<Booking>('/api/bookings', { method: 'POST', json: body }),
  reschedule: (id: number, body: { start: string; resourceId?: number }) =>
    apiJson<Booking>(`/api/bookings/${id}/reschedule`, { method: 'POST', json: body }),
};

export interface UnmatchedStudy {
  studyInstanceUid: string;
  accessionNumber: string | null;
  patientId: string | null;
  patientName: string | null;
  studyDate: string | null;
  modalities: string | null;
  numInstances: number | null;
  reason: string;
  status: 'open' | 'linked' | 'dismissed';
  queuedAt: string;
}

export const unmatched = {
  list: (params: { status?: string; limit?: number; offset?: number }) =>
    apiJson<{ total: number; studies: UnmatchedStudy[] }>(`/api/unmatched-studies${query(params)}`),
  link: (studyUid: string, orderId: number) =>
    apiJson<UnmatchedStudy>(`/api/unmatched-studies/${encodeURIComponent(studyUid)}/link`, {
      method: 'POST',
      json: { orderId },
    }),
  dismiss: (studyUid: string, reason?: string) =>
    apiJson<UnmatchedStudy>(`/api/unmatched-studies/${encodeURIComponent(studyUid)}/dismiss`, {
      method: 'POST',
      json: reason ? { reason } : {},
    }),
};

export function patientName(patient: Patient | undefined): string {
  if (!patient) return '…';
  const dicom = patient.name?.dicom ?? '';
  const [family = '', given = ''] = dicom.split('^');
  return given ? `${family}, ${given}` : family || '(no name)';
}

/** Local wall-clock time of an ISO instant, e.g. "09:30". */
export function timeOf(iso: string | null): string {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Today's local date as YYYY-MM-DD. */
export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A technologist's note on an exam (src/adapters/api/exam-note-routes.ts): append-only. */
export interface ExamNote {
  id: number;
  orderId: number;
  text: string;
  correctsNoteId: number | null;
  author: { kind: string; id: string };
  createdAt: string;
}

export const examNotes = {
  list: (orderId: number) => apiJson<{ notes: ExamNote[] }>(`/api/orders/${orderId}/notes`),
  add: (orderId: number, body: { text: string; correctsNoteId?: number }) =>
    apiJson<ExamNote>(`/api/orders/${orderId}/notes`, { method: 'POST', json: body }),
};
