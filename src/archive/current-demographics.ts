import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  modifyAttributes,
  scanHeaderPrefix,
  tags,
  transferSyntax,
  type DicomHeader,
} from '../lib/dicom/index.js';
import { normalizePersonName } from '../patients/index.js';
import type { BlobKey, BlobStore } from '../platform/storage/index.js';
import { normalizeDate, readInstanceAttributes } from './instance-attributes.js';

/** The identity of the patient a study belongs to now, from its `patient` row. */
export interface CurrentPatient {
  patientId: string;
  issuerOfPatientId: string;
  patientName: string | null;
  birthDate: string | null;
  sex: string | null;
}

/** The header's identity as InstanceAttributes.patient holds it (read at ingest), or the patient row's. */
interface PatientIdentityValues {
  patientId: string;
  issuerOfPatientId: string;
  patientName?: string | null | undefined;
  birthDate?: string | null | undefined;
  sex?: string | null | undefined;
}

const keyOf = (p: PatientIdentityValues, name: string | null | undefined) =>
  JSON.stringify([p.patientId, p.issuerOfPatientId, name ?? '', p.birthDate ?? '', p.sex ?? '']);

/**
 * A file header's patient identity as one comparable string, the values as demographicChanges compares them
 * (the name normalized, the birth date as ingest normalizes it). Ingest stores it in instance.header_patient.
 */
export const headerDemographicsKey = (header: PatientIdentityValues): string =>
  keyOf(header, normalizePersonName(header.patientName ?? undefined));

/**
 * The patient row's identity as the same string: when it equals a file's headerDemographicsKey,
 * demographicChanges finds nothing to change, so retrieve sends the file as stored without reading its header.
 */
export const currentDemographicsKey = (current: CurrentPatient): string =>
  keyOf(current, current.patientName);

/**
 * How one stored file differs from its patient's current demographics: the elements to re-encode in the part
 * before the Pixel Data element (`prefixLength` bytes of the blob), and how long that part is once corrected.
 * Small on purpose: the corrected bytes are made again when the file is opened, not kept.
 */
export interface DemographicsCorrection {
  changes: Record<string, string>;
  prefixLength: number;
  correctedPrefixLength: number;
}

const FIRST_READ = 64 * 1024;
/** A header (or a whole file without pixel data) larger than this is sent as stored. */
const MAX_PREFIX_BYTES = 16 * 1024 * 1024;

const PIXEL_DATA_TAG = [0xe0, 0x7f, 0x10, 0x00]; // (7FE0,0010), little endian

/**
 * The header prefix of a stored file: its first `pixelDataOffset` bytes when the index knows them (one read),
 * else 64 KiB doubled until the scan reaches the pixel data or the end of the file. Undefined past the bound.
 */
async function readPrefix(
  blobs: BlobStore,
  key: BlobKey,
  size: number,
  pixelDataOffset: number | null,
): Promise<{ prefix: Buffer; header: DicomHeader } | undefined> {
  let length = Math.min(size, pixelDataOffset ? pixelDataOffset : FIRST_READ);
  for (;;) {
    if (length > MAX_PREFIX_BYTES) return undefined;
    const prefix = await buffer(blobs.open(key, { start: 0, end: length - 1 }));
    const header = scanHeaderPrefix(prefix, size);
    if (header) return { prefix, header };
    if (length >= size) return undefined;
    length = Math.min(size, Math.max(length * 2, FIRST_READ));
  }
}

/** The elements whose stored value is not the current one, with the value to send instead. */
export function demographicChanges(header: DicomHeader, current: CurrentPatient): Record<string, string> {
  const changes: Record<string, string> = {};
  // Files without a Patient ID all reconcile to the one patient with an empty ID: that row is no identity
  // (its demographics are whichever such file came first), so nothing from it is applied.
  if (current.patientId === '') return changes;
  const stored = (tag: string) => header.string(tag) || undefined;
  const compare = (tag: string, storedValue: string | undefined, now: string | null) => {
    if ((storedValue ?? '') !== (now ?? '')) changes[tag] = now ?? '';
  };
  compare(tags.PatientID, stored(tags.PatientID), current.patientId);
  compare(tags.IssuerOfPatientID, stored(tags.IssuerOfPatientID), current.issuerOfPatientId);
  // Compared as the index records them at ingest, so a file the row was made from is never "different".
  compare(tags.PatientName, normalizePersonName(stored(tags.PatientName)), current.patientName);
  compare(tags.PatientBirthDate, normalizeDate(stored(tags.PatientBirthDate)), current.birthDate);
  compare(tags.PatientSex, stored(tags.PatientSex), current.sex);
  if (Object.keys(changes).length === 0) return changes;
  // Non-ASCII values in a file in the default repertoire: UTF-8 is a superset of it, so nothing else changes.
  const charset = header.specificCharacterSet[0]?.trim() ?? '';
  const nonAscii = Object.values(changes).some((v) => /[^\x00-\x7f]/.test(v)); // eslint-disable-line no-control-regex
  if (nonAscii && (charset === '' || charset === 'ISO_IR 6'))
    changes[tags.SpecificCharacterSet] = 'ISO_IR 192';
  return changes;
}

