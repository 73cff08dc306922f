import { decodeMessage, type Hl7Message } from '../../lib/hl7v2/index.js';

// Messages kept parsed from their receipt to their processing, usually a few milliseconds later: the receiver
// has already read each one, and reading it again from the stored bytes was a tenth of a message's cost.
// Bounded: a message that waits longer (a backlog, a retry, a replay, another node's) is read again.
const KEPT = 1024;

export function createParsedMessages() {
  const kept = new Map<number, Hl7Message>();
  return {
    /** The receiver stored `message` as `id`. */
    keep(id: number, message: Hl7Message): void {
      kept.set(id, message);
      if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    },
    /** The stored message `id` parsed: the one kept at receipt, else read from its bytes. */
    take(id: number, payload: Uint8Array): Hl7Message {
      const message = kept.get(id);
      if (message === undefined) return decodeMessage(payload);
      kept.delete(id);
      return message;
    },
  };
}

export type ParsedMessages = ReturnType<typeof createParsedMessages>;
