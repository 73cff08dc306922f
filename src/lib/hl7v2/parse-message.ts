import { characterSet, type CharacterSet } from './character-sets.js';
import { readEncodingCharacters } from './encoding-characters.js';
import { Hl7ParseError } from './errors.js';
import { Hl7Message, Segment } from './message.js';

/**
 * Reads a message from its bytes: the MSH segment is read as ISO 8859-1 (every byte a character) to find
 * MSH-18, then the whole message is decoded in that character set (2.15.9.18; the MSH fields before it are
 * ASCII in every set table 0211 allows on MLLP).
 */
export function decodeMessage(bytes: Uint8Array): Hl7Message {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const start = latin1.search(/\S/);
  const firstLine = latin1.slice(Math.max(start, 0)).split(/[\r\n]/, 1)[0]!;
  if (firstLine.startsWith('BHS') || firstLine.startsWith('FHS')) {
    throw new Hl7ParseError('batches (FHS/BHS) are not accepted; send one message per frame', 'MSH');
  }
  const charset = characterSet(msh18Term(firstLine));
  return parseMessage(charset.decode(bytes), charset);
}

/** The first MSH-18 term of an MSH segment's text. */
function msh18Term(msh: string): string {
  const enc = readEncodingCharacters(msh);
  const msh18 = msh.split(/[\r\n]/, 1)[0]!.split(enc.field)[17] ?? '';
  return msh18.split(enc.repetition)[0]!.split(enc.component)[0]!;
}

/**
 * Parses ER7 text (already decoded; `charset` defaults to the one MSH-18 names). Segments end with CR (2.5.1); LF and CR LF are accepted too, as many senders use them.
 * Empty lines are skipped; a line that does not start with a three-character segment ID is an error.
 */
export function parseMessage(text: string, charset?: CharacterSet): Hl7Message {
  const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
  const first = lines[0]?.trimStart() ?? '';
  const enc = readEncodingCharacters(first);
  lines[0] = first;
  charset ??= characterSet(msh18Term(first));
  const hex = charset.decode;
  const segments = lines.map((line, index) => {
    const name = line.slice(0, 3);
    if (!/^[A-Z][A-Z0-9]{2}$/.test(name) || (line.length > 3 && line[3] !== enc.field)) {
      throw new Hl7ParseError(`segment ${index + 1} does not start with a segment ID: '${line.slice(0, 8)}'`);
    }
    const parts = line.split(enc.field);
    const fields = name === 'MSH' && index === 0 ? ['MSH', enc.field, ...parts.slice(1)] : parts;
    return new Segment(name, fields, enc, hex);
  });
  return new Hl7Message(segments, enc, charset);
}
