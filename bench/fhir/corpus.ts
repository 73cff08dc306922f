// The FHIR bench's index: the DIMSE bench's small instances (5 a study, two studies a patient, bench/dimse/corpus.ts)
// plus one patient with a longer imaging history (`--history` studies of 5 instances, accession numbers FB0001 …),
// whose studies are searched with _include. Everything is derived from fixed seeds, so a kept index is reused.
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { syntheticCtInstance, syntheticUid } from '../../test/support/synthetic-ct.js';
import { writeSmallCorpus } from '../dimse/corpus.js';

export const PER_STUDY = 5;
export const HISTORY_PATIENT = { patientId: 'FHIRBENCH-1', patientName: 'HISTORY^HELGA' };

export interface HistoryStudy {
  studyInstanceUid: string;
  accessionNumber: string;
}

export interface FhirCorpus {
  instances: number;
  studies: number;
  history: HistoryStudy[];
  /** A patient of the small corpus (two studies) and its studies. */
  other: { patientId: string; studyInstanceUids: string[] };
  generationSeconds: number;
}

export async function writeFhirCorpus(folder: string, studies: number, history: number): Promise<FhirCorpus> {
  const started = performance.now();
  const small = await writeSmallCorpus(folder, (studies - history) * PER_STUDY, PER_STUDY);
  const historyStudies: HistoryStudy[] = [];
  for (let n = 1; n <= history; n++) {
    const studyInstanceUid = syntheticUid(`fhir-bench/history/${n}`);
    const accessionNumber = `FB${String(n).padStart(4, '0')}`;
    const studyFolder = join(folder, 'part-0', `history-${String(n).padStart(4, '0')}`);
    mkdirSync(studyFolder, { recursive: true });
    const year = 2024 - Math.floor((n - 1) / 4);
    const studyDate = `${year}${String(((n - 1) % 4) * 3 + 1).padStart(2, '0')}15`;
    for (let instance = 1; instance <= PER_STUDY; instance++) {
      const bytes = syntheticCtInstance({
        seed: 100_000 + n,
        ...HISTORY_PATIENT,
        studyInstanceUid,
        accessionNumber,
        studyDate,
        seriesNumber: 1,
        instanceNumber: instance,
        instancesInSeries: PER_STUDY,
        rows: 16,
        columns: 16,
      });
      await writeFile(join(studyFolder, `${String(instance).padStart(4, '0')}.dcm`), bytes);
    }
    historyStudies.push({ studyInstanceUid, accessionNumber });
  }
  return {
    instances: small.instances + history * PER_STUDY,
    studies: small.studies.length + history,
    history: historyStudies,
    // Patient 1 of the small corpus has its studies 1 and 2 (writeSmallCorpus: two studies a patient).
    other: {
      patientId: 'SYN2024-1',
      studyInstanceUids: small.studies.slice(0, 2).map((s) => s.studyInstanceUid),
    },
    generationSeconds: (performance.now() - started) / 1000,
  };
}
