import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import type { OrderId } from './ids.js';
import { auditOfOrders } from './order-audit.js';
import { applyOrderTransition } from './order-transition.js';
import { activeClaim, assertNotHeldByOther } from './reading-claim.js';
import { clearClaim, findReadingState } from './reading-repo.js';
import {
  DEFAULT_SECTIONS,
  NOTIFICATION_METHODS,
  requiredLine,
  validateSections,
  type AmendRequest,
  type CriticalResultInput,
  type NotificationMethod,
  type Report,
  type ReportSection,
  type SignRequest,
} from './report.js';
import { renderPdf } from './report-pdf.js';
import {
  findReportOrder,
  insertCriticalResult,
  insertReport,
  insertVersion,
  loadReport,
  signVersion,
  updateDraft,
  type ReportOrder,
} from './report-repo.js';
import { reportDb, type ReportDb } from './report-tables.js';
import { findTemplate, listTemplates } from './report-template-repo.js';
import { renderReportText, versionToShow } from './report-text.js';
import {
  assertAmendable,
  assertEditable,
  assertKeepsSigned,
  assertNewDraft,
  signingTarget,
} from './report-version-rules.js';
import { currentTime, type RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, type RisExecutor } from './ris-transaction.js';

export interface DraftRequest {
  /** Start from this template (of the order's procedure, or a general one). */
  templateId?: number;
  /** Start from these sections instead. Neither: the procedure's first template, else Findings/Impression. */
  sections?: ReportSection[];
}

export interface ReportExport {
  filename: string;
  version: number;
  body: string | Buffer;
}

async function orderOf(db: ReportDb, orderId: OrderId): Promise<ReportOrder> {
  const order = await findReportOrder(db, orderId);
  if (!order) throw notFound('order', String(orderId));
  return order;
}

async function reportOf(db: ReportDb, order: ReportOrder): Promise<Report> {
  const report = await loadReport(db, order);
  if (!report) throw notFound('report of order', String(order.id));
  return report;
}

/**
 * Who a signature names. A person signs under their account's name (or their identity provider's), whatever
 * the request says, so nobody signs as someone else. A caller that is no named person (an API key of a
 * dictation system signing for a radiologist, or the anonymous caller with authentication off) must name the
 * signer, and the signature keeps the caller's id (`service:<key name>`), so it shows how it was signed.
 */
function signerOf(ctx: RequestContext, request: SignRequest): { id: string; name: string } {
  const { actor } = ctx;
  const described = describeActor(actor);
  if (actor.kind === 'user' && actor.displayName) return { id: described.id, name: actor.displayName };
  if (request.signer?.name === undefined) {
    throw invalid(
      `signer.name is required: the caller (${described.kind} ${described.id}) is no logged-in person, so it names who signs`,
    );
  }
  const name = requiredLine('signer.name', request.signer.name, 128);
  return { id: actor.kind === 'user' ? described.id : `${described.kind}:${described.id}`, name };
}

/** The report's patient, exam's study and accession, and its current version. */
async function reportAudit(report: Report, db: RisExecutor) {
  const naming = await auditOfOrders(db, [report.orderId]);
  return {
    ...naming,
    detail: { ...naming.detail, version: report.current.version, status: report.current.status },
  };
}

/**
 * Reports: one per order, in versions. A draft is written and edited by its author, signed preliminary
 * and/or final (moving the order along in the same transaction), and once final only amended or extended
 * by an addendum, each a new version; signed versions are never changed. Another reader's claim on the
 * exam keeps everyone else's hands off it.
 */
