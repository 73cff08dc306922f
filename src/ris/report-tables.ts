import type { PatientTables } from '../patients/index.js';
import type { Kysely, Transaction } from '../platform/db/index.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

/** The reading, report and charge tables ris/ owns (migration 0010-ris-reports). Instants are ISO 8601 UTC. */
export interface ReportTables {
  /** Per exam on the reading worklist: who claimed it until when, and (later) an AI result's flag. */
  reading_state: {
    order_ref: number;
    /** `kind:id` of the claiming actor; null when released. */
    claimed_by: string | null;
    claimed_at: string | null;
    claim_expires_at: string | null;
    /** Set by the AI module when a result flags the exam (e.g. 'critical'); null: no flag. */
    ai_flag: string | null;
    updated_at: string;
  };
  report_template: {
    id?: number;
    /** Null: a template for any procedure. */
    procedure_ref: number | null;
    name: string;
    /** JSON array of { title, text }. */
    sections: string;
    created_at: string;
    updated_at: string;
  };
  report: {
    id?: number;
    order_ref: number;
    /** 1 once a critical result has been recorded. */
    critical: number;
    created_at: string;
    updated_at: string;
  };
  report_version: {
    id?: number;
    report_ref: number;
    version: number;
    kind: string;
    status: string;
    sections: string;
    reason: string | null;
    author_kind: string;
    author_id: string;
    signer_id: string | null;
    signer_name: string | null;
    signed_at: string | null;
    created_at: string;
    updated_at: string;
  };
  report_critical_result: {
    id?: number;
    report_ref: number;
    version: number;
    finding: string;
    notified_name: string;
    notified_role: string | null;
    method: string;
    notified_at: string;
    recorded_by_kind: string;
    recorded_by_id: string;
    recorded_at: string;
  };
  order_charge: {
    id?: number;
    order_ref: number;
    position: number;
    charge_code: string;
    coding_scheme: string;
    /** Comma-separated, '' for none (as procedure_charge). */
    modifiers: string;
    quantity: number;
    /** When the exam was completed: the service date billing periods are cut by. */
    service_at: string;
    released_at: string | null;
    released_by: string | null;
    created_at: string;
    updated_at: string;
  };
}

/** The RIS tables with these, and `patient` for read-only joins (names on the reading worklist). */
export type ReportDb = Kysely<RisTables & ReportTables & Pick<PatientTables, 'patient'>>;

/** The same connection or transaction, typed to see the report tables too. */
export const reportDb = (db: RisExecutor | Transaction<RisTables>): ReportDb => db as unknown as ReportDb;
