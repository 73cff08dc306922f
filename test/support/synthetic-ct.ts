// Synthetic CT studies for tests and benchmarks: DICOM Part 10 files written from scratch (no dependency on
// src/lib/dicom, so that library can be tested against these files rather than against itself).
//
// What the files are:
// - CT Image Storage (1.2.840.10008.5.1.4.1.1.2), Explicit VR Little Endian (1.2.840.10008.1.2.1).
// - Default 512 × 512, BitsAllocated 16, BitsStored 12, HighBit 11, PixelRepresentation 0 (unsigned),
//   MONOCHROME2, RescaleIntercept -1024, RescaleSlope 1: stored value = HU + 1024, clamped to 0..4095. Unsigned
//   storage with a -1024 intercept is the most common layout from scanners, so it is what importers meet most.
// - The Type 1 and 2 attributes of the CT Image IOD (PS3.3 A.3): Patient, General Study, General Series, Frame of
//   Reference, General Equipment, General Image, Image Plane, Image Pixel, CT Image, VOI LUT, SOP Common.
//   `dciodvfy` reports no errors; it may print warnings (see synthetic-ct.test.ts for what is checked).
// - Pixel data: a torso phantom (body, fat, lungs, heart, aorta, spine, table) whose shapes change with the slice
//   position, plus seeded noise, so every file differs and compresses like a real CT (roughly 2-3× lossless).
// - UIDs are '2.25.' + the decimal of a 128-bit number (PS3.5 B.2), derived deterministically from the seed.
// - Each 512 × 512 file is about 525 KB (524,288 bytes of pixels plus a ~1.4 KB header).
import { mkdir, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface SyntheticStudyOptions {
  patientId?: string;
  patientName?: string;
  studyInstanceUid?: string;
  /** Number of series (default 2). */
  series?: number;
  /** Slices per series (default 10). */
  instancesPerSeries?: number;
  rows?: number;
  columns?: number;
  /** Everything not given (UIDs, dates, noise, anatomy) is derived from this (default 1). */
  seed?: number;
  /** DICOM DA, YYYYMMDD. */
  studyDate?: string;
  accessionNumber?: string;
  /** Written to (0008,0060) only; the SOP class stays CT Image Storage (default 'CT'). */
  modality?: string;
}

/** One instance; anything left out is derived from `seed`. */
export interface SyntheticCtInstanceParams {
  seed?: number;
  patientId?: string;
  patientName?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  frameOfReferenceUid?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  modality?: string;
  /** 1-based. */
  seriesNumber?: number;
  /** 1-based; slice position increases with it. */
  instanceNumber?: number;
  /** Used to spread the anatomy over the series (default 25). */
  instancesInSeries?: number;
  rows?: number;
  columns?: number;
  studyDescription?: string;
  seriesDescription?: string;
  referringPhysicianName?: string;
  bodyPartExamined?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness

/** A 32-bit integer hash with good avalanche (xor-shift / multiply rounds). */
function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function hashString(text: string, lane = 0): number {
  let h = mix32(0x9e3779b9 ^ Math.imul(lane + 1, 0x85ebca6b));
  for (let i = 0; i < text.length; i++) h = mix32(h ^ Math.imul(text.charCodeAt(i) + 1, 0xcc9e2d51));
  return mix32(h ^ text.length);
}

/** Counter-based generator: returns uint32 values. */
function random32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state);
  };
}

/** '2.25.' + a 128-bit number derived from `key` (PS3.5 B.2); at most 44 characters. */
export function syntheticUid(key: string): string {
  let value = 0n;
  for (let lane = 0; lane < 4; lane++) value = (value << 32n) | BigInt(hashString(key, lane));
  return `2.25.${value.toString()}`;
}

function digits(key: string, count: number): string {
  return String(hashString(key) % 10 ** Math.min(count, 9)).padStart(count, '0');
}

