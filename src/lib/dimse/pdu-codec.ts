/**
 * Encoding and decoding of the control PDUs (PS3.8 9.3) and the P-DATA-TF framing. Decoding bounds every
 * length against the bytes present and reports malformed input as a protocol error carrying the A-ABORT
 * reason to answer with.
 */
import { protocolError } from './errors.js';
import {
  AbortReason,
  ItemType,
  PduType,
  type AbortPdu,
  type AcceptedPresentationContext,
  type AssociateAc,
  type AssociateRj,
  type AssociateRq,
  type ControlPdu,
  type RequestedPresentationContext,
  type RoleSelection,
  type UserInformation,
} from './pdu-types.js';

const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

/** UIDs may be padded with NUL and AE titles with spaces (PS3.5 6.2, 9.1); neither padding is significant. */
const trimValue = (bytes: Uint8Array): string => latin1(bytes).replace(/^[\s\0]+|[\s\0]+$/g, '');

class ItemCursor {
  private offset: number;
  constructor(
    private readonly view: DataView,
    start: number,
    private readonly end: number,
  ) {
    this.offset = start;
  }
  /** Yields each item (type, value bounds) of the variable field; a length past the end is invalid. */
  *items(headerSize: 2 | 4 = 4): Generator<{ type: number; start: number; end: number }> {
    while (this.offset < this.end) {
      if (this.offset + headerSize > this.end)
        throw protocolError('truncated item header', AbortReason.InvalidPduParameterValue);
      const type = this.view.getUint8(this.offset);
      const length = this.view.getUint16(this.offset + 2);
      const start = this.offset + 4;
      if (start + length > this.end)
        throw protocolError(
          `item 0x${type.toString(16)} overruns its parent`,
          AbortReason.InvalidPduParameterValue,
        );
      this.offset = start + length;
      yield { type, start, end: start + length };
    }
  }
}

function need(end: number, have: number, what: string): void {
  if (end > have) throw protocolError(`truncated ${what}`, AbortReason.InvalidPduParameterValue);
}

function decodeUserInformation(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
): UserInformation {
  const info: UserInformation = { maxPduLength: 0, implementationClassUid: '', roleSelections: [] };
  for (const item of new ItemCursor(view, start, end).items()) {
    const value = bytes.subarray(item.start, item.end);
    switch (item.type) {
      case ItemType.MaxLength:
        need(item.start + 4, item.end, 'maximum length item');
        info.maxPduLength = view.getUint32(item.start);
        break;
      case ItemType.ImplementationClassUid:
        info.implementationClassUid = trimValue(value);
        break;
      case ItemType.ImplementationVersionName:
        info.implementationVersionName = trimValue(value);
        break;
      case ItemType.AsyncOperationsWindow:
        need(item.start + 4, item.end, 'asynchronous operations window item');
        info.asyncOperations = {
          maxInvoked: view.getUint16(item.start),
          maxPerformed: view.getUint16(item.start + 2),
        };
        break;
      case ItemType.RoleSelection: {
        need(item.start + 2, item.end, 'role selection item');
        const uidEnd = item.start + 2 + view.getUint16(item.start);
        need(uidEnd + 2, item.end, 'role selection item');
        info.roleSelections.push({
          sopClassUid: trimValue(bytes.subarray(item.start + 2, uidEnd)),
          scuRole: view.getUint8(uidEnd) === 1,
          scpRole: view.getUint8(uidEnd + 1) === 1,
        });
        break;
      }
      case ItemType.UserIdentityRq: {
        need(item.start + 4, item.end, 'user identity item');
        const primaryEnd = item.start + 4 + view.getUint16(item.start + 2);
        need(primaryEnd + 2, item.end, 'user identity item');
        const secondaryEnd = primaryEnd + 2 + view.getUint16(primaryEnd);
        need(secondaryEnd, item.end, 'user identity item');
        info.userIdentity = {
          type: view.getUint8(item.start),
          positiveResponseRequested: view.getUint8(item.start + 1) === 1,
          primaryField: bytes.slice(item.start + 4, primaryEnd),
          secondaryField: bytes.slice(primaryEnd + 2, secondaryEnd),
        };
        break;
      }
      case ItemType.UserIdentityAc: {
        need(item.start + 2, item.end, 'user identity response item');
        const responseEnd = item.start + 2 + view.getUint16(item.start);
        need(responseEnd, item.end, 'user identity response item');
        info.userIdentityResponse = bytes.slice(item.start + 2, responseEnd);
        break;
      }
      default:
        // SOP class extended/common negotiation (0x56, 0x57) and unknown sub-items are skipped (PS3.7 D.3.3).
        break;
    }
  }
  return info;
}

