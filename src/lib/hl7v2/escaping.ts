import type { EncodingCharacters } from './encoding-characters.js';

// Escape sequences in data (HL7 v2.5.1 2.7): delimiters (\F\ \S\ \T\ \R\ \E\), hexadecimal bytes (\Xhh…\),
// formatting commands of FT fields (2.7.6: \.br\ \.sp\ …) and highlighting (\H\ \N\).

/** How the bytes of a \Xhh…\ sequence become text: the message's own character set. */
export type HexDecoder = (bytes: Uint8Array) => string;

const latin1: HexDecoder = (bytes) => Buffer.from(bytes).toString('latin1');

/** The text of an escaped value. Unknown or unclosed sequences are kept as they came. */
export function unescapeText(value: string, enc: EncodingCharacters, decodeHex: HexDecoder = latin1): string {
  const esc = enc.escape;
  if (!value.includes(esc)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    if (start === -1) break;
    const end = value.indexOf(esc, start + 1);
    if (end === -1) break;
    out += value.slice(i, start);
    const sequence = value.slice(start + 1, end);
    const text = sequenceText(sequence, enc, decodeHex);
    out += text ?? value.slice(start, end + 1);
    i = end + 1;
  }
  return out + value.slice(i);
}

function sequenceText(sequence: string, enc: EncodingCharacters, decodeHex: HexDecoder): string | undefined {
  switch (sequence) {
    case 'F':
      return enc.field;
    case 'S':
      return enc.component;
    case 'T':
      return enc.subcomponent;
    case 'R':
      return enc.repetition;
    case 'E':
      return enc.escape;
    case 'P':
      return enc.truncation;
    case 'H':
    case 'N':
      // Start and end of highlighting: no plain-text equivalent.
      return '';
    case '.br':
      return '\n';
  }
  const first = sequence.charAt(0);
  if (first === 'X' && /^X(?:[0-9A-Fa-f]{2})+$/.test(sequence)) {
    return decodeHex(Buffer.from(sequence.slice(1), 'hex'));
  }
  if (first === '.') {
    // 2.7.6: .sp <n> ends the line and skips n-1 more; the others set indentation or fill mode.
    const sp = /^\.sp(?:\s*\+?(\d+))?$/.exec(sequence);
    if (sp) return '\n'.repeat(Math.max(1, Number(sp[1] ?? 1)));
    if (/^\.(?:fi|nf|ce|in\s*[+-]?\d+|ti\s*[+-]?\d+|sk\s*\+?\d+)$/.test(sequence)) return '';
    return undefined;
  }
  // Local escapes (\Z..\) and ISO 2022 character set switches (\C..\ \M..\, 2.7.3) carry no text here.
  if (first === 'Z' || /^C[0-9A-Fa-f]{4}$/.test(sequence) || /^M[0-9A-Fa-f]{4,6}$/.test(sequence)) return '';
  return undefined;
}

/**
 * The escaped form of a text: delimiters become \F\ \S\ \T\ \R\ \E\ (2.7.1), line breaks \.br\ (2.7.6; a CR
 * would end the segment) and other control characters \Xhh\.
 */
export function escapeText(text: string, enc: EncodingCharacters): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === enc.escape) out += `${enc.escape}E${enc.escape}`;
    else if (ch === enc.field) out += `${enc.escape}F${enc.escape}`;
    else if (ch === enc.component) out += `${enc.escape}S${enc.escape}`;
    else if (ch === enc.subcomponent) out += `${enc.escape}T${enc.escape}`;
    else if (ch === enc.repetition) out += `${enc.escape}R${enc.escape}`;
    else if (ch === enc.truncation) out += `${enc.escape}P${enc.escape}`;
    else if (ch === '\r' && text[i + 1] === '\n') {
      out += `${enc.escape}.br${enc.escape}`;
      i++;
    } else if (ch === '\n' || ch === '\r') out += `${enc.escape}.br${enc.escape}`;
    else if (ch < ' ' || ch === '\x7f') {
      out += `${enc.escape}X${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}${enc.escape}`;
    } else out += ch;
  }
  return out;
}
