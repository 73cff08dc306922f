/**
 * Raised for bytes that are not an HL7 v2 message this library can read: no MSH segment, unusable
 * delimiters, an unknown character set. `field` names the place (e.g. 'MSH-2'), for an ERR segment.
 */
export class Hl7ParseError extends Error {
  override readonly name = 'Hl7ParseError';

  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Raised by the MLLP framer and connections: bytes outside a frame, a frame too large, a lost peer. */
export class MllpError extends Error {
  override readonly name = 'MllpError';

  constructor(
    message: string,
    readonly reason: 'outside-frame' | 'too-large' | 'truncated' | 'closed' | 'timeout',
  ) {
    super(message);
  }
}