function decodeAssociate(bytes: Uint8Array, view: DataView, type: 1 | 2): AssociateRq | AssociateAc {
  need(74, bytes.length, 'A-ASSOCIATE header');
  const common = {
    protocolVersion: view.getUint16(6),
    calledAeTitle: trimValue(bytes.subarray(10, 26)),
    callingAeTitle: trimValue(bytes.subarray(26, 42)),
    applicationContext: '',
    userInformation: { maxPduLength: 0, implementationClassUid: '', roleSelections: [] } as UserInformation,
  };
  const requested: RequestedPresentationContext[] = [];
  const accepted: AcceptedPresentationContext[] = [];
  let sawUserInformation = false;
  for (const item of new ItemCursor(view, 74, bytes.length).items()) {
    if (item.type === ItemType.ApplicationContext) {
      common.applicationContext = trimValue(bytes.subarray(item.start, item.end));
    } else if (item.type === ItemType.PresentationContextRq && type === 1) {
      need(item.start + 4, item.end, 'presentation context item');
      const context: RequestedPresentationContext = {
        id: view.getUint8(item.start),
        abstractSyntax: '',
        transferSyntaxes: [],
      };
      for (const sub of new ItemCursor(view, item.start + 4, item.end).items()) {
        const uid = trimValue(bytes.subarray(sub.start, sub.end));
        if (sub.type === ItemType.AbstractSyntax) context.abstractSyntax = uid;
        else if (sub.type === ItemType.TransferSyntax) context.transferSyntaxes.push(uid);
      }
      requested.push(context);
    } else if (item.type === ItemType.PresentationContextAc && type === 2) {
      need(item.start + 4, item.end, 'presentation context item');
      const context: AcceptedPresentationContext = {
        id: view.getUint8(item.start),
        result: view.getUint8(item.start + 2),
        transferSyntax: '',
      };
      for (const sub of new ItemCursor(view, item.start + 4, item.end).items()) {
        if (sub.type === ItemType.TransferSyntax)
          context.transferSyntax = trimValue(bytes.subarray(sub.start, sub.end));
      }
      accepted.push(context);
    } else if (item.type === ItemType.UserInformation) {
      common.userInformation = decodeUserInformation(bytes, view, item.start, item.end);
      sawUserInformation = true;
    } else {
      throw protocolError(
        `unexpected item 0x${item.type.toString(16)} in A-ASSOCIATE`,
        AbortReason.UnrecognizedPduParameter,
      );
    }
  }
  if (!sawUserInformation)
    throw protocolError('A-ASSOCIATE without user information', AbortReason.InvalidPduParameterValue);
  return type === 1
    ? { type: PduType.AssociateRq, ...common, presentationContexts: requested }
    : { type: PduType.AssociateAc, ...common, presentationContexts: accepted };
}

/** Decodes a complete control PDU (header included). P-DATA-TF is handled by the reader, never here. */
export function decodeControlPdu(bytes: Uint8Array): ControlPdu {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  need(6, bytes.length, 'PDU header');
  const type = view.getUint8(0);
  switch (type) {
    case PduType.AssociateRq:
    case PduType.AssociateAc:
      return decodeAssociate(bytes, view, type);
    case PduType.AssociateRj:
      need(10, bytes.length, 'A-ASSOCIATE-RJ');
      return { type, result: view.getUint8(7), source: view.getUint8(8), reason: view.getUint8(9) };
    case PduType.ReleaseRq:
    case PduType.ReleaseRp:
      return { type };
    case PduType.Abort:
      need(10, bytes.length, 'A-ABORT');
      return { type, source: view.getUint8(8), reason: view.getUint8(9) };
    default:
      throw protocolError(`unrecognized PDU type 0x${type.toString(16)}`, AbortReason.UnrecognizedPdu);
  }
}

// ---- encoding -------------------------------------------------------------------------------------------

function item(type: number, value: Uint8Array | string): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const out = Buffer.alloc(4 + body.length);
  out[0] = type;
  out.writeUInt16BE(body.length, 2);
  out.set(body, 4);
  return out;
}

