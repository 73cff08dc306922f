// Reading worklist and reports (src/adapters/api/ris-report-routes.ts).
import { apiJson, query } from './http';
import type { Priority } from './ris';

export interface ReadingEntry {
  orderId: number;
  accessionNumber: string;
  studyInstanceUid: string;
  status: string;
  priority: Priority;
  patient: { ref: number; patientId: string; name: string | null };
  procedure: { meaning: string; modality: string };
  completedAt: string;
  ageMinutes: number;
  claim: { by: string; at: string; expiresAt: string } | null;
  aiFlag: string | null;
}

export interface ReportSection {
  title: string;
  text: string;
}

export interface ReportVersion {
  version: number;
  kind: 'original' | 'amendment' | 'addendum';
  status: 'draft' | 'preliminary' | 'final';
  sections: ReportSection[];
  reason: string | null;
  signer: { id: string; name: string } | null;
  signedAt: string | null;
}

export interface CriticalResult {
  id: number;
  version: number;
  finding: string;
  notified: { name: string; role: string | null };
  method: string;
  notifiedAt: string;
  recordedBy: { kind: string; id: string };
}

export const NOTIFICATION_METHODS = ['phone', 'in-person', 'secure-message', 'page', 'other'] as const;

export interface Report {
  orderId: number;
  orderStatus: string;
  current: ReportVersion;
  versions: ReportVersion[];
  criticalResults: CriticalResult[];
}

export interface ReportTemplate {
  id: number;
  name: string;
  procedureId: number | null;
  sections: ReportSection[];
}

export const reading = {
  worklist: (params: { modality?: string; limit?: number; offset?: number }) =>
    apiJson<{ total: number; entries: ReadingEntry[] }>(`/api/reading-worklist${query(params)}`),
  claim: (orderId: number) => apiJson<unknown>(`/api/reading-worklist/${orderId}/claim`, { method: 'POST' }),
  release: (orderId: number) => apiJson<void>(`/api/reading-worklist/${orderId}/claim`, { method: 'DELETE' }),
};

export const reports = {
  /** The order's report, or undefined while none is started. */
  get: async (orderId: number): Promise<Report | undefined> => {
    try {
      return await apiJson<Report>(`/api/orders/${orderId}/report`);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  },
  /** The procedure's templates and the general ones (no procedure). */
  templates: (procedureId?: number) =>
    apiJson<{ templates: ReportTemplate[] }>(`/api/report-templates${query({ procedureId })}`),
  startDraft: (orderId: number, body: { templateId?: number; sections?: ReportSection[] }) =>
    apiJson<Report>(`/api/orders/${orderId}/report/drafts`, { method: 'POST', json: body }),
  saveDraft: (orderId: number, sections: ReportSection[]) =>
    apiJson<Report>(`/api/orders/${orderId}/report/draft`, { method: 'PUT', json: { sections } }),
  /** A logged-in user signs under the account's name; only without login (open access) is it given. */
  sign: (orderId: number, as: 'preliminary' | 'final', signerName?: string) =>
    apiJson<Report>(`/api/orders/${orderId}/report/sign`, {
      method: 'POST',
      json: signerName === undefined ? { as } : { as, signer: { name: signerName } },
    }),
  amend: (
    orderId: number,
    body:
      | { kind: 'amendment'; reason: string; sections: ReportSection[] }
      | { kind: 'addendum'; reason: string; addendum: string },
  ) => apiJson<Report>(`/api/orders/${orderId}/report/amend`, { method: 'POST', json: body }),
  recordCriticalResult: (
    orderId: number,
    body: { finding: string; notified: { name: string; role?: string }; method: string },
  ) =>
    apiJson<CriticalResult>(`/api/orders/${orderId}/report/critical-results`, {
      method: 'POST',
      json: body,
    }),
};
