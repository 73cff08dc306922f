import { Hl7ParseError } from './errors.js';

/** The delimiters of one message, read from MSH-1 and MSH-2 (HL7 v2.5.1 2.5.4). */
export interface EncodingCharacters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (5th character of MSH-2), when sent. */
  truncation?: string;
}

export const DEFAULT_ENCODING: EncodingCharacters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

/** MSH-2 as sent for these delimiters. */
export const encodingField = (e: EncodingCharacters): string =>
  e.component + e.repetition + e.escape + e.subcomponent + (e.truncation ?? '');

/**
 * Reads the delimiters from the start of an MSH segment. Each must be one printable, non-alphanumeric
 * character, all different (2.5.4: any printable characters may be chosen; letters and digits would be
 * ambiguous with data).
 */
export function readEncodingCharacters(msh: string): EncodingCharacters {
  if (!msh.startsWith('MSH'))
    throw new Hl7ParseError('the message does not start with an MSH segment', 'MSH');
  const field = msh.charAt(3);
  const rest = msh.slice(4);
  const end = rest.indexOf(field);
  const encoding = end === -1 ? rest : rest.slice(0, end);
  if (encoding.length < 4 || encoding.length > 5) {
    throw new Hl7ParseError(`MSH-2 must hold 4 or 5 encoding characters, got '${encoding}'`, 'MSH-2');
  }
  const all = field + encoding;
  for (const ch of all) {
    if (!/^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(ch)) {
      throw new Hl7ParseError(`delimiter '${ch}' is not a printable non-alphanumeric character`, 'MSH-2');
    }
  }
  if (new Set(all).size !== all.length) throw new Hl7ParseError('MSH-1/MSH-2 delimiters repeat', 'MSH-2');
  const [component, repetition, escape, subcomponent, truncation] = [...encoding] as string[];
  return {
    field,
    component: component!,
    repetition: repetition!,
    escape: escape!,
    subcomponent: subcomponent!,
    ...(truncation === undefined ? {} : { truncation }),
  };
}
