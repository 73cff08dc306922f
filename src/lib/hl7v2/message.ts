import type { CharacterSet } from './character-sets.js';
import type { EncodingCharacters } from './encoding-characters.js';
import { unescapeText, type HexDecoder } from './escaping.js';

// The parsed form of an ER7 message: segments of raw (still escaped) fields, split further only when read.
// Field numbers are HL7's, 1-based: segment.field(3) is PID-3. For MSH, field 1 is the field separator and
// field 2 the encoding characters (2.15.9.1, 2.15.9.2), so MSH-9 is field(9) as everywhere else.

/** One repetition of a field: components of subcomponents, read unescaped. */
export class FieldValue {
  constructor(
    /** The repetition as sent, escapes included. */
    readonly raw: string,
    private readonly enc: EncodingCharacters,
    private readonly hex: HexDecoder,
  ) {}

  /** Component `c` (1-based), subcomponent `s`, unescaped; '' when absent. */
  component(c = 1, s = 1): string {
    const component = this.raw.split(this.enc.component)[c - 1] ?? '';
    const sub = component.split(this.enc.subcomponent)[s - 1] ?? '';
    return unescapeText(sub, this.enc, this.hex);
  }

  /** Every component's first subcomponent, unescaped. */
  components(): string[] {
    return this.raw
      .split(this.enc.component)
      .map((c) => unescapeText(c.split(this.enc.subcomponent)[0]!, this.enc, this.hex));
  }

  /** The subcomponents of component `c`, unescaped. */
  subcomponents(c = 1): string[] {
    const component = this.raw.split(this.enc.component)[c - 1] ?? '';
    return component.split(this.enc.subcomponent).map((s) => unescapeText(s, this.enc, this.hex));
  }

  /** The whole repetition as text: all of it unescaped, delimiters kept. Useful for FT/TX fields. */
  text(): string {
    return unescapeText(this.raw, this.enc, this.hex);
  }

  get isEmpty(): boolean {
    return this.raw === '';
  }
}

export class Segment {
  constructor(
    readonly name: string,
    /** fields[n] is field n as sent (fields[0] is the segment name). */
    readonly fields: readonly string[],
    private readonly enc: EncodingCharacters,
    private readonly hex: HexDecoder,
  ) {}

  /** Field `n` as sent, escapes and delimiters included. */
  raw(n: number): string {
    return this.fields[n] ?? '';
  }

  /** The repetitions of field `n` (none when the field is empty). MSH-1 and MSH-2 never repeat. */
  repetitions(n: number): FieldValue[] {
    const raw = this.raw(n);
    if (raw === '') return [];
    const parts = this.name === 'MSH' && n <= 2 ? [raw] : raw.split(this.enc.repetition);
    return parts.map((part) => new FieldValue(part, this.enc, this.hex));
  }

  /** The first repetition of field `n` (empty when absent). */
  field(n: number): FieldValue {
    return this.repetitions(n)[0] ?? new FieldValue('', this.enc, this.hex);
  }

  /** Component `c`, subcomponent `s` of the first repetition of field `n`, unescaped. */
  value(n: number, c = 1, s = 1): string {
    if (this.name === 'MSH' && n <= 2) return this.raw(n);
    return this.field(n).component(c, s);
  }
}

export interface MessageType {
  /** MSH-9.1 (table 0076): ADT, ORM, OMI, ORU, ACK … */
  code: string;
  /** MSH-9.2 (table 0003): A01, O01 … */
  trigger: string;
  /** MSH-9.3 (table 0354): ADT_A01 …, '' when not sent (before v2.3.1). */
  structure: string;
}

export class Hl7Message {
  constructor(
    readonly segments: readonly Segment[],
    readonly encoding: EncodingCharacters,
    readonly characterSet: CharacterSet,
  ) {}

  get header(): Segment {
    return this.segments[0]!;
  }

  /** The first segment named `name`, or the `occurrence`-th (0-based). */
  segment(name: string, occurrence = 0): Segment | undefined {
    return this.segments.filter((s) => s.name === name)[occurrence];
  }

  segmentsNamed(name: string): Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  get type(): MessageType {
    // Read once: the receiver, the handler table and the ACK all ask for it.
    if (this.#type === undefined) {
      const msh9 = this.header.field(9);
      this.#type = Object.freeze({
        code: msh9.component(1),
        trigger: msh9.component(2),
        structure: msh9.component(3),
      });
    }
    return this.#type;
  }

  #type: MessageType | undefined;

  /** MSH-10: unique per sending application, echoed in MSA-2 (2.15.9.10). */
  get controlId(): string {
    return this.header.value(10);
  }

  get sendingApplication(): string {
    return this.header.value(3);
  }

  get sendingFacility(): string {
    return this.header.value(4);
  }

  get receivingApplication(): string {
    return this.header.value(5);
  }

  get receivingFacility(): string {
    return this.header.value(6);
  }

  /** MSH-11.1: P production, T training, D debugging (table 0103). */
  get processingId(): string {
    return this.header.value(11);
  }

  /** MSH-12.1: 2.3, 2.5.1 … */
  get version(): string {
    return this.header.value(12);
  }

  /** MSH-15 accept acknowledgment type (table 0155: AL, NE, ER, SU), '' in original mode. */
  get acceptAckType(): string {
    return this.header.value(15);
  }

  /** MSH-16 application acknowledgment type (table 0155), '' in original mode. */
  get applicationAckType(): string {
    return this.header.value(16);
  }
}
