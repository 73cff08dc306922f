// The File Meta Information that turns a data set received over the network into a Part 10 file
// (PS3.10 7.1): 128-byte preamble, "DICM", then group 0002 in Explicit VR Little Endian with its length.

export interface FileMetaFields {
  mediaStorageSopClassUid: string;
  mediaStorageSopInstanceUid: string;
  transferSyntaxUid: string;
  implementationClassUid: string;
  implementationVersionName?: string;
  /** (0002,0016): the AE title of the node that sent the data set. */
  sourceApplicationEntityTitle?: string;
}

type Element = { tag: number; vr: 'OB' | 'UI' | 'SH' | 'AE' | 'UL'; value: Uint8Array };

const ascii = (text: string) => new TextEncoder().encode(text);

/** Text padded to even length: UIDs with NUL, other VRs with a space (PS3.5 6.2). */
function padded(vr: string, text: string): Uint8Array {
  const bytes = ascii(text);
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

function encodeElement({ tag, vr, value }: Element): Uint8Array {
  // OB has a 2-byte reserved field and a 4-byte length; the short VRs a 2-byte length (PS3.5 7.1.2).
  const long = vr === 'OB';
  const out = new Uint8Array((long ? 12 : 8) + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  out.set(value, long ? 12 : 8);
  return out;
}

/** Preamble, "DICM" and the file meta group, ready to be followed by the data set's bytes. */
export function encodeFileMeta(fields: FileMetaFields): Uint8Array {
  const elements: Element[] = [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: padded('UI', fields.mediaStorageSopClassUid) },
    { tag: 0x00020003, vr: 'UI', value: padded('UI', fields.mediaStorageSopInstanceUid) },
    { tag: 0x00020010, vr: 'UI', value: padded('UI', fields.transferSyntaxUid) },
    { tag: 0x00020012, vr: 'UI', value: padded('UI', fields.implementationClassUid) },
  ];
  if (fields.implementationVersionName) {
    elements.push({ tag: 0x00020013, vr: 'SH', value: padded('SH', fields.implementationVersionName) });
  }
  if (fields.sourceApplicationEntityTitle) {
    elements.push({ tag: 0x00020016, vr: 'AE', value: padded('AE', fields.sourceApplicationEntityTitle) });
  }
  const body = elements.map(encodeElement);
  const groupLength = body.reduce((sum, e) => sum + e.length, 0);
  const lengthValue = new Uint8Array(4);
  new DataView(lengthValue.buffer).setUint32(0, groupLength, true);
  const parts = [
    new Uint8Array(128),
    ascii('DICM'),
    encodeElement({ tag: 0x00020000, vr: 'UL', value: lengthValue }),
    ...body,
  ];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
