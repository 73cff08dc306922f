import type { Kysely } from 'kysely';
import { encodeMessageBytes } from '../../lib/hl7v2/index.js';
import type { MessageLog, MessageSummary, NewMessage } from '../../platform/messages/index.js';
import { buildOru, type ReportDocument } from './oru-builder.js';
import type { Hl7Destination } from './outbound-sender.js';

let counter = 0;
const controlId = () =>
  `LR${Date.now().toString(36)}${(counter++ % 1296).toString(36).padStart(2, '0')}`.toUpperCase();

/**
 * Queues an ORU^R01 of a report for every destination that takes ORU. `source` names what it was made for
 * (the report version): queueing the same version again is a no-op, so an event handled twice sends once.
 * Messages to one destination about one patient go in order. With `trx`, they are queued in that transaction
 * (the report event consumer's, which moves its cursor in the same commit).
 */
export function createReportNotifier(
  settings: { application: string; facility: string; destinations: readonly Hl7Destination[] },
  messages: MessageLog,
) {
  return async (
    document: ReportDocument,
    trx?: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  ): Promise<MessageSummary[]> => {
    const queued: MessageSummary[] = [];
    for (const destination of settings.destinations.filter((d) => d.messages.includes('ORU'))) {
      const id = controlId();
      const text = buildOru(document, {
        sendingApplication: settings.application,
        sendingFacility: settings.facility,
        receivingApplication: destination.receivingApplication,
        receivingFacility: destination.receivingFacility,
        controlId: id,
      });
      const source = `report:${document.report.id}:${document.report.version}|${destination.name}`;
      const oru: NewMessage = {
        protocol: 'hl7v2',
        peer: destination.name,
        sendingApplication: settings.application,
        sendingFacility: settings.facility,
        receivingApplication: destination.receivingApplication,
        receivingFacility: destination.receivingFacility,
        messageType: 'ORU^R01',
        controlId: id,
        orderingKey: `${destination.name}|${document.patient.issuerOfPatientId}|${document.patient.patientId}`,
        payload: encodeMessageBytes(text, 'UNICODE UTF-8'),
      };
      const message = trx ? await messages.enqueueIn(trx, oru, source) : await messages.enqueue(oru, source);
      if (message) queued.push(message);
    }
    return queued;
  };
}
