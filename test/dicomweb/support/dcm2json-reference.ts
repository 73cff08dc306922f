// The reference for WADO-RS metadata: DCMTK's dcm2json of the same file, run without options (the DICOM
// JSON Model of PS3.18 F.2 as DCMTK 3.6.7 writes it), and the comparison with what Lantern answers.
//
// Where dcm2json cannot convert a file, or deviates from what Lantern does for a reason the standard gives,
// the difference is handled here, each for the reason stated, and nothing else is:
// 1. Compressed (encapsulated) pixel data: dcm2json refuses to write it as InlineBinary ("JSON InlineBinary
//    encoding not supported for compressed pixel data"), though PS3.18 F.2.7 allows it (and BulkDataURI).
//    dcm2json is given the file with the (7FE0,0010) element cut out, every other byte unchanged, and
//    Lantern's pixel data must be a BulkDataURI (its value is checked against the fragments elsewhere).
// 2. ISO 2022 IR 87 / IR 159 / IR 149 (Japanese, Korean): this DCMTK converts text with glibc iconv, which
//    lacks them, so dcm2json fails. When the file holds no ESC byte (0x1B) before its pixel data, no code
//    element is ever invoked and every text value is in the G0 set (PS3.5 6.1.2.5.3): the file's Specific
//    Character Set value is blanked in place (same length) and dcm2json converts it as the default repertoire.
// 3. An element encoded with VR UN whose tag the dictionary knows: Lantern decodes it with the dictionary VR,
//    as a UN value is the Implicit VR Little Endian encoding of the value (PS3.5 6.2.2); dcm2json keeps UN
//    and inlines the bytes unless told to convert. Where dcm2json says UN and Lantern another VR, the
//    reference is dcm2json of DCMTK's own conversion, `dcmconv +uc` ("convert to real VR if known").
// 4. Specific Character Set (0008,0005): dcm2json converts all text to UTF-8 and then declares ISO_IR 192;
//    Lantern's JSON is UTF-8 text too (PS3.18 F.2) but keeps the attribute as the file has it. Not compared.
// 5. FL: dcm2json prints float32 values with 9 significant digits or fewer, Lantern the exact float32 value
//    as a double (PS3.18 F.2.3.1 asks for a JSON number); both are compared as float32 (Math.fround).
// 6. BulkDataURI: where Lantern gives a URI (values of 1 KiB or more, and pixel data; PS3.18 8.6.1.2 lets
//    the origin server choose), dcm2json's InlineBinary is set aside and returned to the caller, who
//    retrieves the URI and compares the bytes. InlineBinary values are compared as they are.
// 7. Negative zero: a DS "-0" or an FD -0.0 is the number zero; dcm2json writes "-0", Lantern's JSON.stringify
//    writes 0 (ECMAScript cannot write -0). JSON numbers are decimal values (RFC 8259 6), so -0 counts as 0.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DicomJson } from '../../../src/lib/dicom/index.js';
import { runTool } from '../../support/dcmtk.js';

type Attribute = DicomJson[string];

export interface Reference {
  /** dcm2json's DICOM JSON of the (adjusted) file. */
  json: DicomJson;
  /** Which of the adjustments above were needed, by number and name. */
  adjustments: string[];
  /** The VR of the pixel data cut out (1), as the file has it. */
  cutPixelDataVr?: string;
}

export interface Comparison {
  ours: unknown;
  reference: unknown;
  /** Top-level BulkDataURIs in Lantern's answer and the bytes dcm2json inlined for them (when it did). */
  bulkData: { tag: string; uri: string; expected?: Buffer }[];
}

const ITEM = 0xe000fffe;
const SEQUENCE_DELIMITER = 0xe0ddfffe;
const ICONV_MISSING = /is not supported by the utilized character set conversion library/;

/** The file without its encapsulated (7FE0,0010) element, or undefined when the pixel data is native. */
function withoutEncapsulatedPixelData(
  bytes: Buffer,
  pixelDataOffset: number,
): { bytes: Buffer; vr: string } | undefined {
  const start = pixelDataOffset - 12; // explicit VR: tag, OB/OW, 2 reserved bytes, length 0xFFFFFFFF
  if (start < 0 || bytes.readUInt32LE(start) !== 0x00107fe0 || bytes.readUInt32LE(start + 8) !== 0xffffffff)
    return undefined;
  let position = pixelDataOffset;
  for (;;) {
    const tag = bytes.readUInt32LE(position);
    const length = bytes.readUInt32LE(position + 4);
    position += 8;
    if (tag === SEQUENCE_DELIMITER) break;
    if (tag !== ITEM) throw new Error(`encapsulated pixel data: no item at ${position - 8}`);
    position += length;
  }
  return {
    bytes: Buffer.concat([bytes.subarray(0, start), bytes.subarray(position)]),
    vr: bytes.toString('latin1', start + 4, start + 6),
  };
}

/** The file with its top-level Specific Character Set value blanked (explicit VR little endian only). */
function withDefaultRepertoire(bytes: Buffer, headerEnd: number): Buffer | undefined {
  if (bytes.subarray(0, headerEnd).includes(0x1b)) return undefined;
  const at = bytes.indexOf(Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53]));
  if (at < 0 || at > headerEnd) return undefined;
  const length = bytes.readUInt16LE(at + 6);
  const copy = Buffer.from(bytes);
  copy.fill(0x20, at + 8, at + 8 + length);
  return copy;
}

async function dcm2json(path: string): Promise<{ json?: DicomJson; error: string }> {
  const result = await runTool('dcm2json', [path]);
  return result.code === 0
    ? { json: JSON.parse(result.stdout) as DicomJson, error: '' }
    : { error: result.stderr };
}

