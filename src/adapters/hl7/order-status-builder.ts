import { buildMessage, formatTimestamp, type SegmentInput } from '../../lib/hl7v2/index.js';
import { pidSegment, segment, type OutboundPatient } from './outbound-segments.js';

/**
 * What an order status message needs; the event relay assembles it from the RIS and patients services.
 * Names are DICOM PN, instants ISO 8601, `status` the RIS status the order moved to.
 */
export interface OrderStatusDocument {
  patient: OutboundPatient;
  order: {
    placerOrderNumber: string | null;
    accessionNumber: string;
    requestedProcedureId: string;
    studyInstanceUid: string;
    procedure: { code: string; codingScheme: string; meaning: string; modality: string };
    /** The worklist step: where and when it is planned (scheduled), null when unbooked. */
    step: { stepId: string; stationAeTitle: string | null; start: string | null; end: string | null };
  };
  change: { status: OutboundOrderStatus; at: string; reason: string | null };
}

/** The RIS statuses the EMR is told about, and how ORC-5 (table 0038) says them. */
export const ORDER_STATUS_CODES = {
  scheduled: 'SC',
  arrived: 'IP',
  'in-progress': 'IP',
  completed: 'CM',
  cancelled: 'CA',
  discontinued: 'DC',
} as const;
export type OutboundOrderStatus = keyof typeof ORDER_STATUS_CODES;

const ts = (iso: string | null) => (iso ? formatTimestamp(new Date(iso)) : undefined);

/**
 * ORM^O01 (HL7 v2.5.1 4.4.1) or OMI^O23 (4.4.10) with ORC-1 SC (status changed, table 0119): PID, ORC with
 * ORC-5 the order status (table 0038: SC scheduled, IP arrived or in progress, CM, CA, DC) and ORC-25 the
 * Lantern status when 0038 has no word for it (arrived), TQ1 with the booked start and end, OBR (placer,
 * Lantern's accession as filler number, OBR-4 procedure), and for OMI the IPC segment (accession, requested
 * procedure ID, Study Instance UID, step ID, modality, station AE title).
 */
export function buildOrderStatus(
  document: OrderStatusDocument,
  type: 'ORM' | 'OMI',
  header: {
    sendingApplication: string;
    sendingFacility: string;
    receivingApplication: string;
    receivingFacility: string;
    controlId: string;
    timestamp?: Date;
  },
): string {
  const { patient, order, change } = document;
  const placer = order.placerOrderNumber ?? undefined;
  const service = [order.procedure.code, order.procedure.meaning, order.procedure.codingScheme];
  const modifier =
    change.status === 'arrived' || change.status === 'in-progress'
      ? [change.status, change.status === 'arrived' ? 'Patient arrived' : 'Exam in progress', '99LANTERN']
      : undefined;
  const segments: SegmentInput[] = [
    pidSegment(patient),
    segment('ORC', {
      1: 'SC',
      2: placer,
      3: order.accessionNumber,
      5: ORDER_STATUS_CODES[change.status],
      9: ts(change.at),
      16: change.reason ? ['', change.reason] : undefined,
      25: modifier,
    }),
    ...(order.step.start ? [segment('TQ1', { 1: '1', 7: ts(order.step.start), 8: ts(order.step.end) })] : []),
    segment('OBR', {
      1: '1',
      2: placer,
      3: order.accessionNumber,
      4: service,
      18: order.accessionNumber,
      19: order.requestedProcedureId,
      24: order.procedure.modality,
    }),
    ...(type === 'OMI'
      ? [
          segment('IPC', {
            1: order.accessionNumber,
            2: order.requestedProcedureId,
            3: order.studyInstanceUid,
            4: order.step.stepId,
            5: order.procedure.modality,
            9: order.step.stationAeTitle ?? undefined,
          }),
        ]
      : []),
  ];
  return buildMessage(
    {
      sendingApplication: header.sendingApplication,
      sendingFacility: header.sendingFacility,
      receivingApplication: header.receivingApplication,
      receivingFacility: header.receivingFacility,
      timestamp: header.timestamp,
      messageType: type === 'ORM' ? ['ORM', 'O01', 'ORM_O01'] : ['OMI', 'O23', 'OMI_O23'],
      controlId: header.controlId,
      characterSet: 'UNICODE UTF-8',
    },
    segments,
  );
}
