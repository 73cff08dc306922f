import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { createMllpServer, type Hl7Message, type MllpServer } from '../../lib/hl7v2/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { BatchDatabase, MessageLog, MessageSummary } from '../../platform/messages/index.js';
import { mergePatients, upsertPatient } from './adt-handlers.js';
import type { FailureClass } from './hl7-ack.js';
import type { Hl7Handler, Hl7Services } from './hl7-services.js';
import { createInboundRunner } from './inbound-attempt.js';
import { createInboundReceiver } from './inbound-receiver.js';
import { createParsedMessages } from './parsed-messages.js';
import { createSenderPolicy } from './hl7-sender-policy.js';
import { attemptEach, createMessageWorker } from './message-worker.js';
import { handleOrder } from './order-handlers.js';
import { cancelledAppointment, movedAppointment, newAppointment } from './siu-handlers.js';
import type { ReportDocument } from './oru-builder.js';
import { createOutboundAttempt, type Hl7Destination } from './outbound-sender.js';
import { createReportNotifier } from './report-notifier.js';
import { createOrderStatusRelay } from './order-status-relay.js';
import { createReportSubscriber, type OutboxDatabase } from './report-subscriber.js';

/**
 * The HL7 door's handler table: message type^trigger event (MSH-9) → handler.
 *   ADT^A01 A04 A05 A08 A28 A31 A11 A13   patients.register / update from PID          adt-handlers.ts
 *   ADT^A40                               patients.merge (PID survivor, MRG-1 merged)   adt-handlers.ts
 *   ORM^O01, OMI^O23                      ris.orders place / transition by ORC-1       order-handlers.ts
 *   SIU^S12 / S13, S14 / S15              ris.bookings book / reschedule / cancel      siu-handlers.ts
 * Anything else is refused with AR (200 unsupported message type, 201 unsupported event code).
 */
export const HANDLERS: Record<string, Hl7Handler> = {
  'ADT^A01': upsertPatient,
  'ADT^A04': upsertPatient,
  'ADT^A05': upsertPatient,
  'ADT^A08': upsertPatient,
  'ADT^A11': upsertPatient,
  'ADT^A13': upsertPatient,
  'ADT^A28': upsertPatient,
  'ADT^A31': upsertPatient,
  'ADT^A40': mergePatients,
  'ORM^O01': handleOrder,
  'OMI^O23': handleOrder,
  'SIU^S12': newAppointment,
  'SIU^S13': movedAppointment,
  'SIU^S14': movedAppointment,
  'SIU^S15': cancelledAppointment,
};

export function handlerFor(message: Hl7Message): Hl7Handler | FailureClass {
  const { code, trigger } = message.type;
  const handler = HANDLERS[`${code}^${trigger}`];
  if (handler) return handler;
  const knownCode = Object.keys(HANDLERS).some((key) => key.startsWith(`${code}^`));
  return {
    ackCode: 'AR',
    condition: knownCode ? 'unsupportedEventCode' : 'unsupportedMessageType',
    permanent: true,
    reason: knownCode
      ? `event ${trigger} of ${code} messages is not supported (MSH-9.2)`
      : `message type ${code}^${trigger} is not supported (MSH-9)`,
    location: 'MSH-9',
  };
}

export interface Hl7DoorSettings {
  application: string;
  facility: string;
  destinations: readonly Hl7Destination[];
  allowedSenders: readonly string[];
  maxMessageBytes: number;
  ackWaitMs: number;
  /** How often the worker looks for messages due (retries, other nodes' messages) and for new reports. */
  pollMs?: number;
}

export interface Hl7Door {
  /** Opens the MLLP listener and starts the inbound and outbound workers. */
  listen(port: number, host: string, tls?: TlsOptions): Promise<AddressInfo>;
  close(): Promise<void>;
  /** Queues an ORU^R01 of a report to every destination that takes ORU (sent by the outbound worker). */
  notifyReport(document: ReportDocument): Promise<MessageSummary[]>;
}

/** The HL7 v2 inbound door: an MLLP listener, the message log, and the worker that runs the handlers. */
export function createHl7Door(
  settings: Hl7DoorSettings,
  services: Hl7Services & {
    messages: MessageLog;
    database: OutboxDatabase;
    /** The services bound to another database handle: the inbound batch's transaction (app.ts builds them). */
    servicesIn: (database: BatchDatabase) => Hl7Services;
  },
  log: Logger,
): Hl7Door {
  const doorLog = log.child({ door: 'hl7' });
  // Services bound to the batches' database: built for the first batch, then serving every batch.
  const bound = new WeakMap<BatchDatabase, Hl7Services>();
  const servicesIn = (database: BatchDatabase) => {
    let found = bound.get(database);
    if (!found) bound.set(database, (found = services.servicesIn(database)));
    return found;
  };
  const parsed = createParsedMessages();
  const worker = createMessageWorker({
    messages: services.messages,
    direction: 'inbound',
    run: createInboundRunner(handlerFor, servicesIn, services.messages, doorLog, parsed),
    pollMs: settings.pollMs ?? 1000,
    // Up to 64 messages (each the oldest waiting of its patient) in one transaction and one commit.
    batch: 64,
    log: doorLog,
  });
  const authorizeSender = createSenderPolicy(settings.allowedSenders, services.database, doorLog);
  const receive = createInboundReceiver(
    { ...settings, authorizeSender },
    handlerFor,
    services.messages,
    worker,
    doorLog,
    parsed,
  );
  const sender = createMessageWorker({
    messages: services.messages,
    direction: 'outbound',
    run: attemptEach(
      services.messages,
      'outbound',
      createOutboundAttempt(settings.destinations, services.messages, doorLog),
      doorLog,
    ),
    pollMs: settings.pollMs ?? 1000,
    batch: 1,
    log: doorLog,
  });
  const notify = createReportNotifier(settings, services.messages);
  const reports = createReportSubscriber(
    services,
    async (document, trx) => {
      const queued = await notify(document, trx);
      // Woken before the commit; the sender's next poll (pollMs) finds it if this wake comes too early.
      if (queued.length > 0) setTimeout(() => sender.wake(), 20);
    },
    {
      enabled: settings.destinations.some((d) => d.messages.includes('ORU')),
      intervalMs: Math.min(settings.pollMs ?? 1000, 500),
    },
    doorLog,
  );
  const statuses = createOrderStatusRelay(
    services,
    { ...settings, intervalMs: Math.min(settings.pollMs ?? 1000, 500) },
    // Queued in the relay's transaction, which commits just after: woken a little later (else the poll).
    () => setTimeout(() => sender.wake(), 20),
    doorLog,
  );
  let server: MllpServer | undefined;
  return {
    notifyReport: async (document) => {
      const queued = await notify(document);
      sender.wake();
      return queued;
    },
    listen: async (port, host, tls) => {
      server = createMllpServer({
        tls,
        maxFrameBytes: settings.maxMessageBytes,
        // Pipelining senders get their messages stored together; the receiver keeps each connection's order.
        pipelined: true,
        idleTimeoutMs: 10 * 60_000,
        onMessage: receive,
        onConnectionError: (error, peer) =>
          doorLog.info({ peer: peer.remoteAddress, reason: error.message }, 'HL7 connection closed on error'),
      });
      const address = await server.listen(port, host);
      worker.start();
      sender.start();
      reports.start();
      statuses.start();
      return address;
    },
    close: async () => {
      await server?.close();
      await Promise.all([worker.stop(), sender.stop(), reports.stop(), statuses.stop()]);
    },
  };
}