function hasUnWhereOursIsKnown(reference: DicomJson, ours: DicomJson): boolean {
  return Object.entries(reference).some(([tag, attribute]) => {
    const mine = ours[tag];
    if (!mine) return false;
    if (attribute.vr === 'UN' && mine.vr !== 'UN') return true;
    if (attribute.vr !== 'SQ' || mine.vr !== 'SQ') return false;
    const items = (attribute.Value ?? []) as DicomJson[];
    const myItems = (mine.Value ?? []) as DicomJson[];
    return items.some((item, i) => myItems[i] !== undefined && hasUnWhereOursIsKnown(item, myItems[i]!));
  });
}

/**
 * dcm2json of `bytes` (a file whose header ends at `pixelDataOffset`, when it has pixel data), with the
 * adjustments 1-3 above where they are needed. Throws when dcm2json fails for any other reason.
 */
export async function dcm2jsonReference(
  bytes: Buffer,
  pixelDataOffset: number | undefined,
  ours: DicomJson,
): Promise<Reference> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-dcm2json-'));
  try {
    const adjustments: string[] = [];
    let input = bytes;
    const cut =
      pixelDataOffset === undefined ? undefined : withoutEncapsulatedPixelData(bytes, pixelDataOffset);
    if (cut) {
      input = cut.bytes;
      adjustments.push('1 compressed pixel data cut out');
    }
    const path = join(dir, 'input.dcm');
    await writeFile(path, input);
    let { json, error } = await dcm2json(path);
    if (!json && ICONV_MISSING.test(error)) {
      const blanked = withDefaultRepertoire(input, pixelDataOffset ?? input.length);
      if (blanked) {
        await writeFile(path, blanked);
        ({ json, error } = await dcm2json(path));
        adjustments.push('2 ISO 2022 character set without escapes read as the default repertoire');
      }
    }
    if (!json) throw new Error(`dcm2json failed: ${error}`);
    if (hasUnWhereOursIsKnown(json, ours)) {
      const converted = join(dir, 'converted.dcm');
      const conversion = await runTool('dcmconv', ['+uc', path, converted]);
      if (conversion.code !== 0) throw new Error(`dcmconv +uc failed: ${conversion.stderr}`);
      ({ json, error } = await dcm2json(converted));
      if (!json) throw new Error(`dcm2json failed after dcmconv +uc: ${error}`);
      adjustments.push('3 UN of a known tag converted to its VR (dcmconv +uc)');
    }
    return { json, adjustments, ...(cut ? { cutPixelDataVr: cut.vr } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function comparableAttribute(
  attribute: Attribute | undefined,
  counterpart: Attribute | undefined,
  reference: boolean,
): unknown {
  if (attribute === undefined) return undefined;
  const { vr, Value, InlineBinary, BulkDataURI } = attribute;
  // 6: a value Lantern gives by URI is compared as bytes by the caller.
  if (
    BulkDataURI !== undefined ||
    (reference && InlineBinary !== undefined && counterpart?.BulkDataURI !== undefined)
  )
    return { vr, BulkData: true };
  if (InlineBinary !== undefined) return { vr, InlineBinary };
  if (Value === undefined) return { vr };
  if (vr === 'FL')
    return { vr, Value: (Value as (number | null)[]).map((v) => (v === null ? v : Math.fround(v) + 0)) };
  if (vr === 'SQ') {
    const others = (counterpart?.vr === 'SQ' ? (counterpart.Value ?? []) : []) as DicomJson[];
    return { vr, Value: (Value as DicomJson[]).map((item, i) => comparableItem(item, others[i], reference)) };
  }
  return { vr, Value: Value.map((v) => (typeof v === 'number' ? v + 0 : v)) }; // 7: -0 + 0 is 0
}

function comparableItem(item: DicomJson, counterpart: DicomJson | undefined, reference: boolean): unknown {
  const out: Record<string, unknown> = {};
  for (const tag of Object.keys(item).sort()) {
    if (tag === '00080005') continue; // 4
    out[tag] = comparableAttribute(item[tag], counterpart?.[tag], reference);
  }
  return out;
}

/**
 * Lantern's metadata and dcm2json's, each reduced for comparison by exactly the rules above. Where dcm2json
 * was given the file without its pixel data (1), Lantern must give it by BulkDataURI with the file's VR.
 */
export function compareWithReference(ours: DicomJson, reference: Reference): Comparison {
  const json: DicomJson = { ...reference.json };
  if (reference.cutPixelDataVr) json['7FE00010'] = { vr: reference.cutPixelDataVr, BulkDataURI: 'cut out' };
  const bulkData = Object.entries(ours).flatMap(([tag, attribute]) =>
    attribute.BulkDataURI === undefined
      ? []
      : [
          {
            tag,
            uri: attribute.BulkDataURI,
            ...(json[tag]?.InlineBinary !== undefined
              ? { expected: Buffer.from(json[tag].InlineBinary, 'base64') }
              : {}),
          },
        ],
  );
  return {
    ours: comparableItem(ours, json, false),
    reference: comparableItem(json, ours, true),
    bulkData,
  };
}

/**
 * The reduction the sample test (qido-wado.test.ts) uses: binary values by URI or inline are not compared
 * (its BulkDataURI test retrieves them), nor the character set (4); FL as float32 (5).
 */
export function normalize(json: DicomJson): unknown {
  return JSON.parse(
    JSON.stringify(json, function (this: Record<string, unknown>, key, value: unknown) {
      if (key === 'InlineBinary' || key === 'BulkDataURI' || key === '00080005') return undefined;
      if (key === 'Value' && this.vr === 'FL') return (value as number[]).map((v) => Math.fround(v));
      return value;
    }),
  );
}
