// The corpora of the DIMSE bench, written in 4 part folders (`part-0` … `part-3`, whole studies in each) so that
// one storescu can send the whole folder over one association (+r) and four can send one part each.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  syntheticCtInstance,
  syntheticUid,
  writeSyntheticStudies,
  writeSyntheticStudy,
} from '../../test/support/synthetic-ct.js';
import { folderSize } from '../import/measure.js';

export const PARTS = 4;
export const SEED = 2024;
const INSTANCES_PER_STUDY = 100; // 4 series × 25 slices, as in the import bench

export interface Corpus {
  folder: string;
  /** part-0 … part-3 under `folder`. */
  parts: string[];
  instances: number;
  bytes: number;
  studies: { studyInstanceUid: string; instances: number }[];
  generationSeconds: number;
}

function partFolders(folder: string): string[] {
  const parts = Array.from({ length: PARTS }, (_, k) => join(folder, `part-${k}`));
  for (const part of parts) mkdirSync(part, { recursive: true });
  return parts;
}

/**
 * The CT set of the import bench: studies of 4 series × 25 slices, 512 × 512, 16-bit (about 525 KB each), two
 * studies a patient (`SYN2024-1` …), plus one smaller study for a remainder. Study i goes to part i mod 4.
 * Another seed gives other patients and UIDs (the warm-up set).
 */
export async function writeCtCorpus(folder: string, instances: number, seed = SEED): Promise<Corpus> {
  const started = performance.now();
  const parts = partFolders(folder);
  const staging = join(folder, 'staging');
  const studies: Corpus['studies'] = [];
  const count = Math.floor(instances / INSTANCES_PER_STUDY);
  if (count > 0) {
    const written = await writeSyntheticStudies(staging, {
      studies: count,
      seriesPerStudy: 4,
      instancesPerSeries: 25,
      seed,
    });
    for (const uid of written.studyInstanceUids)
      studies.push({ studyInstanceUid: uid, instances: INSTANCES_PER_STUDY });
  }
  const rest = instances % INSTANCES_PER_STUDY;
  if (rest > 0) {
    const written = await writeSyntheticStudy(join(staging, 'study-rest'), {
      series: 1,
      instancesPerSeries: rest,
      seed: seed * 2,
    });
    studies.push({ studyInstanceUid: written.studyInstanceUid, instances: rest });
  }
  const names = readdirSync(staging).sort();
  for (const [index, name] of names.entries())
    renameSync(join(staging, name), join(parts[index % PARTS] as string, name));
  rmSync(staging, { recursive: true, force: true });
  const { files, bytes } = folderSize(folder);
  return {
    folder,
    parts,
    instances: files,
    bytes,
    studies,
    generationSeconds: (performance.now() - started) / 1000,
  };
}

const WRITES_IN_FLIGHT = 8;

/**
 * An index-sized corpus of small instances (16 × 16 pixels, about 2 KB each): studies of `perStudy` instances
 * in one series, two studies a patient, with the patient IDs and names of the CT set (`SYN2024-<n>`,
 * `SYNTHETIC^PATIENT 2024-<n>`) so that the same queries apply; study dates spread over 2015-2024.
 */
export async function writeSmallCorpus(folder: string, instances: number, perStudy = 5): Promise<Corpus> {
  const started = performance.now();
  const parts = partFolders(folder);
  const studies: Corpus['studies'] = [];
  const pending: Promise<void>[] = [];
  const studyCount = Math.ceil(instances / perStudy);
  for (let study = 1; study <= studyCount; study++) {
    const patient = Math.ceil(study / 2);
    const inStudy = Math.min(perStudy, instances - (study - 1) * perStudy);
    const studyInstanceUid = syntheticUid(`small-index/${SEED}/study/${study}`);
    const studyFolder = join(parts[study % PARTS] as string, `study-${String(study).padStart(7, '0')}`);
    mkdirSync(studyFolder);
    for (let instance = 1; instance <= inStudy; instance++) {
      const bytes = syntheticCtInstance({
        seed: study,
        patientId: `SYN${SEED}-${patient}`,
        patientName: `SYNTHETIC^PATIENT ${SEED}-${patient}`,
        studyInstanceUid,
        seriesNumber: 1,
        instanceNumber: instance,
        instancesInSeries: inStudy,
        rows: 16,
        columns: 16,
      });
      pending.push(writeFile(join(studyFolder, `${String(instance).padStart(4, '0')}.dcm`), bytes));
      if (pending.length >= WRITES_IN_FLIGHT) await pending.shift();
    }
    studies.push({ studyInstanceUid, instances: inStudy });
  }
  await Promise.all(pending);
  const { files, bytes } = folderSize(folder);
  return {
    folder,
    parts,
    instances: files,
    bytes,
    studies,
    generationSeconds: (performance.now() - started) / 1000,
  };
}
