import type { Tag } from './dictionary.js';

/** A person name value split into its component groups (PS3.5 6.2.1), as in DICOM JSON (PS3.18 F.2.2). */
export interface PersonName {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

/** Text values stay text (DS and IS keep their original digits), binary numbers are numbers, SQ items nest. */
export type ElementValue = string | number | PersonName | DataElements | null;

export interface DataElement {
  vr: string;
  /** Text, numeric, AT ('GGGGEEEE'), PN or SQ item values; absent when the value is empty. */
  Value?: ElementValue[];
  /** Native binary value (OB, OD, OF, OL, OV, OW, UN), always in little-endian byte order. */
  bytes?: Uint8Array;
  /** Encapsulated pixel data (PS3.5 A.4): the fragments after the Basic Offset Table item. */
  fragments?: Uint8Array[];
  /** Basic Offset Table entries (PS3.5 A.4), empty when the table is empty. */
  basicOffsetTable?: number[];
}

export type DataElements = Record<Tag, DataElement>;

/**
 * A fully read data set. Binary values are views into the bytes that were read (or into the inflated copy
 * for deflated input), except big-endian binary values, which are copied to little-endian order.
 */
export interface DicomDataset {
  transferSyntaxUid: string;
  hasFileMeta: boolean;
  /** File meta information (group 0002), empty for a bare data set. */
  meta: DataElements;
  elements: DataElements;
}

export const TEXT_VRS = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
export const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** Text VRs with value multiplicity 1, where a backslash is data, not a delimiter (PS3.5 6.2). */
export const SINGLE_VALUED_TEXT_VRS = new Set(['LT', 'ST', 'UT', 'UR']);
export const NUMBER_SIZES: Record<string, number> = {
  US: 2,
  SS: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  FD: 8,
  SV: 8,
  UV: 8,
  AT: 4,
};
/** Size of the word that a big-endian encoding swaps, per binary VR (PS3.5 7.3). */
export const SWAP_SIZES: Record<string, number> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };
