/**
 * Transfer syntaxes (PS3.5 Section 10 and Annex A, PS3.6 Annex A).
 * Every transfer syntax other than the two native little-endian ones, explicit big endian (retired) and
 * deflate encodes the data set as Explicit VR Little Endian with encapsulated pixel data (PS3.5 A.4),
 * which is what an unknown UID is assumed to be.
 */
export interface TransferSyntax {
  uid: string;
  name: string;
  implicitVr: boolean;
  bigEndian: boolean;
  deflated: boolean;
  encapsulated: boolean;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

function ts(
  uid: string,
  name: string,
  flags: Partial<Omit<TransferSyntax, 'uid' | 'name'>> = {},
): TransferSyntax {
  return { uid, name, implicitVr: false, bigEndian: false, deflated: false, encapsulated: true, ...flags };
}

const native = { encapsulated: false };

export const transferSyntaxes: ReadonlyMap<string, TransferSyntax> = new Map(
  [
    ts(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', { ...native, implicitVr: true }),
    ts(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', native),
    ts('1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian'),
    ts(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', {
      ...native,
      deflated: true,
    }),
    ts(EXPLICIT_VR_BIG_ENDIAN, 'Explicit VR Big Endian (Retired)', { ...native, bigEndian: true }),
    ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)'),
    ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)'),
    ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)'),
    ts(
      '1.2.840.10008.1.2.4.70',
      'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [SV1])',
    ),
    ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression'),
    ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression'),
    ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)'),
    ts('1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression'),
    ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)'),
    ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression'),
    ts('1.2.840.10008.1.2.4.94', 'JPIP Referenced', native),
    ts('1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', { ...native, deflated: true }),
    ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level'),
    ts('1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level'),
    ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1'),
    ts('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1'),
    ts('1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video'),
    ts('1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video'),
    ts('1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2'),
    ts('1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1'),
    ts('1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1'),
    ts('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless'),
    ts('1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression'),
    ts('1.2.840.10008.1.2.4.112', 'JPEG XL'),
    ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)'),
    ts(
      '1.2.840.10008.1.2.4.202',
      'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
    ),
    ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression'),
    ts('1.2.840.10008.1.2.5', 'RLE Lossless'),
  ].map((t) => [t.uid, t]),
);

/** Known syntax, or the PS3.5 A.4 default (explicit VR little endian, encapsulated) for an unknown UID. */
export function transferSyntax(uid: string): TransferSyntax {
  return transferSyntaxes.get(uid) ?? ts(uid, uid);
}

export function transferSyntaxName(uid: string): string | undefined {
  return transferSyntaxes.get(uid)?.name;
}
export function isImplicitVr(uid: string): boolean {
  return transferSyntax(uid).implicitVr;
}
export function isBigEndian(uid: string): boolean {
  return transferSyntax(uid).bigEndian;
}
export function isDeflated(uid: string): boolean {
  return transferSyntax(uid).deflated;
}
export function isEncapsulated(uid: string): boolean {
  return transferSyntax(uid).encapsulated;
}
