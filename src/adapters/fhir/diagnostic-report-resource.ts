import type { Attachment, DiagnosticReport, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../../platform/context.js';
import type { Order, OrderId, OrderStatus, Report, Ris } from '../../ris/index.js';
import { ACCESSION_SYSTEM, V2_0203, systemOfScheme } from './coding-systems.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler, SearchQuery } from './resource-handler.js';
import {
  alternatives,
  dateRange,
  inRange,
  referenceId,
  sortByKeys,
  token,
  versionOf,
} from './search-values.js';

// DiagnosticReport ← the RIS report of an order (one report per order, so the id is the order id).
// Status: the newest signed version decides (preliminary, final; a signed amendment is `corrected`, a signed
// addendum `appended`); a report with drafts only is `registered` and shows no text. presentedForm carries
// the signed text and its PDF, as the reports service renders them.

type ReportStatus = DiagnosticReport['status'];

function statusOf(report: Report): ReportStatus {
  const signed = report.versions.findLast((v) => v.status !== 'draft');
  if (!signed) return 'registered';
  if (signed.status === 'preliminary') return 'preliminary';
  if (signed.kind === 'amendment') return 'corrected';
  if (signed.kind === 'addendum') return 'appended';
  return 'final';
}

/** The order statuses whose reports each FHIR status can be found among. */
const ORDER_STATUSES_OF: Record<string, OrderStatus[]> = {
  registered: ['completed'],
  partial: ['completed'],
  preliminary: ['preliminary'],
  final: ['final'],
  amended: ['amended'],
  corrected: ['amended'],
  appended: ['amended'],
};
const REPORTED: OrderStatus[] = ['completed', 'preliminary', 'final', 'amended'];

export function diagnosticReportHandler(ris: Ris): ResourceHandler {
  async function toDiagnosticReport(
    ctx: RequestContext,
    order: Order,
    report: Report,
  ): Promise<DiagnosticReport> {
    const status = statusOf(report);
    const signed = report.versions.findLast((v) => v.status !== 'draft');
    const presentedForm: Attachment[] = [];
    if (signed) {
      const [text, pdf] = [
        await ris.reports.exportText(ctx, order.id),
        await ris.reports.exportPdf(ctx, order.id),
      ];
      const creation = signed.signedAt ?? signed.updatedAt;
      presentedForm.push(
        {
          contentType: 'text/plain; charset=utf-8',
          language: 'en',
          data: Buffer.from(text.body).toString('base64'),
          title: text.filename,
          creation,
        },
        {
          contentType: 'application/pdf',
          data: Buffer.from(pdf.body).toString('base64'),
          title: pdf.filename,
          creation,
        },
      );
    }
    const impression = signed?.sections.find((s) => /impression|conclusion/i.test(s.title))?.text.trim();
    return {
      resourceType: 'DiagnosticReport',
      id: String(order.id),
      meta: { versionId: versionOf(report.current.updatedAt), lastUpdated: report.current.updatedAt },
      identifier: [
        {
          type: { coding: [{ system: V2_0203, code: 'ACSN' }] },
          system: ACCESSION_SYSTEM,
          value: report.accessionNumber,
        },
      ],
      basedOn: [{ reference: `ServiceRequest/${order.id}` }],
      status,
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' },
          ],
        },
      ],
      code: {
        coding: [
          {
            system: systemOfScheme(order.procedure.codingScheme),
            code: order.procedure.code,
            display: order.procedure.meaning,
          },
        ],
        text: order.procedure.meaning,
      },
      subject: { reference: `Patient/${report.patientRef}` },
      ...(signed?.signedAt ? { effectiveDateTime: signed.signedAt, issued: signed.signedAt } : {}),
      performer: [{ reference: 'Organization/lantern' }],
      ...(signed?.signer ? { resultsInterpreter: [{ display: signed.signer.name }] } : {}),
      // The studies linked to the order (a modality may not have used the scheduled Study Instance UID).
      imagingStudy: report.studyInstanceUids.map((uid) => ({ reference: `ImagingStudy/${uid}` })),
      ...(impression ? { conclusion: impression } : {}),
      ...(presentedForm.length ? { presentedForm } : {}),
    };
  }

  async function forOrder(ctx: RequestContext, order: Order): Promise<DiagnosticReport | undefined> {
    const report = await ris.reports.get(ctx, order.id).catch((error: { code?: string }) => {
      if (error.code === 'not-found') return undefined;
      throw error;
    });
    return report && toDiagnosticReport(ctx, order, report);
  }

  async function search(ctx: RequestContext, query: SearchQuery) {
    const p = query.params;
    const statuses = p.has('status') ? alternatives(p.get('status')!) : undefined;
    // amended is the parent of corrected and appended (R4 diagnostic-report-status).
    const wanted =
      statuses && new Set(statuses.flatMap((s) => (s === 'amended' ? [s, 'corrected', 'appended'] : [s])));
    const orderStatuses = statuses
      ? [...new Set(statuses.flatMap((s) => ORDER_STATUSES_OF[s] ?? []))]
      : REPORTED;
    if (orderStatuses.length === 0) return { total: 0, resources: [] };
    const ids = [
      ...alternatives(p.get('_id') ?? []),
      ...(p.has('based-on') ? [referenceId(p.get('based-on')![0]!, 'ServiceRequest', 'based-on')] : []),
    ];
    const patient = p.get('patient')?.[0] ?? p.get('subject')?.[0];
    const accession = p.get('identifier')?.[0];
    let orders: Order[];
    if (ids.length) {
      const found = await Promise.all(
        ids
          .filter((id) => /^\d{1,15}$/.test(id))
          .map((id) => ris.orders.get(ctx, Number(id) as OrderId).catch(() => undefined)),
      );
      orders = found.filter((o): o is Order => o !== undefined && orderStatuses.includes(o.status));
    } else {
      // Completed orders without any report are skipped below, so this pages over reported orders only
      // when `completed` is not asked for; the total may then count exams still unread.
      const result = await ris.orders.search(ctx, {
        status: orderStatuses,
        ...(patient ? { patientRef: Number(referenceId(patient, 'Patient', 'patient')) } : {}),
        ...(accession ? { accessionNumber: token(accession).code } : {}),
        limit: 1000,
      });
      orders = result.orders;
    }
    const updated = p.has('_lastUpdated') ? dateRange(p.get('_lastUpdated')!, '_lastUpdated') : undefined;
    const reports = (await Promise.all(orders.map((o) => forOrder(ctx, o)))).filter(
      (r): r is DiagnosticReport =>
        r !== undefined &&
        (!wanted || wanted.has(r.status)) &&
        (!updated || inRange(r.meta?.lastUpdated, updated)),
    );
    if (query.sort)
      sortByKeys(reports, query.sort, (r, key) => (key === '_lastUpdated' ? r.meta?.lastUpdated : r.issued));
    return { total: reports.length, resources: reports.slice(query.offset, query.offset + query.count) };
  }

  return {
    type: 'DiagnosticReport',
    read: async (ctx, id) => {
      if (!/^\d{1,15}$/.test(id)) throw fhirError(404, 'not-found', `DiagnosticReport ${id} not found`);
      const order = await ris.orders.get(ctx, Number(id) as OrderId);
      const report = await forOrder(ctx, order);
      if (!report)
        throw fhirError(404, 'not-found', `DiagnosticReport ${id} not found (the order has no report)`);
      return report;
    },
    search: {
      params: {
        _id: { type: 'token', documentation: 'the order id' },
        _lastUpdated: {
          type: 'date',
          documentation: "when the report's current version last changed (meta.lastUpdated)",
        },
        patient: { type: 'reference', documentation: 'Patient/{id}' },
        subject: { type: 'reference', documentation: 'Patient/{id}' },
        status: {
          type: 'token',
          documentation: 'registered, preliminary, final, corrected, appended (amended: both)',
        },
        'based-on': { type: 'reference', documentation: 'ServiceRequest/{id}' },
        identifier: { type: 'token', documentation: 'accession number' },
      },
      // date and issued: when signed (effectiveDateTime = issued); reports not yet signed come last.
      sorts: ['_lastUpdated', '-_lastUpdated', 'date', '-date', 'issued', '-issued'],
      run: search,
    },
    references: {
      patient: (r: Resource) => [(r as DiagnosticReport).subject?.reference],
      subject: (r: Resource) => [(r as DiagnosticReport).subject?.reference],
      'based-on': (r: Resource) => ((r as DiagnosticReport).basedOn ?? []).map((b) => b.reference),
      'imaging-study': (r: Resource) => ((r as DiagnosticReport).imagingStudy ?? []).map((b) => b.reference),
      performer: (r: Resource) => ((r as DiagnosticReport).performer ?? []).map((b) => b.reference),
    },
  };
}

/** The DiagnosticReport statuses a report event stands for (subscriptions). */
export const REPORT_EVENT_OF_STATUS: Record<string, string> = {
  preliminary: 'report.preliminary',
  final: 'report.finalized',
  amended: 'report.amended',
  corrected: 'report.amended',
  appended: 'report.amended',
};
