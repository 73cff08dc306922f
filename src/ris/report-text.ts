import type { CriticalResult, Report, ReportVersion } from './report.js';
import type { ReportOrder } from './report-repo.js';

/** The version an export shows: the one asked for, else the newest signed one, else the draft. */
export function versionToShow(report: Report, version?: number): ReportVersion | undefined {
  if (version !== undefined) return report.versions.find((v) => v.version === version);
  return report.versions.findLast((v) => v.status !== 'draft') ?? report.current;
}

const STATUS_LINE: Record<ReportVersion['status'], string> = {
  draft: 'DRAFT - NOT SIGNED',
  preliminary: 'PRELIMINARY',
  final: 'FINAL',
};

const dicomName = (name: string | null) => (name ?? '').replace(/\^+/g, ' ').trim() || '(no name)';

const criticalLine = (c: CriticalResult) =>
  `- ${c.finding}: ${c.notified.name}${c.notified.role ? ` (${c.notified.role})` : ''} notified by ` +
  `${c.method} at ${c.notifiedAt}, recorded by ${c.recordedBy.id}`;

/**
 * The report as plain text: a header from the order, the sections, the signature, the amendment
 * reason and the record of critical result communication. Lines end in LF; the PDF prints the same lines.
 */
export function renderReportText(order: ReportOrder, report: Report, shown: ReportVersion): string {
  const out: string[] = [];
  const kind = shown.kind === 'original' ? '' : ` ${shown.kind.toUpperCase()}`;
  out.push(`RADIOLOGY REPORT -${kind} ${STATUS_LINE[shown.status]}`);
  out.push(`Version ${shown.version} of ${report.versions.length}`);
  out.push('');
  out.push(`Patient:     ${dicomName(order.patient_name)}`);
  out.push(`Patient ID:  ${order.patient_id} (${order.issuer_of_patient_id})`);
  if (order.birth_date) out.push(`Birth date:  ${order.birth_date}`);
  out.push(`Accession:   ${order.accession_number}`);
  out.push(`Procedure:   ${order.meaning} (${order.coding_scheme} ${order.code}, ${order.modality})`);
  if (order.ordering_provider_name) out.push(`Ordered by:  ${dicomName(order.ordering_provider_name)}`);
  if (order.reason) out.push(`Reason:      ${order.reason}`);
  for (const uid of order.examStudyInstanceUids) out.push(`Study UID:   ${uid}`);
  if (shown.reason)
    out.push(`${shown.kind === 'addendum' ? 'Addendum' : 'Amendment'} reason: ${shown.reason}`);
  for (const section of shown.sections) {
    out.push(
      '',
      section.title.toUpperCase(),
      ...(section.text === '' ? ['(empty)'] : section.text.split('\n')),
    );
  }
  out.push('');
  if (shown.signer && shown.signedAt) {
    out.push(`Signed ${shown.status} by ${shown.signer.name} (${shown.signer.id}) at ${shown.signedAt}`);
  } else {
    out.push('Not signed.');
  }
  for (const earlier of report.versions.filter((v) => v.version < shown.version && v.signer)) {
    out.push(
      `Version ${earlier.version} (${earlier.kind}, ${earlier.status}) signed by ${earlier.signer!.name} at ${earlier.signedAt}`,
    );
  }
  const critical = report.criticalResults.filter((c) => c.version <= shown.version);
  if (critical.length > 0) out.push('', 'CRITICAL RESULTS COMMUNICATED', ...critical.map(criticalLine));
  return `${out.join('\n')}\n`;
}
