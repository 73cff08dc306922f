// A small C-FIND SCU on Lantern's own lib/dimse: study-level queries (Study Root, PS3.4 C.6.2) repeated inside
// ONE open association, so that what is timed is the query, not the association set-up. Also counts the
// instances a receiver holds (the sum of Number of Study Related Instances), to check a C-STORE run.
import { connect, type DimseClient } from '../../src/lib/dimse/index.js';
import { encodeDataset, readDataset, type DataElements } from '../../src/lib/dicom/index.js';

import { median } from '../import/measure.js';
import { SCU_AET } from './receivers.js';

export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

export interface StudyQuery {
  name: string;
  /** Matching keys, as DICOM JSON (tag → { vr, Value }). */
  keys: DataElements;
}

/**
 * The return keys a workstation's study list asks for. Every query carries them, so each match costs the same
 * work on both servers (ModalitiesInStudy and NumberOfStudyRelatedInstances are computed over the study).
 */
const RETURN_KEYS: DataElements = {
  '00080020': { vr: 'DA' }, // StudyDate
  '00080030': { vr: 'TM' }, // StudyTime
  '00080050': { vr: 'SH' }, // AccessionNumber
  '00080061': { vr: 'CS' }, // ModalitiesInStudy
  '00081030': { vr: 'LO' }, // StudyDescription
  '00100010': { vr: 'PN' }, // PatientName
  '00100020': { vr: 'LO' }, // PatientID
  '00100030': { vr: 'DA' }, // PatientBirthDate
  '0020000D': { vr: 'UI' }, // StudyInstanceUID
  '00200010': { vr: 'SH' }, // StudyID
  '00201208': { vr: 'IS' }, // NumberOfStudyRelatedInstances
};

function identifier(keys: DataElements): Uint8Array {
  return encodeDataset(
    { '00080052': { vr: 'CS', Value: ['STUDY'] }, ...RETURN_KEYS, ...keys },
    EXPLICIT_VR_LE,
  );
}

export function openFindAssociation(aet: string, port: number): Promise<DimseClient> {
  return connect({
    host: '127.0.0.1',
    port,
    callingAeTitle: SCU_AET,
    calledAeTitle: aet,
    presentationContexts: [{ abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [EXPLICIT_VR_LE] }],
    timeouts: { connectMs: 10_000, associateMs: 10_000, idleMs: 600_000 },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} timed out after ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A-RELEASE, or A-ABORT when the peer does not confirm within 10 s. */
async function close(client: DimseClient): Promise<void> {
  await withTimeout(client.release(), 10_000, 'A-RELEASE', () => client.abort()).catch(() => client.abort());
}

/** One C-FIND to its final response; the matches, each a data set in Explicit VR Little Endian. */
async function findOnce(client: DimseClient, keys: DataElements, timeoutMs: number): Promise<Uint8Array[]> {
  const operation = client.find(STUDY_ROOT_FIND, identifier(keys));
  const collect = async (): Promise<Uint8Array[]> => {
    const matches: Uint8Array[] = [];
    for await (const match of operation) matches.push(match);
    const final = await operation.final;
    if (final.status !== 0)
      throw new Error(`C-FIND final status 0x${final.status.toString(16).padStart(4, '0')}`);
    return matches;
  };
  return withTimeout(collect(), timeoutMs, 'C-FIND', () => client.abort());
}

/** The sum of Number of Study Related Instances over all studies (a check that a C-STORE run arrived). */
export async function countInstances(aet: string, port: number, timeoutMs: number): Promise<number> {
  const client = await openFindAssociation(aet, port);
  try {
    const matches = await findOnce(client, {}, timeoutMs);
    let total = 0;
    for (const match of matches) {
      const value = readDataset(match, { transferSyntaxUid: EXPLICIT_VR_LE }).elements['00201208']
        ?.Value?.[0];
      total += Number(value ?? 0);
    }
    return total;
  } finally {
    await close(client);
  }
}

export interface FindLatency {
  query: string;
  keys: DataElements;
  /** Matches of the last repetition. */
  matches: number | null;
  repetitions: number;
  medianMs: number | null;
  p95Ms: number | null;
  minMs: number | null;
  maxMs: number | null;
  runsMs: number[];
  error?: string;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/**
 * Each query: one warm-up, then up to `repeat` timed repetitions (fewer when `budgetMs` is spent, but at least 3)
 * on one association per query. A failure is recorded and the next query gets a new association.
 */
export async function measureFind(
  aet: string,
  port: number,
  queries: StudyQuery[],
  limits: { repeat: number; budgetMs: number; timeoutMs: number },
): Promise<FindLatency[]> {
  const results: FindLatency[] = [];
  for (const query of queries) {
    const result: FindLatency = {
      query: query.name,
      keys: query.keys,
      matches: null,
      repetitions: 0,
      medianMs: null,
      p95Ms: null,
      minMs: null,
      maxMs: null,
      runsMs: [],
    };
    results.push(result);
    let client: DimseClient | undefined;
    try {
      client = await openFindAssociation(aet, port);
      const warmUpStart = performance.now();
      result.matches = (await findOnce(client, query.keys, limits.timeoutMs)).length;
      const warmUpMs = performance.now() - warmUpStart;
      const started = performance.now();
      // A query slower than the whole budget is run 3 times in all (warm-up included), no more.
      const minimum = warmUpMs > limits.budgetMs ? 2 : 3;
      for (let i = 0; i < limits.repeat; i++) {
        if (i >= minimum && performance.now() - started > limits.budgetMs) break;
        const start = performance.now();
        result.matches = (await findOnce(client, query.keys, limits.timeoutMs)).length;
        result.runsMs.push(performance.now() - start);
      }
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (client !== undefined) await close(client);
    }
    result.repetitions = result.runsMs.length;
    result.medianMs = median(result.runsMs);
    result.p95Ms = percentile(result.runsMs, 95);
    result.minMs = result.runsMs.length > 0 ? Math.min(...result.runsMs) : null;
    result.maxMs = result.runsMs.length > 0 ? Math.max(...result.runsMs) : null;
  }
  return results;
}

/**
 * The study-level queries, the same on every index: one patient (2 studies), one month of study dates, a
 * name prefix (patients 7, 70-79, 700-799 …), and every study.
 */
export const STUDY_QUERIES: StudyQuery[] = [
  { name: 'PatientID', keys: { '00100020': { vr: 'LO', Value: ['SYN2024-7'] } } },
  { name: 'StudyDate range', keys: { '00080020': { vr: 'DA', Value: ['20200201-20200229'] } } },
  {
    name: 'PatientName wildcard',
    keys: { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'SYNTHETIC^PATIENT 2024-7*' }] } },
  },
  { name: 'all studies', keys: {} },
];
