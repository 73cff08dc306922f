import type { Tag } from './dictionary.js';
import type { DataElement, DataElements, DicomDataset, ElementValue, PersonName } from './dataset.js';

/** DICOM JSON Model (PS3.18 F.2): attribute objects keyed by 'GGGGEEEE'. */
export type DicomJson = Record<
  Tag,
  { vr: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }
>;

export interface DicomJsonOptions {
  /** Builds the BulkDataURI for a binary value; tagPath runs from the top-level attribute to the element. */
  bulkDataUri?: (tagPath: Tag[]) => string | undefined;
  /** Binary values of at least this many bytes become BulkDataURI (when bulkDataUri is given). */
  bulkDataThreshold?: number;
  /** Include group 0002 (file meta information). Default false, as DICOMweb metadata has none. */
  includeMeta?: boolean;
}

const NUMERIC_STRING_VRS = new Set(['DS', 'IS']);

/** DS and IS are JSON numbers (PS3.18 F.2.3.1); an unparsable one stays a string rather than be lost. */
function numericString(value: string): number | string {
  const n = Number(value);
  return value !== '' && Number.isFinite(n) ? n : value;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/**
 * Encapsulated pixel data as InlineBinary is the concatenated fragment values. DICOMweb carries frames
 * separately, so this form only matters for small test data; BulkDataURI is the normal path for 7FE00010.
 */
function binaryOf(element: DataElement): Uint8Array | undefined {
  if (element.fragments) return concat(element.fragments);
  return element.bytes;
}

function jsonValue(value: ElementValue, vr: string, path: Tag[], options: DicomJsonOptions): unknown {
  if (value === null) return null;
  if (vr === 'SQ') return convert(value as DataElements, path, options);
  if (vr === 'PN') {
    // A group of nothing but component delimiters ("^^^^") is an empty name (PS3.5 6.2.1); DCMTK drops it too.
    const name = Object.fromEntries(Object.entries(value as PersonName).filter(([, v]) => !/^\^*$/.test(v)));
    return Object.keys(name).length ? name : null;
  }
  if (typeof value === 'string') {
    if (value === '') return null;
    return NUMERIC_STRING_VRS.has(vr) ? numericString(value) : value;
  }
  return value;
}

function convertElement(element: DataElement, path: Tag[], options: DicomJsonOptions): DicomJson[string] {
  const binary = binaryOf(element);
  if (binary !== undefined) {
    const tag = path[path.length - 1];
    const threshold = options.bulkDataThreshold ?? 1024;
    if (options.bulkDataUri && (tag === '7FE00010' || binary.length >= threshold)) {
      const uri = options.bulkDataUri(path);
      if (uri !== undefined) return { vr: element.vr, BulkDataURI: uri };
    }
    return binary.length
      ? { vr: element.vr, InlineBinary: Buffer.from(binary).toString('base64') }
      : { vr: element.vr };
  }
  const values = (element.Value ?? []).map((v) => jsonValue(v, element.vr, path, options));
  // Empty values are omitted, as DCMTK's dcm2json does (PS3.18 F.2.5 allows either).
  if (values.length === 0 || values.every((v) => v === null)) return { vr: element.vr };
  return { vr: element.vr, Value: values };
}

/**
 * Group Length (gggg,0000) describes one encoding of the data set, not its content, and is retired outside
 * the command and file meta groups (PS3.5 7.2); the DICOM JSON of the same data must not depend on how it
 * was encoded, so it is left out (as dcm2json does, and as PS3.19 A.1.1 does for the Native DICOM Model).
 */
const isGroupLength = (tag: Tag) => tag.endsWith('0000') && !tag.startsWith('0002');

function convert(elements: DataElements, parentPath: Tag[], options: DicomJsonOptions): DicomJson {
  const out: DicomJson = {};
  for (const tag of Object.keys(elements).sort()) {
    if (!options.includeMeta && parentPath.length === 0 && tag.startsWith('0002')) continue;
    if (isGroupLength(tag)) continue;
    out[tag] = convertElement(elements[tag]!, [...parentPath, tag], options);
  }
  return out;
}

export function toDicomJson(dataset: DicomDataset, options: DicomJsonOptions = {}): DicomJson {
  const elements = options.includeMeta ? { ...dataset.meta, ...dataset.elements } : dataset.elements;
  return convert(elements, [], options);
}