/** Where the Pixel Data element begins in `prefix` (its end when the file has none), or undefined. */
function pixelDataElementStart(header: DicomHeader, prefix: Buffer, size: number): number | undefined {
  if (header.pixelDataOffset === undefined) return prefix.length >= size ? size : undefined;
  const start = header.pixelDataOffset - (transferSyntax(header.transferSyntaxUid).implicitVr ? 8 : 12);
  if (start < header.datasetOffset || start + 4 > prefix.length) return undefined;
  return PIXEL_DATA_TAG.every((byte, i) => prefix[start + i] === byte) ? start : undefined;
}

/** What reading a stored file's header showed: the correction to apply, and the header's identity key. */
export interface DemographicsPlan {
  /** Undefined: the file is sent as stored. */
  correction?: DemographicsCorrection;
  /** headerDemographicsKey of the header, when it was read (for rows stored before ingest recorded it). */
  headerPatient?: string;
}

/**
 * Compares a stored file's header with its patient's current demographics: no correction when they agree (the
 * file is sent as stored), else the correction to apply on the way out. Deflated and big endian files, files
 * whose header cannot be read within the bound, and anything that fails are sent as stored.
 */
export async function planDemographicsCorrection(
  blobs: BlobStore,
  key: BlobKey,
  size: number,
  pixelDataOffset: number | null,
  current: CurrentPatient,
): Promise<DemographicsPlan> {
  let headerPatient: string | undefined;
  try {
    const read = await readPrefix(blobs, key, size, pixelDataOffset);
    if (!read) return {};
    const { prefix, header } = read;
    headerPatient = headerDemographicsKey(readInstanceAttributes(header, size).patient);
    const plan = { headerPatient };
    const syntax = transferSyntax(header.transferSyntaxUid);
    if (syntax.deflated || syntax.bigEndian) return plan;
    const changes = demographicChanges(header, current);
    if (Object.keys(changes).length === 0) return plan;
    const prefixLength = pixelDataElementStart(header, prefix, size);
    if (prefixLength === undefined) return plan;
    const corrected = modifyAttributes(prefix.subarray(0, prefixLength), changes);
    // The meta group is not changed, so the data set still begins where it did.
    if (
      !Buffer.from(corrected.subarray(0, header.datasetOffset)).equals(
        prefix.subarray(0, header.datasetOffset),
      )
    ) {
      return plan;
    }
    return { ...plan, correction: { changes, prefixLength, correctedPrefixLength: corrected.length } };
  } catch {
    return headerPatient === undefined ? {} : { headerPatient };
  }
}

/**
 * The corrected file from byte `from` (0, or the data set offset for DIMSE): the header part re-encoded with
 * the current values, then the stored bytes from the Pixel Data element on, streamed from the blob.
 */
export function openCorrected(
  blobs: BlobStore,
  key: BlobKey,
  size: number,
  correction: DemographicsCorrection,
  from: number,
): Readable {
  async function* bytes() {
    const { prefixLength, correctedPrefixLength, changes } = correction;
    const prefix = await buffer(blobs.open(key, { start: 0, end: prefixLength - 1 }));
    const corrected = modifyAttributes(prefix, changes);
    // The size was announced before streaming (Content-Length): the same bytes or none.
    if (corrected.length !== correctedPrefixLength) {
      throw new Error('stored file changed while it was being retrieved');
    }
    yield Buffer.from(corrected.buffer, corrected.byteOffset + from, corrected.length - from);
    if (prefixLength < size) yield* blobs.open(key, { start: prefixLength, end: size - 1 });
  }
  return Readable.from(bytes(), { objectMode: false });
}
