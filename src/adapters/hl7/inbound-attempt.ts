import type { Hl7Message } from '../../lib/hl7v2/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { BatchDatabase, Handled, MessageLog } from '../../platform/messages/index.js';
import { classifyFailure, type FailureClass } from './hl7-ack.js';
import { hl7Context } from './hl7-context.js';
import type { Hl7Handler, Hl7Services } from './hl7-services.js';
import type { BatchRunner } from './message-worker.js';
import type { ParsedMessages } from './parsed-messages.js';

/**
 * Runs a batch of due inbound messages through their handlers in one transaction (`messages.processDue`):
 * the handlers call services bound to that transaction (`servicesIn`), so each message's effects and its
 * 'processed' mark commit together — exactly once — and one commit carries the batch. A failed message's
 * effects are undone and its failure recorded (retried, or dead-lettered with the reason).
 */
export function createInboundRunner(
  handlerFor: (message: Hl7Message) => Hl7Handler | FailureClass,
  servicesIn: (database: BatchDatabase) => Hl7Services,
  messages: MessageLog,
  log: Logger,
  parsed: ParsedMessages,
): BatchRunner {
  return async (limit) => {
    const failures = new Map<number, FailureClass>();
    const results = await messages.processDue('inbound', limit, async (stored, database) => {
      const ctx = hl7Context(log, stored.sendingApplication, stored.sendingFacility, stored.peer);
      let failure: FailureClass;
      try {
        const message = parsed.take(stored.id, stored.payload);
        const handler = handlerFor(message);
        if (typeof handler === 'function') {
          return { ok: true, outcome: await handler(ctx, message, servicesIn(database)) };
        }
        failure = handler;
      } catch (error) {
        failure = classifyFailure(error);
        if (failure.condition === 'applicationInternalError')
          ctx.log.error({ err: error, messageId: stored.id }, 'HL7 handler failed');
      }
      failures.set(stored.id, failure);
      return { ok: false, reason: failure.reason, permanent: failure.permanent } satisfies Handled;
    });
    return results.map(({ message, state, handled }) => {
      if (handled.ok) {
        // Debug: at hundreds of messages a second an info line each costs more than the log is worth; the
        // outcome is kept with the message (lantern hl7 show), failures are logged below.
        log.debug(
          { messageId: message.id, type: message.messageType, outcome: handled.outcome },
          'HL7 message processed',
        );
        return { id: message.id, report: { state, outcome: handled.outcome } };
      }
      log.warn(
        { messageId: message.id, type: message.messageType, state, reason: handled.reason },
        'HL7 message not processed',
      );
      return { id: message.id, report: { state, failure: failures.get(message.id)! } };
    });
  };
}