function pdu(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header[0] = type;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

const aeTitle = (title: string): Buffer => Buffer.from(title.padEnd(16, ' ').slice(0, 16), 'latin1');

function encodeUserInformation(info: UserInformation): Buffer {
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(info.maxPduLength);
  const subs: Buffer[] = [
    item(ItemType.MaxLength, maxLength),
    item(ItemType.ImplementationClassUid, info.implementationClassUid),
  ];
  if (info.asyncOperations) {
    const window = Buffer.alloc(4);
    window.writeUInt16BE(info.asyncOperations.maxInvoked, 0);
    window.writeUInt16BE(info.asyncOperations.maxPerformed, 2);
    subs.push(item(ItemType.AsyncOperationsWindow, window));
  }
  for (const role of info.roleSelections) subs.push(encodeRoleSelection(role));
  if (info.implementationVersionName)
    subs.push(item(ItemType.ImplementationVersionName, info.implementationVersionName.slice(0, 16)));
  if (info.userIdentity) {
    const { type, positiveResponseRequested, primaryField, secondaryField } = info.userIdentity;
    const body = Buffer.alloc(6 + primaryField.length + secondaryField.length);
    body[0] = type;
    body[1] = positiveResponseRequested ? 1 : 0;
    body.writeUInt16BE(primaryField.length, 2);
    body.set(primaryField, 4);
    body.writeUInt16BE(secondaryField.length, 4 + primaryField.length);
    body.set(secondaryField, 6 + primaryField.length);
    subs.push(item(ItemType.UserIdentityRq, body));
  }
  if (info.userIdentityResponse) {
    const body = Buffer.alloc(2 + info.userIdentityResponse.length);
    body.writeUInt16BE(info.userIdentityResponse.length);
    body.set(info.userIdentityResponse, 2);
    subs.push(item(ItemType.UserIdentityAc, body));
  }
  return item(ItemType.UserInformation, Buffer.concat(subs));
}

function encodeRoleSelection(role: RoleSelection): Buffer {
  const uid = Buffer.from(role.sopClassUid, 'latin1');
  const body = Buffer.alloc(4 + uid.length);
  body.writeUInt16BE(uid.length);
  body.set(uid, 2);
  body[2 + uid.length] = role.scuRole ? 1 : 0;
  body[3 + uid.length] = role.scpRole ? 1 : 0;
  return item(ItemType.RoleSelection, body);
}

export function encodeAssociate(value: AssociateRq | AssociateAc): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(value.protocolVersion || 1, 0);
  aeTitle(value.calledAeTitle).copy(fixed, 4);
  aeTitle(value.callingAeTitle).copy(fixed, 20);
  const parts: Buffer[] = [fixed, item(ItemType.ApplicationContext, value.applicationContext)];
  if (value.type === PduType.AssociateRq) {
    for (const context of value.presentationContexts) {
      const subs = [
        item(ItemType.AbstractSyntax, context.abstractSyntax),
        ...context.transferSyntaxes.map((ts) => item(ItemType.TransferSyntax, ts)),
      ];
      parts.push(
        item(ItemType.PresentationContextRq, Buffer.concat([Buffer.from([context.id, 0, 0, 0]), ...subs])),
      );
    }
  } else {
    for (const context of value.presentationContexts) {
      // PS3.8 9.3.3.2: the transfer syntax sub-item is present but not significant when not accepted.
      const ts = item(ItemType.TransferSyntax, context.transferSyntax);
      parts.push(
        item(
          ItemType.PresentationContextAc,
          Buffer.concat([Buffer.from([context.id, 0, context.result, 0]), ts]),
        ),
      );
    }
  }
  parts.push(encodeUserInformation(value.userInformation));
  return pdu(value.type, Buffer.concat(parts));
}

export function encodeAssociateRj(value: Omit<AssociateRj, 'type'>): Buffer {
  return pdu(PduType.AssociateRj, Buffer.from([0, value.result, value.source, value.reason]));
}

export function encodeReleaseRq(): Buffer {
  return pdu(PduType.ReleaseRq, Buffer.alloc(4));
}

export function encodeReleaseRp(): Buffer {
  return pdu(PduType.ReleaseRp, Buffer.alloc(4));
}

export function encodeAbort(value: Omit<AbortPdu, 'type'>): Buffer {
  return pdu(PduType.Abort, Buffer.from([0, 0, value.source, value.reason]));
}

/**
 * The 12 bytes before a single PDV's value: PDU header (PS3.8 9.3.5) and PDV item header with its
 * message control header (PS3.8 E.2: bit 0 command, bit 1 last fragment). The value follows in the same write.
 */
export function pDataHeader(contextId: number, command: boolean, last: boolean, valueLength: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = PduType.PDataTf;
  header.writeUInt32BE(valueLength + 6, 2);
  header.writeUInt32BE(valueLength + 2, 6);
  header[10] = contextId;
  header[11] = (command ? 1 : 0) | (last ? 2 : 0);
  return header;
}
