// The CT corpus of the DICOMweb bench (test/support/synthetic-ct.ts, 512 × 512, 16-bit, about 525 KB a file):
// - the retrieve study: 4 series × 25 instances (about 52 MB), as in the import and DIMSE benches; its middle
//   instance is the one whose frame and rendered image are timed;
// - the metadata study: 10 series of a tenth of `metadataInstances` each (1,000 by default, about 525 MB).
// Both go to every server with STOW-RS.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { writeSyntheticStudy } from '../../test/support/synthetic-ct.js';
import { readDataset } from '../../src/lib/dicom/index.js';
import { folderSize } from '../import/measure.js';

export interface CtStudy {
  studyInstanceUid: string;
  files: string[];
  bytes: number;
}

export interface CtCorpus {
  folder: string;
  retrieve: CtStudy;
  metadata: CtStudy;
  /** The middle instance of the retrieve study's first series. */
  frameInstance: { seriesInstanceUid: string; sopInstanceUid: string; rows: number; columns: number };
  files: string[];
  bytes: number;
  generationSeconds: number;
}

async function study(
  folder: string,
  options: { seed: number; series: number; perSeries: number; patient: string; date: string },
): Promise<CtStudy> {
  const written = await writeSyntheticStudy(folder, {
    seed: options.seed,
    series: options.series,
    instancesPerSeries: options.perSeries,
    patientId: options.patient,
    patientName: `SYNTHETIC^DICOMWEB ${options.patient}`,
    studyDate: options.date,
  });
  return {
    studyInstanceUid: written.studyInstanceUid,
    files: written.files,
    bytes: folderSize(folder).bytes,
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value ?? '');
}

export async function writeCtCorpus(folder: string, metadataInstances: number): Promise<CtCorpus> {
  const started = performance.now();
  const retrieve = await study(join(folder, 'retrieve'), {
    seed: 7001,
    series: 4,
    perSeries: 25,
    patient: 'DW-1',
    date: '20240105',
  });
  const metadata = await study(join(folder, 'metadata'), {
    seed: 7002,
    series: 10,
    perSeries: Math.ceil(metadataInstances / 10),
    patient: 'DW-2',
    date: '20240106',
  });
  const middle = retrieve.files[12] as string; // series 1, instance 13 of 25
  const { elements } = readDataset(await readFile(middle));
  return {
    folder,
    retrieve,
    metadata,
    frameInstance: {
      seriesInstanceUid: text(elements['0020000E']?.Value?.[0]),
      sopInstanceUid: text(elements['00080018']?.Value?.[0]),
      rows: Number(elements['00280010']?.Value?.[0]),
      columns: Number(elements['00280011']?.Value?.[0]),
    },
    files: [...retrieve.files, ...metadata.files],
    bytes: retrieve.bytes + metadata.bytes,
    generationSeconds: (performance.now() - started) / 1000,
  };
}

/** Another study (other patient and UIDs) sent before each timed STOW-RS run, untimed: `instances` files. */
export async function writeWarmUpStudy(folder: string, instances: number): Promise<CtStudy> {
  return study(folder, {
    seed: 7003,
    series: 10,
    perSeries: Math.ceil(instances / 10),
    patient: 'DW-WARM',
    date: '20240107',
  });
}
