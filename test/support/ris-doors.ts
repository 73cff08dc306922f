// Helpers for black-box tests that drive the RIS over its real doors against `lantern serve`: REST calls
// (JSON or problem+json), an MPPS SCU on one association (dcmjs-dimse), the Modality Worklist through
// findscu -W and values from its dump, and the audit trail read from the SQLite database once the server
// has stopped.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import dcmjsDimse, { type requests as Requests, type responses as Responses } from 'dcmjs-dimse';
import { runTool } from './dcmtk.js';

const { Client, Dataset, log, requests } = dcmjsDimse;
const MPPS = '1.2.840.10008.3.1.2.3.3';

// Bodies of the RIS REST API, as far as the tests read them.
export interface OrderBody {
  id: number;
  accessionNumber: string;
  studyInstanceUid: string;
  status: string;
  priority: string;
  steps: { stepId: string; status: string; stationAeTitle: string | null; scheduledStart: string | null }[];
}
export interface HistoryEntry {
  from: string | null;
  to: string;
  actor: { kind: string; id: string };
  at: string;
  reason: string | null;
}
export interface ReportVersion {
  version: number;
  kind: string;
  status: string;
  sections: { title: string; text: string }[];
  reason?: string | null;
  signer: { id: string; name: string } | null;
  signedAt: string | null;
}
export interface ReportBody {
  orderStatus: string;
  current: ReportVersion;
  versions: ReportVersion[];
}
export interface ReadingBody {
  total: number;
  entries: {
    orderId: number;
    accessionNumber: string;
    studyInstanceUid: string;
    status: string;
    priority: string;
    patient: { patientId: string; name: string | null };
    claim: { by: string } | null;
  }[];
}
export interface ChargesBody {
  status: string;
  lines: {
    code: string;
    codingScheme: string;
    modifiers: string[];
    quantity: number;
    releasedAt: string | null;
  }[];
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 150; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** dcmjs-dimse and its dcmjs log only errors. */
export function quietDimse(): void {
  log.setLevel('error');
  const requireFromDimse = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'));
  (requireFromDimse('dcmjs') as { log: { setLevel(level: string): void } }).log.setLevel('error');
}

export interface DimseReply {
  status: number;
  errorComment: string | undefined;
}

/** Sends the requests on one association as `callingAe`; each response's status and comment, in order. */
export function sendDimse(port: number, callingAe: string, list: Requests.Request[]): Promise<DimseReply[]> {
  return new Promise((resolve, reject) => {
    const responses: DimseReply[] = [];
    const client = new Client();
    for (const request of list) {
      request.on('response', (response: Responses.Response) =>
        responses.push({ status: response.getStatus(), errorComment: response.getErrorComment?.() }),
      );
      client.addRequest(request);
    }
    client.on('associationRejected', (result: unknown) =>
      reject(new Error(`rejected: ${JSON.stringify(result)}`)),
    );
    client.on('networkError', reject);
    client.on('closed', () => resolve(responses));
    client.send('127.0.0.1', port, callingAe, 'LANTERN', { connectTimeout: 10_000 });
  });
}

export function mppsCreate(uid: string, attributes: Record<string, unknown>): Requests.Request {
  const request = new requests.NCreateRequest(MPPS, uid);
  request.setDataset(new Dataset(attributes));
  return request;
}

export function mppsSet(uid: string, attributes: Record<string, unknown>): Requests.Request {
  const request = new requests.NSetRequest(MPPS, uid);
  request.setDataset(new Dataset(attributes));
  return request;
}

/** An MPPS N-CREATE data set, IN PROGRESS, for the exam the worklist named (PS3.4 F.7.2.1 Type 1/2 keys). */
export function inProgressAttributes(step: {
  studyInstanceUid: string;
  accessionNumber: string;
  patientId: string;
  patientName: string;
  performedStepId: string;
  station: string;
  date: string;
  time: string;
}): Record<string, unknown> {
  return {
    ScheduledStepAttributesSequence: [
      {
        StudyInstanceUID: step.studyInstanceUid,
        AccessionNumber: step.accessionNumber,
        RequestedProcedureID: step.accessionNumber,
        ScheduledProcedureStepID: '1',
      },
    ],
    PatientName: step.patientName,
    PatientID: step.patientId,
    PerformedProcedureStepID: step.performedStepId,
    PerformedStationAETitle: step.station,
    PerformedProcedureStepStartDate: step.date,
    PerformedProcedureStepStartTime: step.time,
    PerformedProcedureStepEndDate: '',
    PerformedProcedureStepEndTime: '',
    PerformedProcedureStepStatus: 'IN PROGRESS',
    Modality: 'CT',
  };
}

/** An MPPS N-SET data set that completes the step, naming the series it made. */
export function completedAttributes(step: { date: string; time: string; series: string }) {
  return {
    PerformedProcedureStepStatus: 'COMPLETED',
    PerformedProcedureStepEndDate: step.date,
    PerformedProcedureStepEndTime: step.time,
    PerformedSeriesSequence: [
      {
        SeriesInstanceUID: step.series,
        PerformingPhysicianName: '',
        ProtocolName: 'Abdomen',
        OperatorsName: '',
        SeriesDescription: 'Abdomen portal venous',
        RetrieveAETitle: '',
        ReferencedImageSequence: [],
        ReferencedNonImageCompositeSOPInstanceSequence: [],
      },
    ],
  };
}

/** findscu -W as `station` with the given -k keys; the query must succeed. One dcmdump-style text per match. */
export async function worklistMatches(port: number, station: string, keys: string[]): Promise<string[]> {
  const result = await runTool('findscu', [
    ...['-W', '-v', '-aet', station, '-aec', 'LANTERN'],
    ...keys.flatMap((key) => ['-k', key]),
    ...['127.0.0.1', String(port)],
  ]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /Received Final Find Response \(Success\)/);
  return result.output.split(/Find Response: \d+ \(Pending\)/).slice(1);
}

/** A sequence of findscu's dump, from its tag's line to the end of that sequence. */
export function dumpedSequence(match: string, tag: string): string {
  const lines = match.split('\n');
  const start = lines.findIndex((line) => line.includes(`(${tag}) SQ`));
  assert.notEqual(start, -1, `(${tag}) is in the answer:\n${match}`);
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    if (/\) SQ \(/.test(lines[i]!)) depth++;
    if (lines[i]!.includes('(fffe,e0dd)') && --depth === 0) return lines.slice(start, i + 1).join('\n');
  }
  return lines.slice(start).join('\n');
}

