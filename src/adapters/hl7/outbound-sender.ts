import { connectMllp, decodeMessage, type MllpClientOptions } from '../../lib/hl7v2/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { MessageLog, StoredMessage } from '../../platform/messages/index.js';
import type { AttemptReport } from './message-worker.js';

/** A system Lantern sends HL7 to (hl7.destinations). */
export interface Hl7Destination {
  name: string;
  host: string;
  port: number;
  receivingApplication: string;
  receivingFacility: string;
  tls?: boolean;
  messages: readonly string[];
}

/**
 * Sends one queued message to its destination (the message's peer) over MLLP and records the ACK that
 * came back. AA/CA: sent. AR/CR (the receiver will never take it): dead-lettered at once. AE/CE, no answer
 * or no connection: tried again with backoff.
 */
export function createOutboundAttempt(
  destinations: readonly Hl7Destination[],
  messages: MessageLog,
  log: Logger,
  connect: (options: MllpClientOptions) => ReturnType<typeof connectMllp> = connectMllp,
  timeoutMs = 30_000,
) {
  return async (stored: StoredMessage): Promise<AttemptReport> => {
    const destination = destinations.find((d) => d.name === stored.peer);
    if (!destination) {
      const state = await messages.fail(
        stored.id,
        `destination ${stored.peer} is not configured (hl7.destinations)`,
      );
      return { state };
    }
    let ack: Buffer;
    try {
      const client = await connect({
        host: destination.host,
        port: destination.port,
        tls: destination.tls,
        timeoutMs,
      });
      try {
        ack = await client.send(stored.payload);
      } finally {
        await client.close();
      }
    } catch (error) {
      const state = await messages.fail(stored.id, `${destination.name}: ${(error as Error).message}`);
      log.warn(
        { messageId: stored.id, destination: destination.name, state, reason: (error as Error).message },
        'HL7 send failed',
      );
      return { state };
    }
    let code = '';
    let text = '';
    try {
      const msa = decodeMessage(ack).segment('MSA');
      code = msa?.value(1) ?? '';
      text = msa?.value(3) ?? '';
    } catch {
      code = '';
    }
    if (code === 'AA' || code === 'CA') {
      await messages.complete(stored.id, {
        ackCode: code,
        ack,
        outcome: `acknowledged by ${destination.name}`,
      });
      log.info({ messageId: stored.id, destination: destination.name }, 'HL7 message sent');
      return { state: 'processed' };
    }
    const reason = `${destination.name} answered ${code || 'something that is not an ACK'}${text ? `: ${text}` : ''}`;
    const state = await messages.fail(stored.id, reason, {
      permanent: code === 'AR' || code === 'CR',
      ackCode: code || undefined,
      ack,
    });
    log.warn(
      { messageId: stored.id, destination: destination.name, state, reason },
      'HL7 message not accepted',
    );
    return { state };
  };
}
