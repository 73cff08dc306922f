import {
  buildAck,
  encodeMessageBytes,
  type AckCode,
  type AckError,
  type ErrorCondition,
  type Hl7Message,
} from '../../lib/hl7v2/index.js';
import { toLanternError, type ErrorCode } from '../../platform/errors.js';
import { Hl7Refusal } from './hl7-refusal.js';

// The one place the HL7 door chooses acknowledgment codes (HL7 v2.5.1 2.9, tables 0008 and 0357). A failure
// is permanent when the message itself is wrong (trying again gives the same answer): it is dead-lettered at
// once. Otherwise the message is retried with backoff and dead-lettered after the last attempt.

interface ErrorMapping {
  ackCode: 'AE' | 'AR';
  condition: ErrorCondition;
  permanent: boolean;
}

const BY_CODE: Record<ErrorCode, ErrorMapping> = {
  invalid: { ackCode: 'AE', condition: 'dataType', permanent: true },
  unsupported: { ackCode: 'AR', condition: 'unsupportedMessageType', permanent: true },
  duplicate: { ackCode: 'AE', condition: 'duplicateKeyIdentifier', permanent: true },
  conflict: { ackCode: 'AE', condition: 'applicationRecordLocked', permanent: true },
  forbidden: { ackCode: 'AR', condition: 'applicationInternalError', permanent: true },
  unauthenticated: { ackCode: 'AR', condition: 'applicationInternalError', permanent: true },
  // A patient or order not there yet may arrive with a later message (ADT after ORM): worth retrying.
  'not-found': { ackCode: 'AE', condition: 'unknownKeyIdentifier', permanent: false },
  unavailable: { ackCode: 'AE', condition: 'applicationInternalError', permanent: false },
  'storage-full': { ackCode: 'AE', condition: 'applicationInternalError', permanent: false },
  internal: { ackCode: 'AE', condition: 'applicationInternalError', permanent: false },
};

export interface FailureClass extends ErrorMapping {
  reason: string;
  location?: string;
}

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof Hl7Refusal) {
    return {
      ackCode: error.ackCode,
      condition: error.condition,
      permanent: true,
      reason: error.message,
      location: error.location,
    };
  }
  const lantern = toLanternError(error);
  const field = lantern.details?.field;
  return {
    ...BY_CODE[lantern.code],
    reason: lantern.code === 'internal' ? `internal error: ${lantern.message}` : lantern.message,
    ...(typeof field === 'string' && /^[A-Z][A-Z0-9]{2}-\d+$/.test(field) ? { location: field } : {}),
  };
}

const errorOf = (
  failure: Pick<FailureClass, 'condition' | 'reason' | 'location'>,
  severity: 'E' | 'W' = 'E',
): AckError => {
  const [segment, field] = failure.location?.split('-') ?? [];
  return {
    condition: failure.condition,
    severity,
    message: failure.reason,
    ...(segment ? { location: { segment, field: Number(field) } } : {}),
  };
};

/** What the door tells the sender about one message. */
export type AckDecision =
  { kind: 'accepted'; text?: string; warning?: FailureClass } | { kind: 'failed'; failure: FailureClass };

/** The ACK bytes for a decision, in the original's delimiters and character set. */
export function ackBytes(
  original: Hl7Message | undefined,
  decision: AckDecision,
  controlId: string,
  enhanced: boolean,
): { code: AckCode; bytes: Uint8Array } {
  let code: AckCode;
  let text: string | undefined;
  let errors: AckError[] = [];
  if (decision.kind === 'accepted') {
    code = enhanced ? 'CA' : 'AA';
    text = decision.text;
    if (decision.warning) errors = [errorOf(decision.warning, 'W')];
  } else {
    const { failure } = decision;
    code = enhanced ? (failure.ackCode === 'AR' ? 'CR' : 'CE') : failure.ackCode;
    text = failure.reason;
    errors = [errorOf(failure)];
  }
  const ack = buildAck(original, { code, controlId, text, errors });
  const charset = original?.characterSet.encode ? original.characterSet.term : '';
  return { code, bytes: encodeMessageBytes(ack, charset) };
}