/** The first value of a tag in findscu's dcmdump-style output, without its padding (NUL for UI, else space). */
export function dumped(text: string, tag: string): string | undefined {
  const match = new RegExp(`\\(${tag}\\) \\w\\w \\[([^\\]]*)\\]`).exec(text);
  return match?.[1]?.replace(/[\0 ]+$/, '');
}

export interface AuditRecord {
  seq: number;
  action: string;
  outcome: string;
  actor: string;
  door: string;
  studyInstanceUid: string | null;
  detail: Record<string, unknown>;
}

/** Every audit record of a stopped server's SQLite database, oldest first (opened read-only). */
export function readAuditTrail(dataDir: string): AuditRecord[] {
  const db = new Sqlite(join(dataDir, 'lantern.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `select seq, action, outcome, actor_kind, actor_id, door, study_instance_uid, detail
           from audit_event order by seq`,
      )
      .all() as {
      seq: number;
      action: string;
      outcome: string;
      actor_kind: string;
      actor_id: string;
      door: string;
      study_instance_uid: string | null;
      detail: string | null;
    }[];
    return rows.map((row) => ({
      seq: row.seq,
      action: row.action,
      outcome: row.outcome,
      actor: `${row.actor_kind}:${row.actor_id}`,
      door: row.door,
      studyInstanceUid: row.study_instance_uid,
      detail: (row.detail ? JSON.parse(row.detail) : {}) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}
