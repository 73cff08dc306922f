import { buildMessage, formatTimestamp, type SegmentInput } from '../../lib/hl7v2/index.js';
import { pidSegment, segment, type OutboundPatient } from './outbound-segments.js';

/**
 * What an ORU^R01 needs to carry a report; the event subscriber assembles it from the RIS and patients
 * services. Names are DICOM PN (family^given^middle^prefix^suffix), dates DA, instants ISO 8601.
 */
export interface ReportDocument {
  patient: OutboundPatient;
  order: {
    placerOrderNumber: string | null;
    accessionNumber: string;
    procedure: { code: string; codingScheme: string; meaning: string };
  };
  report: {
    id: number;
    version: number;
    status: 'preliminary' | 'final' | 'amended';
    /** The report text; each line becomes one OBX. */
    text: string;
    signer?: { id?: string; name?: string };
    signedAt: string;
  };
}

// OBR-25 / OBX-11 result status (table 0123/0085): P preliminary, F final, C corrected (an amendment).
const RESULT_STATUS = { preliminary: 'P', final: 'F', amended: 'C' } as const;

/**
 * ORU^R01^ORU_R01 (HL7 v2.5.1 7.3.1): PID, ORC (RE: observations to follow), OBR with the placer number and
 * Lantern's accession as filler number, then the report as TX observations, one OBX per line (7.4.2).
 */
export function buildOru(
  document: ReportDocument,
  header: {
    sendingApplication: string;
    sendingFacility: string;
    receivingApplication: string;
    receivingFacility: string;
    controlId: string;
    timestamp?: Date;
  },
): string {
  const { patient, order, report } = document;
  const status = RESULT_STATUS[report.status];
  const signedAt = formatTimestamp(new Date(report.signedAt));
  const service = [order.procedure.code, order.procedure.meaning, order.procedure.codingScheme];
  // OBR-32 NDL: its first component is CNN, id&family&given as subcomponents.
  const signer = report.signer;
  const interpreter =
    signer?.name || signer?.id
      ? [[signer.id ?? '', ...(signer.name ?? '').split('^').slice(0, 2)]]
      : undefined;
  const lines = report.text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const segments: SegmentInput[] = [
    pidSegment(patient),
    segment('ORC', { 1: 'RE', 2: order.placerOrderNumber ?? undefined, 3: order.accessionNumber, 5: 'CM' }),
    segment('OBR', {
      1: '1',
      2: order.placerOrderNumber ?? undefined,
      3: order.accessionNumber,
      4: service,
      7: signedAt,
      18: order.accessionNumber,
      22: signedAt,
      25: status,
      32: interpreter,
    }),
    ...lines.map((line, i) =>
      segment('OBX', {
        1: String(i + 1),
        2: 'TX',
        3: ['GDT', 'Report', 'DCM'],
        4: String(report.version),
        5: line,
        11: status,
        14: signedAt,
      }),
    ),
  ];
  return buildMessage(
    {
      sendingApplication: header.sendingApplication,
      sendingFacility: header.sendingFacility,
      receivingApplication: header.receivingApplication,
      receivingFacility: header.receivingFacility,
      timestamp: header.timestamp,
      messageType: ['ORU', 'R01', 'ORU_R01'],
      controlId: header.controlId,
      characterSet: 'UNICODE UTF-8',
    },
    segments,
  );
}
