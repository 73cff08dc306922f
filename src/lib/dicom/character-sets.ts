/**
 * Specific Character Set (0008,0005) decoding: PS3.3 C.12.1.1.2 (defined terms) and PS3.5 Section 6.1
 * (ISO 2022 code extensions). Node's TextDecoder (full ICU) supplies every code table; this file only
 * does the ISO 2022 escape handling that neither dcmjs nor dicom-parser implements.
 */
import { TextDecoder } from 'node:util';

const decoders = new Map<string, TextDecoder>();
function decoderFor(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (!decoder) {
    decoder = new TextDecoder(label);
    decoders.set(label, decoder);
  }
  return decoder;
}

// Below this many bytes a loop beats making a Buffer view and calling into C++ (most header values are short).
const SHORT_TEXT = 64;

function latin1(bytes: Uint8Array): string {
  if (bytes.length > SHORT_TEXT)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** Upper half (G1) of the single-byte sets, keyed by the number in 'ISO_IR nnn' / 'ISO 2022 IR nnn'. */
const SINGLE_BYTE_LABELS: Record<string, string> = {
  '100': 'latin1',
  '101': 'iso-8859-2',
  '109': 'iso-8859-3',
  '110': 'iso-8859-4',
  '144': 'iso-8859-5',
  '127': 'iso-8859-6',
  '126': 'iso-8859-7',
  '138': 'iso-8859-8',
  '148': 'iso-8859-9',
  '203': 'iso-8859-15',
  '166': 'tis-620',
  '13': 'shift_jis', // JIS X 0201: half-width katakana at 0xA1-0xDF, as in Shift_JIS
};

/** Character sets without code extensions that are not single-byte. */
const MULTI_BYTE_LABELS: Record<string, string> = { 'ISO_IR 192': 'utf-8', GB18030: 'gb18030', GBK: 'gbk' };

type G0 = 'ascii' | 'jis-roman' | 'jis-x0208' | 'jis-x0212';
interface CodeState {
  g0: G0;
  g1: string | undefined; // decoder label for bytes 0x80-0xFF
}

/** PS3.3 Table C.12-3 and C.12-4: escape sequences (after ESC) and the code element they designate. */
const ESCAPES: Record<string, { g0: G0 } | { g1: string }> = {
  '(B': { g0: 'ascii' },
  '(J': { g0: 'jis-roman' },
  ')I': { g1: 'shift_jis' },
  $B: { g0: 'jis-x0208' },
  '$@': { g0: 'jis-x0208' },
  '$(D': { g0: 'jis-x0212' },
  '$)C': { g1: 'euc-kr' },
  '$)A': { g1: 'gb18030' },
  '-A': { g1: 'latin1' },
  '-B': { g1: 'iso-8859-2' },
  '-C': { g1: 'iso-8859-3' },
  '-D': { g1: 'iso-8859-4' },
  '-L': { g1: 'iso-8859-5' },
  '-G': { g1: 'iso-8859-6' },
  '-F': { g1: 'iso-8859-7' },
  '-H': { g1: 'iso-8859-8' },
  '-M': { g1: 'iso-8859-9' },
  '-b': { g1: 'iso-8859-15' },
  '-T': { g1: 'tis-620' },
};

const ESC = 0x1b;

function irNumber(term: string): string | undefined {
  return /^ISO(?:_| 2022 )IR (\d+)$/.exec(term.trim())?.[1];
}

function initialState(firstTerm: string | undefined): CodeState {
  const ir = firstTerm === undefined ? undefined : irNumber(firstTerm);
  if (ir === '13') return { g0: 'jis-roman', g1: 'shift_jis' };
  if (ir === '149') return { g0: 'ascii', g1: 'euc-kr' };
  if (ir === '58') return { g0: 'ascii', g1: 'gb18030' };
  return { g0: 'ascii', g1: ir === undefined ? undefined : SINGLE_BYTE_LABELS[ir] };
}

function decodeRun(bytes: Uint8Array, state: CodeState, high: boolean): string {
  if (high)
    return state.g1 === undefined || state.g1 === 'latin1'
      ? latin1(bytes)
      : decoderFor(state.g1).decode(bytes);
  if (state.g0 === 'ascii' || state.g0 === 'jis-roman') return latin1(bytes);
  // A 94x94 set invoked into G0 (PS3.5 6.1.2.5.3): its EUC form sets the high bit; JIS X 0212 adds SS3.
  const euc: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x21 || b > 0x7e) {
      euc.push(b);
      i++;
      continue;
    }
    if (state.g0 === 'jis-x0212') euc.push(0x8f);
    euc.push(b | 0x80, (bytes[i + 1] ?? 0) | 0x80);
    i += 2;
  }
  return decoderFor('euc-jp').decode(Uint8Array.from(euc));
}

