import { encodeMessageBytes } from '../../lib/hl7v2/index.js';
import type { Patients } from '../../patients/index.js';
import { createContext } from '../../platform/context.js';
import type { StoredEvent } from '../../platform/events/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { MessageLog, MessageSummary } from '../../platform/messages/index.js';
import type { OrderId, Ris } from '../../ris/index.js';
import { createEventRelay, type OutboxDatabase, type OutboxTransaction } from './event-relay.js';
import {
  buildOrderStatus,
  ORDER_STATUS_CODES,
  type OrderStatusDocument,
  type OutboundOrderStatus,
} from './order-status-builder.js';
import type { Hl7Destination } from './outbound-sender.js';
import { outboundPatient } from './outbound-segments.js';

interface StatusChangedPayload {
  orderId: OrderId;
  to: string;
  reason?: string | null;
}

const STATUS_TYPES = ['ORM', 'OMI'] as const;

let counter = 0;
const controlId = () =>
  `LS${Date.now().toString(36)}${(counter++ % 1296).toString(36).padStart(2, '0')}`.toUpperCase();

const reported = (status: string): status is OutboundOrderStatus => status in ORDER_STATUS_CODES;

/**
 * `order.status-changed` → ORM^O01 or OMI^O23 (ORC-1 SC) to every destination that takes ORM or OMI, exactly
 * once per change and destination (an event relay with the durable cursor `hl7.order-status`), for the
 * statuses the EMR follows: scheduled, arrived, in progress, completed, cancelled, discontinued. Queued in the
 * message log's outbound queue like ORU (retries, backoff, ACK recorded), in order per destination and patient.
 */
export function createOrderStatusRelay(
  deps: { database: OutboxDatabase; ris: Ris; patients: Patients; messages: MessageLog },
  settings: {
    application: string;
    facility: string;
    destinations: readonly Hl7Destination[];
    intervalMs?: number;
  },
  /** Called with what was queued (the outbound worker is woken). */
  queuedSome: (queued: MessageSummary[]) => void,
  log: Logger,
) {
  const subscribers = settings.destinations.filter((d) =>
    d.messages.some((m) => (STATUS_TYPES as readonly string[]).includes(m)),
  );
  const ctx = () => createContext(log, { kind: 'system', name: 'hl7:order-status' }, { door: 'job' });

  async function prepare(event: StoredEvent): Promise<OrderStatusDocument | null> {
    const payload = event.payload as unknown as StatusChangedPayload;
    if (!reported(payload.to)) return null;
    const context = ctx();
    // The order and patient as they are now (the step's booking, the survivor of a merge).
    const order = await deps.ris.orders.get(context, payload.orderId);
    const patient = await deps.patients.read(context, String(order.patientRef));
    const step = order.steps[0];
    return {
      patient: outboundPatient(patient),
      order: {
        placerOrderNumber: order.placerOrderNumber,
        accessionNumber: order.accessionNumber,
        requestedProcedureId: order.requestedProcedureId,
        studyInstanceUid: order.studyInstanceUid,
        procedure: {
          code: order.procedure.code,
          codingScheme: order.procedure.codingScheme,
          meaning: order.procedure.meaning,
          modality: order.procedure.modality,
        },
        step: {
          stepId: step?.stepId ?? '1',
          stationAeTitle: step?.stationAeTitle ?? null,
          start: step?.scheduledStart ?? null,
          end: step?.scheduledEnd ?? null,
        },
      },
      change: { status: payload.to, at: event.createdAt, reason: payload.reason ?? null },
    };
  }

  async function deliver(document: OrderStatusDocument, event: StoredEvent, trx: OutboxTransaction) {
    const queued: MessageSummary[] = [];
    for (const destination of subscribers) {
      for (const type of STATUS_TYPES.filter((t) => destination.messages.includes(t))) {
        const id = controlId();
        const text = buildOrderStatus(document, type, {
          sendingApplication: settings.application,
          sendingFacility: settings.facility,
          receivingApplication: destination.receivingApplication,
          receivingFacility: destination.receivingFacility,
          controlId: id,
        });
        const message = await deps.messages.enqueueIn(
          trx,
          {
            protocol: 'hl7v2',
            peer: destination.name,
            sendingApplication: settings.application,
            sendingFacility: settings.facility,
            receivingApplication: destination.receivingApplication,
            receivingFacility: destination.receivingFacility,
            messageType: type === 'ORM' ? 'ORM^O01' : 'OMI^O23',
            controlId: id,
            // The same key as the patient's ORU to this destination: status and results go in order.
            orderingKey: `${destination.name}|${document.patient.issuerOfPatientId}|${document.patient.patientId}`,
            payload: encodeMessageBytes(text, 'UNICODE UTF-8'),
          },
          `order-status:${event.id}:${type}|${destination.name}`,
        );
        if (message) queued.push(message);
      }
    }
    if (queued.length > 0) queuedSome(queued);
  }

  return createEventRelay(
    deps.database,
    {
      name: 'hl7.order-status',
      types: ['order.status-changed'],
      enabled: subscribers.length > 0,
      ...(settings.intervalMs === undefined ? {} : { intervalMs: settings.intervalMs }),
      prepare,
      deliver,
    },
    log,
  );
}
