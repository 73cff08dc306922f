// A multi-frame CT instance for the viewer's cine: frames of a synthetic series joined into one file's
// Pixel Data with Number of Frames set, at the byte level of the synthetic files' explicit VR little endian.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syntheticCtInstance, syntheticUid } from '../support/synthetic-ct.js';

export async function writeMultiFrameInstance(
  folder: string,
  options: {
    frames: number;
    rows: number;
    columns: number;
    patientId: string;
    patientName: string;
    seed: number;
  },
): Promise<string> {
  const studyInstanceUid = syntheticUid(`${options.seed}/multiframe-study`);
  const shared = {
    ...options,
    studyInstanceUid,
    seriesInstanceUid: syntheticUid(`${options.seed}/multiframe-series`),
    sopInstanceUid: syntheticUid(`${options.seed}/multiframe-instance`),
    instancesInSeries: options.frames,
    seriesDescription: 'Multi-frame cine',
  };
  const files = Array.from({ length: options.frames }, (_, i) =>
    syntheticCtInstance({ ...shared, instanceNumber: i + 1 }),
  );
  const frameBytes = options.rows * options.columns * 2;
  const first = files[0]!;
  const pixelHeader = first.length - frameBytes - 12; // (7FE0,0010) OW: tag, VR, 2 reserved, 4-byte length
  // (0028,0008) Number of Frames goes right before (0028,0010) Rows, in tag order.
  const rows = Buffer.from(first).indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53]));
  if (rows < 0 || rows > pixelHeader) throw new Error('no Rows element in the synthetic instance');
  const digits = String(options.frames);
  const count = digits.length % 2 ? `${digits} ` : digits; // DICOM values have even lengths
  const numberOfFrames = Buffer.concat([
    Buffer.from([0x28, 0x00, 0x08, 0x00, 0x49, 0x53, count.length, 0x00]),
    Buffer.from(count, 'ascii'),
  ]);
  const pixelLength = Buffer.alloc(4);
  pixelLength.writeUInt32LE(frameBytes * options.frames);
  const file = Buffer.concat([
    first.subarray(0, rows),
    numberOfFrames,
    first.subarray(rows, pixelHeader + 8),
    pixelLength,
    ...files.map((f) => f.subarray(f.length - frameBytes)),
  ]);
  await mkdir(folder, { recursive: true });
  const path = join(folder, 'multiframe.dcm');
  await writeFile(path, file);
  return studyInstanceUid;
}
