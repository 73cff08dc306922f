/**
 * lib/hl7v2 public API: HL7 v2 ER7 messages (parse, build, escapes, MSH-18 character sets), acknowledgments
 * (original and enhanced mode, ERR segments) and MLLP framing, listener and client. Imports nothing of ours.
 */
export { Hl7ParseError, MllpError } from './errors.js';
export { DEFAULT_ENCODING, readEncodingCharacters, type EncodingCharacters } from './encoding-characters.js';
export { escapeText, unescapeText, type HexDecoder } from './escaping.js';
export { canEncode, characterSet, type CharacterSet } from './character-sets.js';
export { FieldValue, Hl7Message, Segment, type MessageType } from './message.js';
export { decodeMessage, parseMessage } from './parse-message.js';
export { dateTimeInstant, parseDateTime, type Hl7DateTime } from './date-time.js';
export {
  buildMessage,
  encodeField,
  encodeHeader,
  encodeMessageBytes,
  encodeSegment,
  formatTimestamp,
  type ComponentInput,
  type FieldInput,
  type HeaderInput,
  type RepetitionInput,
  type SegmentInput,
} from './build-message.js';
export {
  ERROR_CONDITION,
  acceptAckWanted,
  ackModeOf,
  buildAck,
  type AckCode,
  type AckError,
  type AckMode,
  type AckOptions,
  type ErrorCondition,
} from './acknowledgment.js';
export { CR, FS, VT, MllpFramer, frame } from './mllp-framer.js';
export { createMllpServer, type MllpPeer, type MllpServer, type MllpServerOptions } from './mllp-server.js';
export { connectMllp, type MllpClient, type MllpClientOptions } from './mllp-client.js';