/** A DICOM date (YYYYMMDD) between 2015-01-01 and about 2024-12-31. */
function dateFrom(key: string, fromYear = 2015, years = 10): string {
  const day = hashString(key) % (years * 365);
  const date = new Date(Date.UTC(fromYear, 0, 1) + day * 86_400_000);
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

// ---------------------------------------------------------------------------------------------------------------
// Part 10 encoding (PS3.10 7.1, PS3.5 7.1.2): explicit VR little endian; values padded to even length

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

class ElementWriter {
  private bytes = new Uint8Array(4096);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Element header; for long VRs the value length may be written later by the caller. */
  header(tag: number, vr: string, valueLength: number): void {
    const long = LONG_VRS.has(vr);
    this.reserve(long ? 12 : 8);
    const at = this.length;
    this.view.setUint16(at, tag >>> 16, true);
    this.view.setUint16(at + 2, tag & 0xffff, true);
    this.bytes[at + 4] = vr.charCodeAt(0);
    this.bytes[at + 5] = vr.charCodeAt(1);
    if (long) {
      this.view.setUint16(at + 6, 0, true);
      this.view.setUint32(at + 8, valueLength, true);
      this.length += 12;
    } else {
      if (valueLength > 0xffff) throw new RangeError(`value too long for ${vr}`);
      this.view.setUint16(at + 6, valueLength, true);
      this.length += 8;
    }
  }

  /** A text VR (AE CS DA DS IS LO PN SH TM UI…); UI pads with NUL, the others with a space. */
  text(tag: number, vr: string, value: string): void {
    const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
    this.header(tag, vr, padded.length);
    this.reserve(padded.length);
    for (let i = 0; i < padded.length; i++) {
      const code = padded.charCodeAt(i);
      if (code > 0x7e) throw new RangeError(`non-ASCII character in ${vr} value`);
      this.bytes[this.length + i] = code;
    }
    this.length += padded.length;
  }

  us(tag: number, value: number): void {
    this.header(tag, 'US', 2);
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  ul(tag: number, value: number): void {
    this.header(tag, 'UL', 4);
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  ob(tag: number, value: Uint8Array): void {
    const padded = value.length % 2 === 0 ? value : Uint8Array.from([...value, 0]);
    this.header(tag, 'OB', padded.length);
    this.reserve(padded.length);
    this.bytes.set(padded, this.length);
    this.length += padded.length;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Decimal String: at most 16 characters (PS3.5 6.2). */
function ds(value: number): string {
  for (let precision = 16; precision >= 6; precision--) {
    const text = String(Number(value.toPrecision(precision)));
    if (text.length <= 16) return text;
  }
  throw new RangeError(`DS value does not fit 16 characters: ${value}`);
}

const IMPLEMENTATION_CLASS_UID = syntheticUid('lantern synthetic-ct implementation');

function fileMetaInformation(sopInstanceUid: string): Uint8Array {
  const body = new ElementWriter();
  body.ob(0x00020001, Uint8Array.of(0, 1));
  body.text(0x00020002, 'UI', CT_IMAGE_STORAGE);
  body.text(0x00020003, 'UI', sopInstanceUid);
  body.text(0x00020010, 'UI', EXPLICIT_VR_LITTLE_ENDIAN);
  body.text(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID);
  body.text(0x00020013, 'SH', 'LANTERN_SYNTH');
  const group = new ElementWriter();
  group.ul(0x00020000, body.length);
  const out = new Uint8Array(132 + group.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128); // 128-byte zero preamble, then 'DICM'
  out.set(group.result(), 132);
  out.set(body.result(), 132 + group.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The phantom

const AIR_HU = -1000;
const NOISE_TABLE_SIZE = 1 << 16;
let noiseTable: Int16Array | undefined;
let baseCache: Int16Array | undefined;

/** Gaussian-ish noise, sigma ≈ 10 HU, built once; slices read it at random offsets. */
function noise(columns: number): Int16Array {
  if (noiseTable !== undefined && noiseTable.length >= NOISE_TABLE_SIZE + columns) return noiseTable;
  const next = random32(0x5eed);
  const table = new Int16Array(NOISE_TABLE_SIZE + columns);
  for (let i = 0; i < table.length; i++) {
    // Sum of four uniforms in [-0.5, 0.5): variance 1/3, so ×17.3 gives sigma ≈ 10.
    const sum = next() / 2 ** 32 + next() / 2 ** 32 + next() / 2 ** 32 + next() / 2 ** 32 - 2;
    table[i] = Math.round(sum * 17.3);
  }
  noiseTable = table;
  return table;
}

/** Centre and radii in pixels, value in HU. */
type Ellipse = { cx: number; cy: number; rx: number; ry: number; hu: number };

/** Fills an ellipse (centre and radii in pixels) with `hu` on a row-major image, one span a row. */
function ellipse(image: Int16Array, columns: number, rows: number, e: Ellipse): void {
  const top = Math.max(0, Math.ceil(e.cy - e.ry));
  const bottom = Math.min(rows - 1, Math.floor(e.cy + e.ry));
  for (let y = top; y <= bottom; y++) {
    const dy = (y + 0.5 - e.cy) / e.ry;
    if (dy <= -1 || dy >= 1) continue;
    const half = e.rx * Math.sqrt(1 - dy * dy);
    const x0 = Math.max(0, Math.ceil(e.cx - half - 0.5));
    const x1 = Math.min(columns - 1, Math.floor(e.cx + half - 0.5));
    if (x1 >= x0) image.fill(e.hu, y * columns + x0, y * columns + x1 + 1);
  }
}

/**
 * Renders one axial slice into `pixels` as stored values (HU + 1024, 0..4095). `position` runs from 0 (upper
 * chest) to 1 (upper abdomen) across the series; `bodyScale` varies the patient's size.
 */
function renderSlice(
  pixels: Uint16Array,
  rows: number,
  columns: number,
  position: number,
  bodyScale: number,
  noiseSeed: number,
  noiseGain: number,
): void {
  const size = rows * columns;
  if (baseCache === undefined || baseCache.length < size) baseCache = new Int16Array(size);
  const base = baseCache.subarray(0, size);
  base.fill(AIR_HU);
  const cx = columns / 2;
  const cy = rows / 2 + rows * 0.03;
  const w = columns * bodyScale;
  const h = rows * bodyScale;
  const lung = Math.max(0, Math.sin(Math.PI * Math.min(1, 0.15 + position * 0.95)));
  const liver = Math.max(0, (position - 0.45) / 0.55);
  const shapes: Ellipse[] = [
    { cx, cy: cy + h * 0.3 + 6, rx: columns * 0.42, ry: rows * 0.012 + 1, hu: 250 }, // table
    { cx, cy, rx: w * 0.4, ry: h * 0.28, hu: -100 }, // subcutaneous fat
    { cx, cy, rx: w * 0.37, ry: h * 0.25, hu: 40 }, // muscle and soft tissue
    { cx: cx - w * 0.17, cy: cy - h * 0.03, rx: w * 0.13 * lung, ry: h * 0.18 * lung, hu: -850 }, // right lung
    { cx: cx + w * 0.17, cy: cy - h * 0.03, rx: w * 0.12 * lung, ry: h * 0.17 * lung, hu: -860 }, // left lung
    { cx: cx + w * 0.04, cy: cy - h * 0.05, rx: w * 0.1 * (1 - liver), ry: h * 0.09 * (1 - liver), hu: 45 }, // heart
    { cx: cx - w * 0.12, cy: cy - h * 0.02, rx: w * 0.2 * liver, ry: h * 0.15 * liver, hu: 60 }, // liver
    { cx: cx + w * 0.03, cy: cy + h * 0.09, rx: w * 0.028, ry: h * 0.028, hu: 180 }, // aorta with contrast
    { cx, cy: cy + h * 0.15, rx: w * 0.05, ry: h * 0.045, hu: 900 }, // vertebral cortex
    { cx, cy: cy + h * 0.15, rx: w * 0.042, ry: h * 0.037, hu: 300 }, // vertebral body
    { cx, cy: cy + h * 0.215, rx: w * 0.018, ry: h * 0.016, hu: 20 }, // spinal canal
  ];
  for (const shape of shapes) if (shape.rx >= 0.5 && shape.ry >= 0.5) ellipse(base, columns, rows, shape);

  const table = noise(columns);
  const next = random32(noiseSeed);
  for (let y = 0; y < rows; y++) {
    const offset = next() % NOISE_TABLE_SIZE;
    const row = y * columns;
    for (let x = 0; x < columns; x++) {
      const value = (base[row + x] as number) + 1024 + (table[offset + x] as number) * noiseGain;
      pixels[row + x] = value < 0 ? 0 : value > 4095 ? 4095 : value;
    }
  }
  if (endianness() === 'BE') {
    for (let i = 0; i < size; i++) {
      const v = pixels[i] as number;
      pixels[i] = ((v & 0xff) << 8) | (v >>> 8);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One instance

const SLICE_SPACING_MM = 2.5;
const FIELD_OF_VIEW_MM = 350;

/** One complete Part 10 file (preamble, file meta information, data set, pixel data). */
export function syntheticCtInstance(params: SyntheticCtInstanceParams = {}): Uint8Array {
  const seed = params.seed ?? 1;
  const rows = params.rows ?? 512;
  const columns = params.columns ?? 512;
  const seriesNumber = params.seriesNumber ?? 1;
  const instanceNumber = params.instanceNumber ?? 1;
  const instancesInSeries = Math.max(params.instancesInSeries ?? 25, instanceNumber);
  const patientId = params.patientId ?? `SYN${seed}`;
  const studyUid = params.studyInstanceUid ?? syntheticUid(`${seed}/study`);
  const seriesUid = params.seriesInstanceUid ?? syntheticUid(`${studyUid}/series/${seriesNumber}`);
  const sopUid = params.sopInstanceUid ?? syntheticUid(`${seriesUid}/instance/${instanceNumber}`);
  const studyDate = params.studyDate ?? dateFrom(`${studyUid}/date`);
  const studyTime = params.studyTime ?? `${String(7 + (hashString(studyUid) % 12)).padStart(2, '0')}3000`;
  const spacing = FIELD_OF_VIEW_MM / Math.max(rows, columns);
  const sliceLocation = -100 - (instancesInSeries - instanceNumber) * SLICE_SPACING_MM;
  const sharp = seriesNumber % 2 === 0; // even series: a lung kernel with more noise

  const d = new ElementWriter();
  d.text(0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL');
  d.text(0x00080016, 'UI', CT_IMAGE_STORAGE);
  d.text(0x00080018, 'UI', sopUid);
  // Study, Series, Acquisition and Content Date, then the same four Times: one moment for the whole study.
  for (const tag of [0x00080020, 0x00080021, 0x00080022, 0x00080023]) d.text(tag, 'DA', studyDate);
  for (const tag of [0x00080030, 0x00080031, 0x00080032, 0x00080033]) d.text(tag, 'TM', studyTime);
  d.text(0x00080050, 'SH', params.accessionNumber ?? `A${digits(`${studyUid}/accession`, 8)}`);
  d.text(0x00080060, 'CS', params.modality ?? 'CT');
  d.text(0x00080070, 'LO', 'Lantern');
  d.text(0x00080080, 'LO', 'Synthetic Hospital');
  d.text(0x00080090, 'PN', params.referringPhysicianName ?? '');
  d.text(0x00081030, 'LO', params.studyDescription ?? 'CT CHEST ABDOMEN');
  d.text(
    0x0008103e,
    'LO',
    params.seriesDescription ?? (sharp ? 'Axial 2.5 mm lung' : 'Axial 2.5 mm soft tissue'),
  );
  d.text(0x00081090, 'LO', 'Synthetic CT');
  d.text(0x00100010, 'PN', params.patientName ?? `SYNTHETIC^PATIENT ${patientId}`);
  d.text(0x00100020, 'LO', patientId);
  d.text(0x00100030, 'DA', params.patientBirthDate ?? dateFrom(`${patientId}/birth`, 1940, 60));
  d.text(0x00100040, 'CS', params.patientSex ?? (hashString(`${patientId}/sex`) % 2 === 0 ? 'F' : 'M'));
  d.text(0x00180015, 'CS', params.bodyPartExamined ?? 'CHEST');
  d.text(0x00180050, 'DS', ds(SLICE_SPACING_MM));
  d.text(0x00180060, 'DS', '120');
  d.text(0x00181020, 'LO', 'lantern-synthetic-ct 1');
  d.text(0x00181100, 'DS', ds(FIELD_OF_VIEW_MM));
  d.text(0x00181151, 'IS', '200');
  d.text(0x00181210, 'SH', sharp ? 'LUNG' : 'STANDARD');
  d.text(0x00185100, 'CS', 'HFS');
  d.text(0x0020000d, 'UI', studyUid);
  d.text(0x0020000e, 'UI', seriesUid);
  d.text(0x00200010, 'SH', params.studyId ?? digits(`${studyUid}/id`, 6));
  d.text(0x00200011, 'IS', String(seriesNumber));
  d.text(0x00200012, 'IS', '1');
  d.text(0x00200013, 'IS', String(instanceNumber));
  const origin = ds(-(spacing * columns) / 2);
  d.text(0x00200032, 'DS', `${origin}\\${ds(-(spacing * rows) / 2)}\\${ds(sliceLocation)}`);
  d.text(0x00200037, 'DS', '1\\0\\0\\0\\1\\0');
  d.text(0x00200052, 'UI', params.frameOfReferenceUid ?? syntheticUid(`${studyUid}/frame-of-reference`));
  d.text(0x00201040, 'LO', '');
  d.text(0x00201041, 'DS', ds(sliceLocation));
  d.us(0x00280002, 1);
  d.text(0x00280004, 'CS', 'MONOCHROME2');
  d.us(0x00280010, rows);
  d.us(0x00280011, columns);
  d.text(0x00280030, 'DS', `${ds(spacing)}\\${ds(spacing)}`);
  d.us(0x00280100, 16);
  d.us(0x00280101, 12);
  d.us(0x00280102, 11);
  d.us(0x00280103, 0);
  d.text(0x00281050, 'DS', sharp ? '-600' : '40');
  d.text(0x00281051, 'DS', sharp ? '1500' : '400');
  d.text(0x00281052, 'DS', '-1024');
  d.text(0x00281053, 'DS', '1');
  d.text(0x00281054, 'LO', 'HU');
  const pixelBytes = rows * columns * 2;
  d.header(0x7fe00010, 'OW', pixelBytes);

  const meta = fileMetaInformation(sopUid);
  const header = d.result();
  const file = new Uint8Array(meta.length + header.length + pixelBytes);
  file.set(meta, 0);
  file.set(header, meta.length);
  // Every element above has an even length, so the pixel data starts at an even offset of a fresh buffer.
  const pixels = new Uint16Array(file.buffer, meta.length + header.length, rows * columns);
  // Patient position HFS: z grows towards the head, so the first (lowest) slice is the most inferior.
  const position =
    instancesInSeries > 1 ? (instancesInSeries - instanceNumber) / (instancesInSeries - 1) : 0.5;
  const bodyScale = 0.85 + (hashString(`${patientId}/size`) % 1000) / 4000;
  renderSlice(pixels, rows, columns, position, bodyScale, hashString(sopUid), sharp ? 2 : 1);
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// Studies on disk

const WRITES_IN_FLIGHT = 4;

/**
 * Writes one study as `<folder>/series-<n>/<instance>.dcm`, one file at a time (a few writes in flight), so memory
 * stays at a few files whatever the study size.
 */
export async function writeSyntheticStudy(
  folder: string,
  options: SyntheticStudyOptions = {},
): Promise<{ studyInstanceUid: string; files: string[] }> {
  const seed = options.seed ?? 1;
  const seriesCount = options.series ?? 2;
  const perSeries = options.instancesPerSeries ?? 10;
  const studyInstanceUid = options.studyInstanceUid ?? syntheticUid(`${seed}/study`);
  const patientId = options.patientId ?? `SYN${seed}`;
  const files: string[] = [];
  const pending: Promise<void>[] = [];
  for (let series = 1; series <= seriesCount; series++) {
    const seriesFolder = join(folder, `series-${String(series).padStart(3, '0')}`);
    await mkdir(seriesFolder, { recursive: true });
    for (let instance = 1; instance <= perSeries; instance++) {
      const bytes = syntheticCtInstance({
        seed,
        patientId,
        ...(options.patientName !== undefined && { patientName: options.patientName }),
        studyInstanceUid,
        ...(options.studyDate !== undefined && { studyDate: options.studyDate }),
        ...(options.accessionNumber !== undefined && { accessionNumber: options.accessionNumber }),
        ...(options.modality !== undefined && { modality: options.modality }),
        seriesNumber: series,
        instanceNumber: instance,
        instancesInSeries: perSeries,
        rows: options.rows ?? 512,
        columns: options.columns ?? 512,
      });
      const path = join(seriesFolder, `${String(instance).padStart(4, '0')}.dcm`);
      files.push(path);
      pending.push(writeFile(path, bytes));
      if (pending.length >= WRITES_IN_FLIGHT) await pending.shift();
    }
  }
  await Promise.all(pending);
  return { studyInstanceUid, files };
}

/**
 * Writes `studies` studies as `<folder>/study-<n>/series-<n>/<instance>.dcm`. Two consecutive studies share a
 * patient (a prior and a current), so patient matching is exercised too.
 */
export async function writeSyntheticStudies(
  folder: string,
  options: {
    studies: number;
    seriesPerStudy: number;
    instancesPerSeries: number;
    seed?: number;
    rows?: number;
    columns?: number;
  },
): Promise<{ files: string[]; studyInstanceUids: string[] }> {
  const seed = options.seed ?? 1;
  const files: string[] = [];
  const studyInstanceUids: string[] = [];
  for (let study = 1; study <= options.studies; study++) {
    const patient = Math.ceil(study / 2);
    const result = await writeSyntheticStudy(join(folder, `study-${String(study).padStart(4, '0')}`), {
      seed: hashString(`${seed}/study/${study}`),
      patientId: `SYN${seed}-${patient}`,
      patientName: `SYNTHETIC^PATIENT ${seed}-${patient}`,
      series: options.seriesPerStudy,
      instancesPerSeries: options.instancesPerSeries,
      rows: options.rows ?? 512,
      columns: options.columns ?? 512,
    });
    files.push(...result.files);
    studyInstanceUids.push(result.studyInstanceUid);
  }
  return { files, studyInstanceUids };
}