export function createReports(deps: RisDeps) {
  /** A change to an order's report with the exam's claim respected, audited as `action`. */
  const change = (
    ctx: RequestContext,
    orderId: OrderId,
    action: string,
    detail: Record<string, unknown>,
    work: (
      db: ReportDb,
      order: ReportOrder,
      trx: Parameters<Parameters<typeof auditedChange>[3]>[0],
    ) => Promise<void>,
  ): Promise<Report> =>
    auditedChange(
      deps,
      ctx,
      { action, detail: { orderId, ...detail } },
      async (trx) => {
        const db = reportDb(trx);
        const order = await orderOf(db, orderId);
        assertNotHeldByOther(
          ctx,
          orderId,
          activeClaim(await findReadingState(db, orderId), currentTime(deps)),
        );
        await work(db, order, trx);
        return reportOf(db, await orderOf(db, orderId));
      },
      reportAudit,
    );

  // Audited with the exam's study and accession, like every other read of a report.
  const exportVersion = async (
    ctx: RequestContext,
    orderId: OrderId,
    format: 'txt' | 'pdf',
    version?: number,
  ): Promise<ReportExport> => {
    const { exported } = await auditedRead(
      deps,
      ctx,
      { action: 'report.export', detail: { orderId, format, version } },
      async (kysely) => {
        const db = reportDb(kysely);
        const order = await orderOf(db, orderId);
        const report = await reportOf(db, order);
        const shown = versionToShow(report, version);
        if (!shown) throw notFound(`version ${version} of the report of order`, String(orderId));
        const text = renderReportText(order, report, shown);
        const filename = `report-${order.accession_number}-v${shown.version}.${format}`;
        const body =
          format === 'txt'
            ? text
            : renderPdf(text, {
                title: `Radiology report ${order.accession_number}`,
                created: currentTime(deps),
              });
        return { exported: { filename, version: shown.version, body }, report };
      },
      async ({ exported: shown, report }, db) => {
        const naming = await auditOfOrders(db, [report.orderId]);
        return { ...naming, detail: { ...naming.detail, shownVersion: shown.version } };
      },
    );
    return exported;
  };

  return {
    /** The report with every version (the last is current) and its critical results. */
    get: (ctx: RequestContext, orderId: OrderId): Promise<Report> =>
      auditedRead(
        deps,
        ctx,
        { action: 'report.read', detail: { orderId } },
        async (kysely) => {
          const db = reportDb(kysely);
          return reportOf(db, await orderOf(db, orderId));
        },
        reportAudit,
      ),

    /** Starts a draft: the first version, or a revision of a preliminary report (its text copied). */
    startDraft: (ctx: RequestContext, orderId: OrderId, request: DraftRequest = {}) =>
      change(ctx, orderId, 'report.draft', { templateId: request.templateId }, async (db, order) => {
        const existing = await loadReport(db, order);
        const head = existing?.current;
        assertNewDraft(order.status, head);
        let sections: ReportSection[];
        if (request.sections !== undefined) {
          sections = validateSections(request.sections);
        } else if (request.templateId !== undefined) {
          const template = await findTemplate(db, request.templateId);
          if (!template) throw invalid(`report template ${request.templateId} does not exist`);
          if (template.procedureId !== null && template.procedureId !== order.procedure_ref) {
            throw invalid(`report template ${template.id} is for another procedure`);
          }
          sections = template.sections;
        } else if (head) {
          sections = head.sections;
        } else {
          sections = (await listTemplates(db, order.procedure_ref))[0]?.sections ?? [...DEFAULT_SECTIONS];
        }
        const reportId = existing?.id ?? (await insertReport(db, orderId));
        await insertVersion(
          db,
          reportId,
          { version: (head?.version ?? 0) + 1, kind: 'original', sections, reason: null },
          describeActor(ctx.actor),
        );
      }),

    /** Rewrites the draft at the head: its author only; an addendum keeps the signed text above it. */
    editDraft: (ctx: RequestContext, orderId: OrderId, input: { sections: ReportSection[] }) =>
      change(ctx, orderId, 'report.edit', {}, async (db, order) => {
        const report = await reportOf(db, order);
        const draft = assertEditable(report.current, describeActor(ctx.actor));
        const sections = validateSections(input.sections);
        if (draft.kind === 'addendum')
          assertKeepsSigned(report.versions[report.versions.length - 2]!.sections, sections);
        if (!(await updateDraft(db, report.id, draft.version, sections))) {
          throw conflict(`report version ${draft.version} was signed meanwhile; it no longer changes`);
        }
      }),

    /**
     * Signs the head version preliminary or final and moves the order (completed → preliminary → final;
     * an amendment or addendum: final/amended → amended) in the same transaction; publishes
     * `report.preliminary`, `report.finalized` or `report.amended`.
     */
    sign: (ctx: RequestContext, orderId: OrderId, request: SignRequest) =>
      change(ctx, orderId, 'report.sign', { as: request.as }, async (db, order, trx) => {
        if (request.as !== 'preliminary' && request.as !== 'final') {
          throw invalid(`as must be preliminary or final, got '${String(request.as)}'`);
        }
        const signer = signerOf(ctx, request);
        const report = await loadReport(db, order);
        const head = report?.current;
        const target = signingTarget(order.status, head, request.as);
        const at = currentTime(deps).toISOString();
        if (!(await signVersion(db, report!.id, head!.version, head!.status, request.as, signer, at))) {
          throw conflict(`report version ${head!.version} changed meanwhile; reload it`);
        }
        const reason = `report version ${head!.version} signed ${request.as} by ${signer.name}`;
        await applyOrderTransition(trx, ctx, orderId, target, reason);
        // A final report takes the exam off the reading worklist; its claim has done its work.
        if (target !== 'preliminary') await clearClaim(db, orderId);
        const type =
          target === 'preliminary'
            ? 'report.preliminary'
            : target === 'final'
              ? 'report.finalized'
              : 'report.amended';
        await publishEvent(trx, {
          type,
          subject: order.accession_number,
          payload: {
            reportId: report!.id,
            orderId,
            accessionNumber: order.accession_number,
            studyInstanceUid: order.examStudyInstanceUids[0],
            studyInstanceUids: order.examStudyInstanceUids,
            patientRef: order.patient_ref,
            version: head!.version,
            kind: head!.kind,
            status: request.as,
            signer,
            signedAt: at,
            critical: report!.critical,
          },
        });
      }),

    /** Opens an amendment (a corrected whole) or an addendum (text added below) of a final report as a draft. */
    amend: (ctx: RequestContext, orderId: OrderId, request: AmendRequest) =>
      change(ctx, orderId, 'report.amend', { kind: request.kind }, async (db, order) => {
        const report = await loadReport(db, order);
        const final = assertAmendable(report?.current);
        const reason = requiredLine('reason', request.reason, 1024);
        let sections: ReportSection[];
        if (request.kind === 'amendment') {
          sections = request.sections === undefined ? final.sections : validateSections(request.sections);
        } else if (request.kind === 'addendum') {
          const text = typeof request.addendum === 'string' ? request.addendum.trim() : '';
          if (text === '') throw invalid('an addendum needs its text (addendum)');
          sections = validateSections([...final.sections, { title: 'Addendum', text }]);
        } else {
          throw invalid(`kind must be amendment or addendum, got '${String(request.kind)}'`);
        }
        await insertVersion(
          db,
          report!.id,
          { version: final.version + 1, kind: request.kind, sections, reason },
          describeActor(ctx.actor),
        );
      }),

    /** Records that a critical finding was communicated: to whom, how and when; flags the report critical. */
    recordCriticalResult: (ctx: RequestContext, orderId: OrderId, input: CriticalResultInput) =>
      change(ctx, orderId, 'report.critical-result', { method: input.method }, async (db, order, trx) => {
        const report = await reportOf(db, order);
        if (!(NOTIFICATION_METHODS as readonly string[]).includes(input.method)) {
          throw invalid(`method must be one of ${NOTIFICATION_METHODS.join(', ')}, got '${input.method}'`);
        }
        const notifiedAt = input.notifiedAt ?? currentTime(deps).toISOString();
        if (Number.isNaN(Date.parse(notifiedAt)) || !/^\d{4}-\d\d-\d\dT/.test(notifiedAt)) {
          throw invalid(`notifiedAt must be an ISO 8601 date and time, got '${notifiedAt}'`);
        }
        const recordedBy = describeActor(ctx.actor);
        const id = await insertCriticalResult(db, report.id, {
          version: report.current.version,
          finding: requiredLine('finding', input.finding, 1024),
          notified_name: requiredLine('notified.name', input.notified?.name, 128),
          notified_role: input.notified?.role ? requiredLine('notified.role', input.notified.role, 64) : null,
          method: input.method as NotificationMethod,
          notified_at: new Date(notifiedAt).toISOString(),
          recorded_by_kind: recordedBy.kind,
          recorded_by_id: recordedBy.id,
        });
        await publishEvent(trx, {
          type: 'report.critical-result-recorded',
          subject: order.accession_number,
          payload: { reportId: report.id, orderId, criticalResultId: id, method: input.method, notifiedAt },
        });
      }),

    /** The newest signed version (or `version`) as plain text. */
    exportText: (ctx: RequestContext, orderId: OrderId, version?: number) =>
      exportVersion(ctx, orderId, 'txt', version),

    /** The same as a PDF document. */
    exportPdf: (ctx: RequestContext, orderId: OrderId, version?: number) =>
      exportVersion(ctx, orderId, 'pdf', version),
  };
}

export type Reports = ReturnType<typeof createReports>;
