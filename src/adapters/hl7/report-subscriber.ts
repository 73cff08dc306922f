import type { Patients } from '../../patients/index.js';
import { createContext } from '../../platform/context.js';
import type { StoredEvent } from '../../platform/events/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { OrderId, Ris } from '../../ris/index.js';
import { createEventRelay, type OutboxDatabase, type OutboxTransaction } from './event-relay.js';
import type { ReportDocument } from './oru-builder.js';
import { outboundPatient } from './outbound-segments.js';

export type { OutboxDatabase } from './event-relay.js';

/** The outbox events that produce an ORU^R01: a report signed final, and a signed amendment or addendum. */
export const REPORT_EVENTS = ['report.finalized', 'report.amended'] as const;

interface ReportEventPayload {
  reportId: number;
  orderId: OrderId;
  version: number;
  signer?: { id?: string; name?: string };
  signedAt: string;
}

/**
 * `report.finalized` / `report.amended` → ORU^R01 to each destination, exactly once per report version
 * (an event relay with the durable cursor `hl7.report-results`). The document is read through the RIS and
 * patients services: the order as it is now (after an A40 merge its patient is the survivor), the patient,
 * and the report text Lantern renders.
 */
export function createReportSubscriber(
  deps: { database: OutboxDatabase; ris: Ris; patients: Patients },
  notify: (document: ReportDocument, trx: OutboxTransaction) => Promise<unknown>,
  options: { enabled: boolean; intervalMs?: number },
  log: Logger,
) {
  const ctx = () => createContext(log, { kind: 'system', name: 'hl7:report-results' }, { door: 'job' });

  async function prepare(event: StoredEvent): Promise<ReportDocument> {
    const payload = event.payload as unknown as ReportEventPayload;
    const context = ctx();
    const order = await deps.ris.orders.get(context, payload.orderId);
    const patient = await deps.patients.read(context, String(order.patientRef));
    const exported = await deps.ris.reports.exportText(context, payload.orderId, payload.version);
    return {
      patient: outboundPatient(patient),
      order: {
        placerOrderNumber: order.placerOrderNumber,
        accessionNumber: order.accessionNumber,
        procedure: {
          code: order.procedure.code,
          codingScheme: order.procedure.codingScheme,
          meaning: order.procedure.meaning,
        },
      },
      report: {
        id: payload.reportId,
        version: payload.version,
        status: event.type === 'report.amended' ? 'amended' : 'final',
        text: String(exported.body),
        ...(payload.signer ? { signer: payload.signer } : {}),
        signedAt: payload.signedAt,
      },
    };
  }

  return createEventRelay(
    deps.database,
    {
      name: 'hl7.report-results',
      types: REPORT_EVENTS,
      enabled: options.enabled,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      prepare,
      deliver: (document, _event, trx) => notify(document, trx),
    },
    log,
  );
}

export type ReportSubscriber = ReturnType<typeof createReportSubscriber>;
