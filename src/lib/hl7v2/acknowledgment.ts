import { buildMessage, type SegmentInput } from './build-message.js';
import { DEFAULT_ENCODING } from './encoding-characters.js';
import type { Hl7Message } from './message.js';

// Acknowledgments (HL7 v2.5.1 2.9). Original mode (MSH-15 and MSH-16 empty): one application ACK with
// AA/AE/AR. Enhanced mode (either present): the receiver first sends an accept (commit) ACK, CA/CE/CR,
// when the message is safely stored (2.9.3.1), if MSH-15 asks for one.

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
export type AckMode = 'original' | 'enhanced';

/** HL7 table 0357 message error condition codes used in ERR-3. */
export const ERROR_CONDITION = {
  segmentSequence: ['100', 'Segment sequence error'],
  requiredFieldMissing: ['101', 'Required field missing'],
  dataType: ['102', 'Data type error'],
  tableValueNotFound: ['103', 'Table value not found'],
  unsupportedMessageType: ['200', 'Unsupported message type'],
  unsupportedEventCode: ['201', 'Unsupported event code'],
  unsupportedProcessingId: ['202', 'Unsupported processing id'],
  unsupportedVersionId: ['203', 'Unsupported version id'],
  unknownKeyIdentifier: ['204', 'Unknown key identifier'],
  duplicateKeyIdentifier: ['205', 'Duplicate key identifier'],
  applicationRecordLocked: ['206', 'Application record locked'],
  applicationInternalError: ['207', 'Application internal error'],
} as const;

export type ErrorCondition = keyof typeof ERROR_CONDITION;

/** One ERR segment (2.15.5): where, which condition, how severe, and a message for people. */
export interface AckError {
  condition: ErrorCondition;
  /** ERR-4 (table 0516): E error, W warning, I information. */
  severity?: 'E' | 'W' | 'I';
  /** ERR-2 error location: segment ID and field number, e.g. { segment: 'PID', field: 3 }. */
  location?: { segment: string; sequence?: number; field?: number; component?: number };
  /** ERR-8 user message. */
  message?: string;
}

export const ackModeOf = (message: Hl7Message): AckMode =>
  message.acceptAckType === '' && message.applicationAckType === '' ? 'original' : 'enhanced';

/**
 * Whether an accept acknowledgment is to be sent in enhanced mode (table 0155): AL always, NE never,
 * ER only on error, SU only on success. Original mode always answers.
 */
export function acceptAckWanted(message: Hl7Message, success: boolean): boolean {
  if (ackModeOf(message) === 'original') return true;
  switch (message.acceptAckType) {
    case 'NE':
      return false;
    case 'ER':
      return !success;
    case 'SU':
      return success;
    default:
      return true;
  }
}

export interface AckOptions {
  code: AckCode;
  /** MSH-10 of the ACK itself. */
  controlId: string;
  /** MSA-3 text message (kept for v2.3 receivers; ERR-8 carries it from v2.5 on). At most 80 characters. */
  text?: string;
  errors?: readonly AckError[];
  timestamp?: Date;
}

function errSegment(error: AckError): SegmentInput {
  const [code, text] = ERROR_CONDITION[error.condition];
  const where = error.location;
  return [
    'ERR',
    undefined,
    where
      ? [
          where.segment,
          String(where.sequence ?? 1),
          where.field === undefined ? '' : String(where.field),
          '',
          where.component === undefined ? '' : String(where.component),
        ]
      : undefined,
    [code, text, 'HL70357'],
    error.severity ?? 'E',
    undefined,
    undefined,
    undefined,
    error.message,
  ];
}

/**
 * The ACK of a message: sender and receiver swapped, MSH-9 ACK^<trigger>^ACK (2.5.1 2.14.1), the original's
 * processing ID, version and character set, MSA-2 = its MSH-10. The caller encodes it with the same
 * delimiters and character set the original came in.
 */
export function buildAck(original: Hl7Message | undefined, options: AckOptions): string {
  const text = options.text?.replace(/[\r\n]+/g, ' ').slice(0, 80);
  const segments: SegmentInput[] = [
    ['MSA', options.code, original?.controlId ?? '', text],
    ...(options.errors ?? []).map(errSegment),
  ];
  return buildMessage(
    {
      sendingApplication: original?.receivingApplication || undefined,
      sendingFacility: original?.receivingFacility || undefined,
      receivingApplication: original?.sendingApplication || undefined,
      receivingFacility: original?.sendingFacility || undefined,
      timestamp: options.timestamp,
      messageType: ['ACK', original?.type.trigger ?? '', 'ACK'],
      controlId: options.controlId,
      processingId: original?.processingId || 'P',
      version: original?.version || '2.5.1',
      characterSet: original?.characterSet.encode ? original.characterSet.term : undefined,
    },
    segments,
    original?.encoding ?? DEFAULT_ENCODING,
  );
}