/** Bytes after which the initial code state is restored (PS3.5 6.1.2.5.3). */
function delimitersFor(vr: string): Set<number> {
  const delimiters = new Set([0x0a, 0x0c, 0x0d, 0x09]);
  if (vr !== 'LT' && vr !== 'ST' && vr !== 'UT' && vr !== 'UR') delimiters.add(0x5c); // '\' between values
  if (vr === 'PN') {
    delimiters.add(0x5e); // '^' between name components
    delimiters.add(0x3d); // '=' between component groups
  }
  return delimiters;
}

function decodeIso2022(bytes: Uint8Array, charsets: string[], vr: string): string {
  const initial = initialState(charsets[0]);
  const delimiters = delimitersFor(vr);
  let state = { ...initial };
  let out = '';
  let runStart = 0;
  let runHigh = false;
  const flush = (end: number): void => {
    if (end > runStart) out += decodeRun(bytes.subarray(runStart, end), state, runHigh);
    runStart = end;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === ESC) {
      flush(i);
      let j = i + 1;
      while (j < bytes.length && bytes[j]! >= 0x20 && bytes[j]! <= 0x2f) j++; // intermediate bytes
      const sequence = String.fromCharCode(...bytes.subarray(i + 1, Math.min(j + 1, bytes.length)));
      const designation = ESCAPES[sequence];
      if (designation) state = { ...state, ...designation };
      i = Math.min(j, bytes.length - 1);
      runStart = i + 1;
      continue;
    }
    const singleByteG0 = state.g0 === 'ascii' || state.g0 === 'jis-roman';
    if (singleByteG0 && delimiters.has(b)) {
      flush(i);
      state = { ...initial };
      out += String.fromCharCode(b);
      runStart = i + 1;
      continue;
    }
    const high = b >= 0x80;
    if (high !== runHigh) {
      flush(i);
      runHigh = high;
    }
  }
  flush(bytes.length);
  return out;
}

type TextDecoding = (bytes: Uint8Array, vr: string) => string;

function decodingFor(specificCharacterSet: string[]): TextDecoding {
  const terms = specificCharacterSet.map((s) => s.trim());
  const first = terms[0] ?? '';
  if (terms.some((t) => t.startsWith('ISO 2022'))) return (bytes, vr) => decodeIso2022(bytes, terms, vr);
  const label = MULTI_BYTE_LABELS[first] ?? SINGLE_BYTE_LABELS[irNumber(first) ?? ''];
  // The default repertoire (ISO_IR 6) is ASCII; stray 8-bit bytes are read as Latin-1 rather than lost.
  if (label === undefined || label === 'latin1') return latin1;
  const decoder = decoderFor(label);
  return (bytes) => decoder.decode(bytes);
}

// A data set's character set is one array, asked about for each of its text values: worked out once.
const decodings = new WeakMap<string[], TextDecoding>();

/** Decodes a text value's bytes (all values, delimiters included) under Specific Character Set. */
export function decodeText(bytes: Uint8Array, specificCharacterSet: string[], vr: string): string {
  if (specificCharacterSet.length === 0) return latin1(bytes);
  let decoding = decodings.get(specificCharacterSet);
  if (decoding === undefined) {
    decoding = decodingFor(specificCharacterSet);
    decodings.set(specificCharacterSet, decoding);
  }
  return decoding(bytes, vr);
}

/** True when the character set can be decoded (known defined terms only). */
export function isKnownCharacterSet(term: string): boolean {
  const t = term.trim();
  if (t === '' || t in MULTI_BYTE_LABELS) return true;
  const ir = irNumber(t);
  return (
    ir !== undefined && (ir === '6' || ir in SINGLE_BYTE_LABELS || ['87', '159', '149', '58'].includes(ir))
  );
}

/** The largest UTF-16 code unit in a string (0 for an empty one). */
export function maxCharCode(text: string): number {
  let max = 0;
  for (let i = 0; i < text.length; i++) max = Math.max(max, text.charCodeAt(i));
  return max;
}

/**
 * Encodes text for writing. Only character sets with a simple byte mapping are supported for encoding:
 * the default repertoire (ASCII), ISO_IR 100 (Latin-1) and ISO_IR 192 (UTF-8); anything else accepts
 * ASCII text only, so a value is never written in bytes its Specific Character Set cannot represent.
 */
export function encodeText(text: string, specificCharacterSet: string[]): Uint8Array {
  const first = specificCharacterSet[0]?.trim() ?? '';
  if (first === 'ISO_IR 192') return new TextEncoder().encode(text);
  if (maxCharCode(text) <= 0x7f) return Buffer.from(text, 'latin1');
  if ((first === 'ISO_IR 100' || first === 'ISO 2022 IR 100') && maxCharCode(text) <= 0xff) {
    return Buffer.from(text, 'latin1');
  }
  throw new Error(`cannot encode non-ASCII text in character set "${specificCharacterSet.join('\\')}"`);
}
