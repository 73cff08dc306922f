/**
 * DIMSE command set encoding (PS3.7 6.3, E.1): group 0000 elements, always Implicit VR Little Endian,
 * led by CommandGroupLength (0000,0000). Only the elements PS3.7 defines are read; others are skipped.
 */
import { protocolError } from './errors.js';
import { AbortReason } from './pdu-types.js';

/** A decoded command. Absent optional elements stay undefined. */
export interface Command {
  commandField: number;
  /** false when CommandDataSetType is 0x0101 (no data set follows, PS3.7 E.1). */
  hasDataSet: boolean;
  messageId?: number | undefined;
  messageIdBeingRespondedTo?: number | undefined;
  affectedSopClassUid?: string | undefined;
  requestedSopClassUid?: string | undefined;
  affectedSopInstanceUid?: string | undefined;
  requestedSopInstanceUid?: string | undefined;
  priority?: number | undefined;
  status?: number | undefined;
  offendingElement?: number[] | undefined;
  errorComment?: string | undefined;
  errorId?: number | undefined;
  moveDestination?: string | undefined;
  eventTypeId?: number | undefined;
  actionTypeId?: number | undefined;
  attributeIdentifierList?: number[] | undefined;
  remainingSubOperations?: number | undefined;
  completedSubOperations?: number | undefined;
  failedSubOperations?: number | undefined;
  warningSubOperations?: number | undefined;
  moveOriginatorAeTitle?: string | undefined;
  moveOriginatorMessageId?: number | undefined;
}

type Vr = 'UI' | 'US' | 'AE' | 'LO' | 'AT';
type Field = Exclude<keyof Command, 'commandField' | 'hasDataSet'>;

/** Element number (group 0000) → field and VR, in ascending tag order as encoding requires. */
const ELEMENTS: ReadonlyArray<readonly [number, Field | 'commandField' | 'hasDataSet', Vr]> = [
  [0x0002, 'affectedSopClassUid', 'UI'],
  [0x0003, 'requestedSopClassUid', 'UI'],
  [0x0100, 'commandField', 'US'],
  [0x0110, 'messageId', 'US'],
  [0x0120, 'messageIdBeingRespondedTo', 'US'],
  [0x0600, 'moveDestination', 'AE'],
  [0x0700, 'priority', 'US'],
  [0x0800, 'hasDataSet', 'US'],
  [0x0900, 'status', 'US'],
  [0x0901, 'offendingElement', 'AT'],
  [0x0902, 'errorComment', 'LO'],
  [0x0903, 'errorId', 'US'],
  [0x1000, 'affectedSopInstanceUid', 'UI'],
  [0x1001, 'requestedSopInstanceUid', 'UI'],
  [0x1002, 'eventTypeId', 'US'],
  [0x1005, 'attributeIdentifierList', 'AT'],
  [0x1008, 'actionTypeId', 'US'],
  [0x1020, 'remainingSubOperations', 'US'],
  [0x1021, 'completedSubOperations', 'US'],
  [0x1022, 'failedSubOperations', 'US'],
  [0x1023, 'warningSubOperations', 'US'],
  [0x1030, 'moveOriginatorAeTitle', 'AE'],
  [0x1031, 'moveOriginatorMessageId', 'US'],
];
const BY_ELEMENT = new Map(ELEMENTS.map(([element, field, vr]) => [element, { field, vr }]));

/** CommandDataSetType values (PS3.7 E.1): any value but 0x0101 means a data set follows. */
const NO_DATA_SET = 0x0101;
const DATA_SET_PRESENT = 0x0000;

function encodeValue(vr: Vr, value: unknown): Buffer {
  switch (vr) {
    case 'US': {
      const out = Buffer.alloc(2);
      out.writeUInt16LE(Number(value) & 0xffff);
      return out;
    }
    case 'AT': {
      const tags = value as number[];
      const out = Buffer.alloc(tags.length * 4);
      tags.forEach((tag, i) => {
        out.writeUInt16LE(tag >>> 16, i * 4);
        out.writeUInt16LE(tag & 0xffff, i * 4 + 2);
      });
      return out;
    }
    default: {
      // UI pads with NUL, AE and LO with space, to an even length (PS3.5 6.2).
      let text = String(value);
      if (text.length % 2 === 1) text += vr === 'UI' ? '\0' : ' ';
      return Buffer.from(text, 'latin1');
    }
  }
}

export function encodeCommand(command: Command): Buffer {
  const parts: Buffer[] = [];
  for (const [element, field, vr] of ELEMENTS) {
    const raw =
      field === 'hasDataSet' ? (command.hasDataSet ? DATA_SET_PRESENT : NO_DATA_SET) : command[field];
    if (raw === undefined) continue;
    const value = encodeValue(vr, raw);
    const header = Buffer.alloc(8);
    header.writeUInt16LE(0x0000, 0);
    header.writeUInt16LE(element, 2);
    header.writeUInt32LE(value.length, 4);
    parts.push(header, value);
  }
  const body = Buffer.concat(parts);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt32LE(4, 4);
  groupLength.writeUInt32LE(body.length, 8);
  return Buffer.concat([groupLength, body]);
}

function decodeValue(vr: Vr, bytes: Buffer): number | string | number[] {
  switch (vr) {
    case 'US':
      if (bytes.length < 2) throw protocolError('short US in command', AbortReason.InvalidPduParameterValue);
      return bytes.readUInt16LE(0);
    case 'AT': {
      const tags: number[] = [];
      for (let i = 0; i + 4 <= bytes.length; i += 4)
        tags.push(((bytes.readUInt16LE(i) << 16) | bytes.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    default:
      return bytes.toString('latin1').replace(/^[\s\0]+|[\s\0]+$/g, '');
  }
}

/** Decodes a command set; malformed input is a protocol error (the association is aborted). */
export function decodeCommand(input: Uint8Array): Command {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const fields: Record<string, unknown> = {};
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length)
      throw protocolError('truncated command element', AbortReason.InvalidPduParameterValue);
    const group = bytes.readUInt16LE(at);
    const element = bytes.readUInt16LE(at + 2);
    const length = bytes.readUInt32LE(at + 4);
    if (group !== 0x0000)
      throw protocolError('command set element outside group 0000', AbortReason.InvalidPduParameterValue);
    if (at + 8 + length > bytes.length)
      throw protocolError('command element overruns the command set', AbortReason.InvalidPduParameterValue);
    const known = BY_ELEMENT.get(element);
    if (known) fields[known.field] = decodeValue(known.vr, bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  if (typeof fields.commandField !== 'number')
    throw protocolError('command set without CommandField', AbortReason.InvalidPduParameterValue);
  const hasDataSet = fields.hasDataSet !== undefined && fields.hasDataSet !== NO_DATA_SET;
  return { ...(fields as Partial<Command>), commandField: fields.commandField, hasDataSet };
}
