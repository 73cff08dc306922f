// Administration and audit over REST: users (src/adapters/api/users-routes.ts), the HL7 message log
// (hl7-routes.ts), the running settings (settings-route.ts) and the audit trail (audit-routes.ts).
import { apiJson, query } from './http';

export const ROLES = [
  'administrator',
  'radiologist',
  'technologist',
  'clerk',
  'referring-physician',
  'researcher',
  'auditor',
] as const;

export interface User {
  id: number;
  username: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  mustChangePassword: boolean;
  failedLogins: number;
  lockedUntil?: string;
  createdAt: string;
}

export const users = {
  list: () => apiJson<{ users: User[] }>('/api/users'),
  add: (body: { username: string; displayName?: string; roles: string[] }) =>
    apiJson<{ user: User; oneTimePassword?: string }>('/api/users', { method: 'POST', json: body }),
  setDisabled: (username: string, disabled: boolean) =>
    apiJson<{ user: User }>(`/api/users/${encodeURIComponent(username)}`, {
      method: 'PATCH',
      json: { disabled },
    }),
  setRoles: (username: string, roles: string[]) =>
    apiJson<{ user: User }>(`/api/users/${encodeURIComponent(username)}`, {
      method: 'PATCH',
      json: { roles },
    }),
  resetPassword: (username: string) =>
    apiJson<{ username: string; oneTimePassword?: string }>(
      `/api/users/${encodeURIComponent(username)}/password`,
      { method: 'POST', json: {} },
    ),
};

export interface Hl7Message {
  id: number;
  direction: 'inbound' | 'outbound';
  state: string;
  peer: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  messageType: string;
  controlId: string;
  attempts: number;
  lastError: string | null;
  outcome: string | null;
  ackCode: string | null;
  createdAt: string;
  processedAt: string | null;
}

export const hl7 = {
  list: (params: { direction?: string; state?: string; limit?: number; offset?: number }) =>
    apiJson<{ total: number; messages: Hl7Message[] }>(`/api/hl7/messages${query(params)}`),
  counts: () => apiJson<Record<string, Record<string, number>>>('/api/hl7/messages/counts'),
  get: (id: number) =>
    apiJson<Hl7Message & { text: string; ackText: string | null }>(`/api/hl7/messages/${id}`),
  replay: (message: Hl7Message) =>
    apiJson<unknown>(
      `/api/hl7/messages/${message.id}/${message.direction === 'inbound' ? 'replay' : 'resend'}`,
      { method: 'POST' },
    ),
};

export interface Hl7Destination {
  name: string;
  host: string;
  port: number;
  receivingApplication: string;
  receivingFacility: string;
  tls?: boolean;
  messages: string[];
}

export type Settings = Record<string, unknown> & { hl7?: { destinations?: Hl7Destination[] } };

export const settings = {
  get: () => apiJson<{ settings: Settings }>('/api/admin/settings'),
};

export interface AuditRecord {
  seq: number;
  recordedAt: string;
  actor: { kind: string; id: string };
  door: string;
  remoteAddress: string | null;
  action: string;
  outcome: 'success' | 'failure';
  patientId: string | null;
  studyInstanceUid: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditFilters {
  from?: string;
  to?: string;
  action?: string;
  outcome?: string;
  actor?: string;
  patientId?: string;
  limit?: number;
  offset?: number;
}

export const audit = {
  search: (filters: AuditFilters) =>
    apiJson<{ total: number; records: AuditRecord[] }>(`/api/audit${query({ ...filters })}`),
};
