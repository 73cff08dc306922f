import type { AssociateRj } from './pdu-types.js';

export type DimseErrorCode =
  /** The peer sent A-ABORT, or we aborted because of its behaviour (see abortSource/abortReason). */
  | 'aborted'
  /** The peer answered A-ASSOCIATE-RJ (see reject). */
  | 'rejected'
  /** A PDU or message broke PS3.8/PS3.7 rules. */
  | 'protocol'
  /** ARTIM, idle or connect timeout. */
  | 'timeout'
  /** The transport closed before the exchange finished. */
  | 'closed'
  /** No accepted presentation context fits the request. */
  | 'no-presentation-context'
  /** The operation was cancelled by the caller (AbortSignal). */
  | 'cancelled'
  /** The peer answered with a failure status (see status). */
  | 'status';

/**
 * The one error type of lib/dimse. It carries the upper-layer reasons so that callers can log or map them
 * without parsing messages: A-ABORT source/reason (PS3.8 9.3.8) or A-ASSOCIATE-RJ result/source/reason (9.3.4).
 */
export class DimseError extends Error {
  override readonly name = 'DimseError';
  readonly code: DimseErrorCode;
  readonly abortSource: number | undefined;
  readonly abortReason: number | undefined;
  readonly reject: Omit<AssociateRj, 'type'> | undefined;
  readonly status: number | undefined;

  constructor(
    code: DimseErrorCode,
    message: string,
    details: {
      abortSource?: number;
      abortReason?: number;
      reject?: Omit<AssociateRj, 'type'>;
      status?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.abortSource = details.abortSource;
    this.abortReason = details.abortReason;
    this.reject = details.reject;
    this.status = details.status;
  }
}

/** A malformed PDU: the receiver answers with A-ABORT carrying `abortReason` (PS3.8 9.3.8). */
export function protocolError(message: string, abortReason: number): DimseError {
  return new DimseError('protocol', message, { abortSource: 2, abortReason });
}
