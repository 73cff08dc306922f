import { invalid } from '../platform/errors.js';
import type { PatientKey } from '../patients/index.js';
import type { OrderId } from './ids.js';
import type { OrderStatus } from './order-status.js';

/** A titled part of a report or template (Findings, Impression …). */
export interface ReportSection {
  title: string;
  text: string;
}

/** A version's life: written as a draft, then signed preliminary and/or final; signed versions never change. */
export type ReportVersionStatus = 'draft' | 'preliminary' | 'final';
/** original: the report before it was final · amendment: a corrected whole · addendum: text added below. */
export type ReportVersionKind = 'original' | 'amendment' | 'addendum';

export interface ReportVersion {
  version: number;
  kind: ReportVersionKind;
  status: ReportVersionStatus;
  sections: ReportSection[];
  /** Why an amendment or addendum was written. */
  reason: string | null;
  author: { kind: string; id: string };
  signer: { id: string; name: string } | null;
  signedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How a critical finding was communicated (ACR practice parameter: who, how, when). */
export const NOTIFICATION_METHODS = ['phone', 'in-person', 'secure-message', 'page', 'other'] as const;
export type NotificationMethod = (typeof NOTIFICATION_METHODS)[number];

export interface CriticalResult {
  id: number;
  /** The report version that was current when the finding was communicated. */
  version: number;
  finding: string;
  notified: { name: string; role: string | null };
  method: NotificationMethod;
  notifiedAt: string;
  recordedBy: { kind: string; id: string };
  recordedAt: string;
}

export interface CriticalResultInput {
  finding: string;
  notified: { name: string; role?: string };
  method: string;
  /** When the notification happened; now if left out. */
  notifiedAt?: string;
}

/** An order's report: every version (oldest first, the last is current) and its critical results. */
export interface Report {
  id: number;
  orderId: OrderId;
  accessionNumber: string;
  /** The exam's study: the first linked to the order, or while none is, the UID it was scheduled with. */
  studyInstanceUid: string;
  /** Every study of the exam (linked to the order, first linked first; else the scheduled UID). */
  studyInstanceUids: string[];
  patientRef: PatientKey;
  orderStatus: OrderStatus;
  critical: boolean;
  current: ReportVersion;
  versions: ReportVersion[];
  criticalResults: CriticalResult[];
}

export interface SignRequest {
  as: 'preliminary' | 'final';
  /**
   * The signing radiologist's name as it will print, for callers that are no named person (an API key, or
   * anyone while authentication is off). A logged-in user always signs under their account's name: this is
   * then ignored.
   */
  signer?: { name: string };
}

export interface AmendRequest {
  kind: 'amendment' | 'addendum';
  reason: string;
  /** amendment: the corrected sections (default: a copy of the final ones) · addendum: the text to add. */
  sections?: ReportSection[];
  addendum?: string;
}

const MAX_SECTIONS = 30;
const MAX_SECTION_TEXT = 50_000;

/** Titles are one line; texts keep line breaks and tabs but no other control characters. */
export function validateSections(sections: unknown): ReportSection[] {
  if (!Array.isArray(sections) || sections.length === 0 || sections.length > MAX_SECTIONS) {
    throw invalid(`sections must be a list of 1 to ${MAX_SECTIONS} { title, text }`);
  }
  return sections.map((s: Partial<ReportSection>, i) => {
    const title = typeof s?.title === 'string' ? s.title.trim() : '';
    if (title.length === 0 || title.length > 64 || /\p{Cc}/u.test(title)) {
      throw invalid(`sections[${i}].title must be 1 to 64 characters on one line`);
    }
    const text = typeof s?.text === 'string' ? s.text.replace(/\r\n?/g, '\n') : '';
    if (text.length > MAX_SECTION_TEXT || /[^\P{Cc}\n\t]/u.test(text)) {
      throw invalid(
        `sections[${i}].text must be at most ${MAX_SECTION_TEXT} characters, no control characters`,
      );
    }
    return { title, text };
  });
}

/** One line of required text (a signer's name, a reason, a finding). */
export function requiredLine(what: string, value: unknown, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0 || text.length > max || /\p{Cc}/u.test(text)) {
    throw invalid(`${what} must be 1 to ${max} characters on one line`);
  }
  return text;
}

export const DEFAULT_SECTIONS: readonly ReportSection[] = [
  { title: 'Findings', text: '' },
  { title: 'Impression', text: '' },
];
