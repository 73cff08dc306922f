// A message of an integration door as the log keeps it. No protocol is assumed: the door fills in the
// header fields it has (HL7 v2: MSH-3/4/5/6/9/10) and the ordering key it wants (e.g. the patient ID).

export type MessageDirection = 'inbound' | 'outbound';

/**
 * pending: waiting to be processed (inbound) or sent (outbound) · processed: done (sent and acknowledged) ·
 * failed: an attempt failed, another follows at nextAttemptAt · dead-letter: given up, with the reason ·
 * duplicate: a repeat of an earlier inbound message (same sender and control ID), not processed again ·
 * rejected: refused on arrival (unknown type, unknown sender), kept for the record.
 */
export const MESSAGE_STATES = [
  'pending',
  'processed',
  'failed',
  'dead-letter',
  'duplicate',
  'rejected',
] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export interface MessageHeader {
  protocol: string;
  /** Who sent it (remote address) or where it goes (the destination's name). */
  peer: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** E.g. 'ADT^A04'. */
  messageType: string;
  controlId: string;
  /** Messages with the same key are processed strictly in arrival order; null: no order. */
  orderingKey: string | null;
}

export interface NewMessage extends MessageHeader {
  payload: Uint8Array;
}

export interface MessageSummary extends MessageHeader {
  id: number;
  direction: MessageDirection;
  state: MessageState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  outcome: string | null;
  duplicateOf: number | null;
  ackCode: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
}

export interface StoredMessage extends MessageSummary {
  payload: Buffer;
  /** The acknowledgment sent (inbound) or received (outbound), as bytes. */
  ack: Buffer | null;
}
