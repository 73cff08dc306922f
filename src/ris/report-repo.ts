import type { PatientKey } from '../patients/index.js';
import { nowIso } from '../platform/db/index.js';
import type { OrderId } from './ids.js';
import { examStudiesOf } from './exam-study-repo.js';
import type { OrderStatus } from './order-status.js';
import type {
  CriticalResult,
  NotificationMethod,
  Report,
  ReportSection,
  ReportVersion,
  ReportVersionKind,
  ReportVersionStatus,
} from './report.js';
import type { ReportDb, ReportTables } from './report-tables.js';
import type { RisExecutor } from './ris-transaction.js';

type VersionRow = ReportTables['report_version'];

const toVersion = (r: VersionRow): ReportVersion => ({
  version: r.version,
  kind: r.kind as ReportVersionKind,
  status: r.status as ReportVersionStatus,
  sections: JSON.parse(r.sections) as ReportSection[],
  reason: r.reason,
  author: { kind: r.author_kind, id: r.author_id },
  signer: r.signer_id === null ? null : { id: r.signer_id, name: r.signer_name ?? '' },
  signedAt: r.signed_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The order a report belongs to, with what the report's header prints. */
export async function findReportOrder(db: ReportDb, orderId: OrderId) {
  const row = await db
    .selectFrom('imaging_order as o')
    .innerJoin('procedure_code as p', 'p.id', 'o.procedure_ref')
    // Read-only join of the patients module's table: the name and ID printed on the report.
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .select([
      'o.id',
      'o.status',
      'o.accession_number',
      'o.study_instance_uid',
      'o.patient_ref',
      'o.priority',
      'o.reason',
      'o.ordering_provider_name',
      'o.procedure_ref',
      'p.code',
      'p.coding_scheme',
      'p.meaning',
      'p.modality',
      'pt.patient_id',
      'pt.issuer_of_patient_id',
      'pt.patient_name',
      'pt.birth_date',
    ])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
  if (!row) return undefined;
  const exams = await examStudiesOf(
    db as unknown as RisExecutor,
    new Map([[orderId, row.study_instance_uid]]),
  );
  return {
    ...row,
    id: row.id! as OrderId,
    status: row.status as OrderStatus,
    /** The exam's studies (linked, else the scheduled UID): what the report names. */
    examStudyInstanceUids: exams.get(orderId)!,
  };
}
export type ReportOrder = NonNullable<Awaited<ReturnType<typeof findReportOrder>>>;

export async function findReportId(db: ReportDb, orderId: OrderId): Promise<number | undefined> {
  const row = await db.selectFrom('report').select('id').where('order_ref', '=', orderId).executeTakeFirst();
  return row?.id;
}

export async function insertReport(db: ReportDb, orderId: OrderId): Promise<number> {
  const now = nowIso();
  const row = await db
    .insertInto('report')
    .values({ order_ref: orderId, critical: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id!;
}

export async function listVersions(db: ReportDb, reportId: number): Promise<ReportVersion[]> {
  const rows = await db
    .selectFrom('report_version')
    .selectAll()
    .where('report_ref', '=', reportId)
    .orderBy('version')
    .execute();
  return rows.map(toVersion);
}

export async function insertVersion(
  db: ReportDb,
  reportId: number,
  v: { version: number; kind: ReportVersionKind; sections: ReportSection[]; reason: string | null },
  author: { kind: string; id: string },
) {
  const now = nowIso();
  await db
    .insertInto('report_version')
    .values({
      report_ref: reportId,
      version: v.version,
      kind: v.kind,
      status: 'draft',
      sections: JSON.stringify(v.sections),
      reason: v.reason,
      author_kind: author.kind,
      author_id: author.id,
      signer_id: null,
      signer_name: null,
      signed_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await touchReport(db, reportId);
}

/** Rewrites a draft; the status condition makes a signed version unchangeable even under a race. */
export async function updateDraft(
  db: ReportDb,
  reportId: number,
  version: number,
  sections: ReportSection[],
) {
  const result = await db
    .updateTable('report_version')
    .set({ sections: JSON.stringify(sections), updated_at: nowIso() })
    .where('report_ref', '=', reportId)
    .where('version', '=', version)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  await touchReport(db, reportId);
  return Number(result.numUpdatedRows) === 1;
}

/** Signs a draft or preliminary version; false if it changed (or was signed) meanwhile. */
export async function signVersion(
  db: ReportDb,
  reportId: number,
  version: number,
  from: ReportVersionStatus,
  as: 'preliminary' | 'final',
  signer: { id: string; name: string },
  at: string,
) {
  const result = await db
    .updateTable('report_version')
    .set({ status: as, signer_id: signer.id, signer_name: signer.name, signed_at: at, updated_at: at })
    .where('report_ref', '=', reportId)
    .where('version', '=', version)
    .where('status', '=', from)
    .executeTakeFirst();
  await touchReport(db, reportId);
  return Number(result.numUpdatedRows) === 1;
}

async function touchReport(db: ReportDb, reportId: number, critical?: boolean) {
  await db
    .updateTable('report')
    .set({ updated_at: nowIso(), ...(critical ? { critical: 1 } : {}) })
    .where('id', '=', reportId)
    .execute();
}

export async function insertCriticalResult(
  db: ReportDb,
  reportId: number,
  row: Omit<ReportTables['report_critical_result'], 'id' | 'report_ref' | 'recorded_at'>,
): Promise<number> {
  const inserted = await db
    .insertInto('report_critical_result')
    .values({ ...row, report_ref: reportId, recorded_at: nowIso() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await touchReport(db, reportId, true);
  return inserted.id!;
}

export async function listCriticalResults(db: ReportDb, reportId: number): Promise<CriticalResult[]> {
  const rows = await db
    .selectFrom('report_critical_result')
    .selectAll()
    .where('report_ref', '=', reportId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id!,
    version: r.version,
    finding: r.finding,
    notified: { name: r.notified_name, role: r.notified_role },
    method: r.method as NotificationMethod,
    notifiedAt: r.notified_at,
    recordedBy: { kind: r.recorded_by_kind, id: r.recorded_by_id },
    recordedAt: r.recorded_at,
  }));
}

/** The whole report of an order, or undefined when none was started. */
export async function loadReport(db: ReportDb, order: ReportOrder): Promise<Report | undefined> {
  const report = await db
    .selectFrom('report')
    .selectAll()
    .where('order_ref', '=', order.id)
    .executeTakeFirst();
  if (!report) return undefined;
  const versions = await listVersions(db, report.id!);
  return {
    id: report.id!,
    orderId: order.id,
    accessionNumber: order.accession_number,
    studyInstanceUid: order.examStudyInstanceUids[0]!,
    studyInstanceUids: order.examStudyInstanceUids,
    patientRef: order.patient_ref as PatientKey,
    orderStatus: order.status,
    critical: report.critical === 1,
    current: versions[versions.length - 1]!,
    versions,
    criticalResults: await listCriticalResults(db, report.id!),
  };
}
