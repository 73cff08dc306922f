import { Hl7ParseError } from './errors.js';

// MSH-18 character sets (HL7 v2.5.1 table 0211) and how their bytes become text. MLLP frames with single
// bytes (VT, FS, CR), so only encodings where those bytes never occur inside a character are accepted:
// UTF-16 and UTF-32 are refused (HL7 MLLP Release 2, C.4.3).

/** A character set Lantern can read: the MSH-18 term and how to decode it. */
export interface CharacterSet {
  /** The MSH-18 value as sent ('' for none: ASCII, 2.15.9.18). */
  term: string;
  decode(bytes: Uint8Array): string;
  /** Present when Lantern can also write messages in it. */
  encode?: (text: string) => Uint8Array;
}

const textDecoder = (label: string) => {
  const decoder = new TextDecoder(label);
  return (bytes: Uint8Array) => decoder.decode(bytes);
};

// Printable ASCII only: anything else could not be written in the character set the receiver expects.
const downTo = (max: number) => (text: string) => {
  let out = '';
  for (const ch of text) out += ch.codePointAt(0)! > max ? '?' : ch;
  return Buffer.from(out, 'latin1');
};

const LATIN1: Pick<CharacterSet, 'decode' | 'encode'> = {
  decode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
  encode: downTo(0xff),
};
const UTF8: Pick<CharacterSet, 'decode' | 'encode'> = {
  decode: textDecoder('utf-8'),
  encode: (text) => Buffer.from(text, 'utf8'),
};

/** Table 0211 terms → decoders. ASCII is read as ISO 8859-1 so that stray high bytes are kept, not lost. */
const TABLE_0211: Record<string, () => Pick<CharacterSet, 'decode' | 'encode'>> = {
  '': () => ({ decode: LATIN1.decode, encode: downTo(0x7f) }),
  ASCII: () => ({ decode: LATIN1.decode, encode: downTo(0x7f) }),
  '8859/1': () => LATIN1,
  '8859/2': () => ({ decode: textDecoder('iso-8859-2') }),
  '8859/3': () => ({ decode: textDecoder('iso-8859-3') }),
  '8859/4': () => ({ decode: textDecoder('iso-8859-4') }),
  '8859/5': () => ({ decode: textDecoder('iso-8859-5') }),
  '8859/6': () => ({ decode: textDecoder('iso-8859-6') }),
  '8859/7': () => ({ decode: textDecoder('iso-8859-7') }),
  '8859/8': () => ({ decode: textDecoder('iso-8859-8') }),
  '8859/9': () => ({ decode: textDecoder('windows-1254') }),
  '8859/15': () => ({ decode: textDecoder('iso-8859-15') }),
  'UNICODE UTF-8': () => UTF8,
  'GB 18030-2000': () => ({ decode: textDecoder('gb18030') }),
  'KS X 1001': () => ({ decode: textDecoder('euc-kr') }),
  'BIG-5': () => ({ decode: textDecoder('big5') }),
  // JIS X 0201 (ISO IR14) is the single-byte half of Shift JIS; ISO IR87 comes with ISO 2022 escapes.
  'ISO IR14': () => ({ decode: textDecoder('shift_jis') }),
  'ISO IR87': () => ({ decode: textDecoder('iso-2022-jp') }),
};

// Terms senders use that are not in table 0211, read as what they mean.
const ALIASES: Record<string, string> = {
  'UTF-8': 'UNICODE UTF-8',
  UTF8: 'UNICODE UTF-8',
  'ISO-8859-1': '8859/1',
  'ISO8859-1': '8859/1',
  'ISO_8859-1': '8859/1',
  'US-ASCII': 'ASCII',
};

/** The character set of an MSH-18 value; an unknown or unusable one is a parse error at MSH-18. */
export function characterSet(term: string): CharacterSet {
  const trimmed = term.trim();
  const key = ALIASES[trimmed.toUpperCase()] ?? trimmed.toUpperCase();
  const make = TABLE_0211[key];
  if (!make) {
    throw new Hl7ParseError(`character set '${trimmed}' (MSH-18) is not supported`, 'MSH-18');
  }
  return { term: trimmed, ...make() };
}

/** Whether Lantern can write messages in this MSH-18 character set (ASCII, 8859/1, UNICODE UTF-8). */
export function canEncode(term: string): boolean {
  try {
    return characterSet(term).encode !== undefined;
  } catch {
    return false;
  }
}
