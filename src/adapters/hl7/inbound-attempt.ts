import { decodeMessage, type Hl7Message } from '../../lib/hl7v2/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { MessageLog, StoredMessage } from '../../platform/messages/index.js';
import { classifyFailure, type FailureClass } from './hl7-ack.js';
import { hl7Context } from './hl7-context.js';
import type { Hl7Handler, Hl7Services } from './hl7-services.js';
import type { AttemptReport } from './message-worker.js';

/** Processes one stored inbound message through its handler and records the result in the log. */
export function createInboundAttempt(
  handlerFor: (message: Hl7Message) => Hl7Handler | FailureClass,
  services: Hl7Services,
  messages: MessageLog,
  log: Logger,
) {
  return async (stored: StoredMessage): Promise<AttemptReport> => {
    const ctx = hl7Context(log, stored.sendingApplication, stored.sendingFacility, stored.peer);
    let failure: FailureClass;
    try {
      const message = decodeMessage(stored.payload);
      const handler = handlerFor(message);
      if (typeof handler !== 'function') {
        failure = handler;
      } else {
        const outcome = await handler(ctx, message, services);
        await messages.complete(stored.id, { outcome });
        ctx.log.info({ messageId: stored.id, type: stored.messageType, outcome }, 'HL7 message processed');
        return { state: 'processed', outcome };
      }
    } catch (error) {
      failure = classifyFailure(error);
      if (failure.condition === 'applicationInternalError')
        ctx.log.error({ err: error, messageId: stored.id }, 'HL7 handler failed');
    }
    const state = await messages.fail(stored.id, failure.reason, { permanent: failure.permanent });
    ctx.log.warn(
      { messageId: stored.id, type: stored.messageType, state, reason: failure.reason },
      'HL7 message not processed',
    );
    return { state, failure };
  };
}
