import {
  ackModeOf,
  acceptAckWanted,
  decodeMessage,
  Hl7ParseError,
  type Hl7Message,
  type MllpPeer,
} from '../../lib/hl7v2/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { MessageLog, NewMessage } from '../../platform/messages/index.js';
import { ackBytes, type AckDecision, type FailureClass } from './hl7-ack.js';
import type { Hl7Handler } from './hl7-services.js';
import type { MessageWorker } from './message-worker.js';
import type { ParsedMessages } from './parsed-messages.js';
import { orderingKey } from './ordering-key.js';

export interface ReceiverSettings {
  application: string;
  /** Whether MSH-3^MSH-4 may send this message: undefined, or the AR to answer (hl7-sender-policy.ts). */
  authorizeSender: (message: Hl7Message, peer: MllpPeer) => Promise<FailureClass | undefined>;
  ackWaitMs: number;
}

let ackCounter = 0;
const nextAckId = () =>
  `L${Date.now().toString(36)}${(ackCounter++ % 46656).toString(36).padStart(3, '0')}`.toUpperCase();

const refusal = (
  reason: string,
  condition: FailureClass['condition'],
  location?: string,
  ackCode: 'AE' | 'AR' = 'AR',
): FailureClass => ({
  ackCode,
  condition,
  permanent: true,
  reason,
  ...(location ? { location } : {}),
});

/**
 * One arriving message → its ACK. Refusals that need no processing (no MSH, sender not allowed, no
 * handler) are answered at once and kept as rejected. Everything else is stored durably first; then, in
 * original mode, the ACK waits up to ackWaitMs for the first processing attempt so it can say AA or AE; in
 * enhanced mode the commit ACK (CA) goes as soon as the message is stored (2.9.3.1).
 */
export function createInboundReceiver(
  settings: ReceiverSettings,
  handlerFor: (message: Hl7Message) => Hl7Handler | FailureClass,
  messages: MessageLog,
  worker: MessageWorker,
  log: Logger,
  parsed: ParsedMessages,
) {
  const header = (message: Hl7Message | undefined, peer: MllpPeer, payload: Uint8Array): NewMessage => ({
    protocol: 'hl7v2',
    peer: peer.remoteAddress,
    sendingApplication: message?.sendingApplication ?? '',
    sendingFacility: message?.sendingFacility ?? '',
    receivingApplication: message?.receivingApplication ?? '',
    receivingFacility: message?.receivingFacility ?? '',
    messageType: message ? [message.type.code, message.type.trigger].filter(Boolean).join('^') : '',
    controlId: message?.controlId ?? '',
    orderingKey: message ? orderingKey(message) : null,
    payload,
  });

  // A connection's messages may be handed over before the previous one is answered (pipelined): each waits
  // until the one before it is queued for storing, so they are stored, and processed, in the order sent.
  const lanes = new WeakMap<MllpPeer, Promise<void>>();

  return function receive(payload: Buffer, peer: MllpPeer): Promise<Uint8Array | undefined> {
    const before = lanes.get(peer) ?? Promise.resolve();
    let admitted!: () => void;
    lanes.set(peer, new Promise<void>((resolve) => (admitted = resolve)));
    return before.then(() => acknowledge(payload, peer, admitted)).finally(() => admitted());
  };

  async function acknowledge(
    payload: Buffer,
    peer: MllpPeer,
    admitted: () => void,
  ): Promise<Uint8Array | undefined> {
    let message: Hl7Message | undefined;
    try {
      message = decodeMessage(payload);
    } catch (error) {
      if (!(error instanceof Hl7ParseError)) throw error;
      log.warn({ peer: peer.remoteAddress, reason: error.message }, 'HL7 message refused: not readable');
      await messages.reject(header(undefined, peer, payload), error.message);
      return ackBytes(
        undefined,
        {
          kind: 'failed',
          failure: refusal(error.message, 'dataType', error.field?.includes('-') ? error.field : undefined),
        },
        nextAckId(),
        false,
      ).bytes;
    }
    const enhanced = ackModeOf(message) === 'enhanced';
    const answer = (decision: AckDecision) => {
      const success = decision.kind === 'accepted';
      return acceptAckWanted(message, success)
        ? ackBytes(message, decision, nextAckId(), enhanced)
        : undefined;
    };
    const refuse = async (failure: FailureClass) => {
      const stored = await messages.reject(header(message, peer, payload), failure.reason);
      log.info(
        { messageId: stored.id, type: stored.messageType, reason: failure.reason },
        'HL7 message refused',
      );
      const ack = answer({ kind: 'failed', failure });
      if (ack) await messages.recordAck(stored.id, ack.code, ack.bytes);
      return ack?.bytes;
    };

    if (!message.type.code || !message.type.trigger)
      return refuse(
        refusal('MSH-9 message type and trigger event are required', 'requiredFieldMissing', 'MSH-9'),
      );
    if (!message.controlId)
      return refuse(refusal('MSH-10 message control ID is required', 'requiredFieldMissing', 'MSH-10'));
    const denied = await settings.authorizeSender(message, peer);
    if (denied) return refuse(denied);
    const handler = handlerFor(message);
    if (typeof handler !== 'function') return refuse(handler);

    const immediate = enhanced || settings.ackWaitMs === 0;
    // Accepted at once: the ACK is known before the insert and goes into the same row.
    const early = immediate ? answer({ kind: 'accepted' }) : undefined;
    const storing = messages.receive(
      header(message, peer, payload),
      early ? { code: early.code, bytes: early.bytes } : undefined,
    );
    // Queued for the next commit: the connection's next message may go ahead.
    admitted();
    const { message: stored, duplicateOf } = await storing;
    if (duplicateOf === undefined) parsed.keep(stored.id, message);
    if (early && duplicateOf === undefined) {
      worker.wake();
      return early.bytes;
    }
    let decision: AckDecision;
    if (duplicateOf !== undefined) {
      // The sender did not get our first ACK and sent again: acknowledge, do not process twice.
      decision = {
        kind: 'accepted',
        text: `duplicate of message ${duplicateOf} (MSH-10 ${message.controlId}): not processed again`,
      };
    } else if (immediate) {
      worker.wake();
      decision = { kind: 'accepted' };
    } else {
      const report = worker.waitFor(stored.id, settings.ackWaitMs);
      worker.wake();
      const result = await report;
      if (result === undefined) decision = { kind: 'accepted', text: 'stored; processing continues' };
      else if (result.state === 'processed') decision = { kind: 'accepted' };
      else if (result.state === 'dead-letter') decision = { kind: 'failed', failure: result.failure! };
      else
        decision = {
          kind: 'accepted',
          text: 'stored; processing will be retried',
          ...(result.failure ? { warning: result.failure } : {}),
        };
    }
    const ack = answer(decision);
    if (ack) await messages.recordAck(stored.id, ack.code, ack.bytes);
    return ack?.bytes;
  }
}
