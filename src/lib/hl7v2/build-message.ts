import { characterSet } from './character-sets.js';
import { DEFAULT_ENCODING, encodingField, type EncodingCharacters } from './encoding-characters.js';
import { escapeText } from './escaping.js';

// Building ER7: values are given as text and escaped here, so callers never think about delimiters.

/** A component: its text, or its subcomponents. */
export type ComponentInput = string | readonly string[];
/** One repetition: its text (one component), or its components. */
export type RepetitionInput = string | readonly ComponentInput[];
/** A field: empty, one repetition, or several ({ repeat: [...] }). */
export type FieldInput = undefined | null | RepetitionInput | { readonly repeat: readonly RepetitionInput[] };

/** A segment: its ID and fields 1…n. */
export type SegmentInput = readonly [name: string, ...fields: FieldInput[]];

export interface HeaderInput {
  sendingApplication?: ComponentInput;
  sendingFacility?: ComponentInput;
  receivingApplication?: ComponentInput;
  receivingFacility?: ComponentInput;
  /** MSH-7; the current time when left out. */
  timestamp?: Date;
  /** MSH-9: code, trigger event and message structure, e.g. ['ORU', 'R01', 'ORU_R01']. */
  messageType: readonly string[];
  controlId: string;
  processingId?: string;
  version?: string;
  acceptAckType?: string;
  applicationAckType?: string;
  /** MSH-18 (table 0211); '' or absent: ASCII. */
  characterSet?: string;
}

const trimEmpty = (parts: string[], empty = '') => {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === empty) end--;
  return parts.slice(0, end);
};

function component(value: ComponentInput, enc: EncodingCharacters): string {
  if (typeof value === 'string') return escapeText(value, enc);
  return trimEmpty(value.map((s) => escapeText(s, enc))).join(enc.subcomponent);
}

function repetition(value: RepetitionInput, enc: EncodingCharacters): string {
  if (typeof value === 'string') return escapeText(value, enc);
  return trimEmpty(value.map((c) => component(c, enc))).join(enc.component);
}

export function encodeField(value: FieldInput, enc: EncodingCharacters = DEFAULT_ENCODING): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && 'repeat' in value) {
    return value.repeat.map((r) => repetition(r, enc)).join(enc.repetition);
  }
  return repetition(value as RepetitionInput, enc);
}

export function encodeSegment(segment: SegmentInput, enc: EncodingCharacters = DEFAULT_ENCODING): string {
  const [name, ...fields] = segment;
  return trimEmpty([name, ...fields.map((f) => encodeField(f, enc))]).join(enc.field);
}

/** HL7 DTM (2.A.22) in UTC: YYYYMMDDHHMMSS+0000. */
export function formatTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}+0000`;
}

export function encodeHeader(header: HeaderInput, enc: EncodingCharacters = DEFAULT_ENCODING): string {
  const fields: FieldInput[] = [
    header.sendingApplication ? [header.sendingApplication] : undefined,
    header.sendingFacility ? [header.sendingFacility] : undefined,
    header.receivingApplication ? [header.receivingApplication] : undefined,
    header.receivingFacility ? [header.receivingFacility] : undefined,
    formatTimestamp(header.timestamp ?? new Date()),
    undefined,
    [...header.messageType],
    header.controlId,
    header.processingId ?? 'P',
    header.version ?? '2.5.1',
    undefined,
    undefined,
    header.acceptAckType,
    header.applicationAckType,
    undefined,
    header.characterSet || undefined,
  ];
  const rest = trimEmpty(fields.map((f) => encodeField(f, enc)));
  return ['MSH', encodingField(enc), ...rest].join(enc.field);
}

/** A whole message as ER7 text, segments ended by CR. */
export function buildMessage(
  header: HeaderInput,
  segments: readonly SegmentInput[],
  enc: EncodingCharacters = DEFAULT_ENCODING,
): string {
  return [encodeHeader(header, enc), ...segments.map((s) => encodeSegment(s, enc))]
    .map((s) => s + '\r')
    .join('');
}

/** The bytes of a message in its MSH-18 character set (ASCII, 8859/1 or UNICODE UTF-8). */
export function encodeMessageBytes(text: string, characterSetTerm = ''): Uint8Array {
  const charset = characterSet(characterSetTerm);
  if (!charset.encode) throw new Error(`cannot write messages in character set '${characterSetTerm}'`);
  return charset.encode(text);
}
