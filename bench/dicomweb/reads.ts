// What the bench reads over DICOMweb, and how each answer is checked before it is timed: the QIDO-RS searches
// of a study list, the whole-study WADO-RS retrieve, study metadata, one frame and one rendered frame.
import type { CtCorpus } from './corpus.js';
import { boundaryOf, countParts, type Response } from './http.js';
import { measureWithCurl } from './curl-client.js';
import { measureGet, timeOnce, type Latency, type Limits } from './latency.js';

export const DICOM_JSON = 'application/dicom+json';
export const MULTIPART_DICOM = 'multipart/related; type="application/dicom"';
export const MULTIPART_OCTETS = 'multipart/related; type="application/octet-stream"';

export interface Query {
  name: string;
  path: string;
}

/**
 * The study-level searches, the same on every index (the small corpus of the DIMSE bench: patients
 * `SYN2024-<n>` with two studies each, study dates over 2015-2024): one patient, one month, and the first page
 * of a study list as OHIF asks for it; also a 1,000-study page.
 */
export const QUERIES: Query[] = [
  { name: 'PatientID (2 studies)', path: '/studies?PatientID=SYN2024-7' },
  { name: 'StudyDate, one month', path: '/studies?StudyDate=20200201-20200229' },
  {
    name: 'study list, first page (101)',
    path: '/studies?limit=101&includefield=StudyDescription,ModalitiesInStudy',
  },
  {
    name: 'study list, 1,000 studies',
    path: '/studies?limit=1000&includefield=StudyDescription,ModalitiesInStudy',
  },
];

function jsonArray(response: Response, what: string): unknown[] {
  const parsed: unknown = JSON.parse(response.body?.toString('utf8') ?? 'null');
  if (!Array.isArray(parsed)) throw new Error(`${what}: not a JSON array`);
  return parsed;
}

/** A QIDO-RS answer: a DICOM JSON array; returns the number of matches (and the total, when given). */
function qidoMatches(response: Response): string {
  const matches = jsonArray(response, 'QIDO-RS').length;
  const total = response.headers['x-total-count'];
  return total === undefined ? `${matches}` : `${matches} of ${String(total)}`;
}

export function measureQueries(base: string, limits: Limits): Promise<Latency[]> {
  return QUERIES.reduce<Promise<Latency[]>>(
    async (done, query) => [
      ...(await done),
      await measureGet(query.name, base, query.path, DICOM_JSON, limits, qidoMatches),
    ],
    Promise.resolve([]),
  );
}

const multipartWith = (parts: number, type: string) => (response: Response) => {
  if (!response.contentType.startsWith('multipart/related')) {
    throw new Error(`Content-Type ${response.contentType}, expected multipart/related`);
  }
  if (!response.contentType.includes(type)) throw new Error(`Content-Type ${response.contentType}`);
  const boundary = boundaryOf(response.contentType);
  if (boundary === undefined) throw new Error(`no boundary in ${response.contentType}`);
  const found = countParts(response.body ?? Buffer.alloc(0), boundary);
  if (found !== parts) throw new Error(`${found} parts, expected ${parts}`);
  return `${found} part${found === 1 ? '' : 's'}, ${response.bytes} bytes`;
};

export function studyPath(uid: string): string {
  return `/studies/${uid}`;
}

export function instancePath(corpus: CtCorpus): string {
  const { seriesInstanceUid, sopInstanceUid } = corpus.frameInstance;
  return `/studies/${corpus.retrieve.studyInstanceUid}/series/${seriesInstanceUid}/instances/${sopInstanceUid}`;
}

/** The whole retrieve study, multipart/related; type="application/dicom", read in full. */
export function measureRetrieve(base: string, corpus: CtCorpus, limits: Limits): Promise<Latency> {
  return measureGet(
    `study retrieve (${corpus.retrieve.files.length} instances)`,
    base,
    studyPath(corpus.retrieve.studyInstanceUid),
    MULTIPART_DICOM,
    limits,
    (response) => {
      const found = multipartWith(corpus.retrieve.files.length, 'application/dicom')(response);
      if (response.bytes < corpus.retrieve.bytes) throw new Error(`only ${response.bytes} bytes`);
      return found;
    },
  );
}

/** The same retrieve with curl as the client (curl-client.ts); the warm-up checks the size only. */
export function measureRetrieveWithCurl(base: string, corpus: CtCorpus, limits: Limits): Promise<Latency> {
  return measureWithCurl(
    `study retrieve (${corpus.retrieve.files.length} instances), curl`,
    base,
    studyPath(corpus.retrieve.studyInstanceUid),
    MULTIPART_DICOM,
    { ...limits, minBytes: corpus.retrieve.bytes },
  );
}

const metadataOf = (instances: number) => (response: Response) => {
  if (!response.contentType.startsWith('application/dicom+json'))
    throw new Error(`Content-Type ${response.contentType}`);
  const found = jsonArray(response, 'metadata').length;
  if (found !== instances) throw new Error(`metadata of ${found} instances, expected ${instances}`);
  return `${found} instances, ${response.bytes} bytes`;
};

/** The first metadata request of the study since it was stored: timed once. */
export function firstMetadata(base: string, corpus: CtCorpus, timeoutMs: number) {
  const path = `${studyPath(corpus.metadata.studyInstanceUid)}/metadata`;
  return timeOnce(base, path, DICOM_JSON, timeoutMs, metadataOf(corpus.metadata.files.length));
}

export function measureMetadata(base: string, corpus: CtCorpus, limits: Limits): Promise<Latency> {
  return measureGet(
    `study metadata (${corpus.metadata.files.length} instances), repeated`,
    base,
    `${studyPath(corpus.metadata.studyInstanceUid)}/metadata`,
    DICOM_JSON,
    limits,
    metadataOf(corpus.metadata.files.length),
  );
}

/** Frame 1 of the middle instance, uncompressed (application/octet-stream), one part. */
export function measureFrame(base: string, corpus: CtCorpus, limits: Limits): Promise<Latency> {
  const { rows, columns } = corpus.frameInstance;
  return measureGet(
    'one frame (octet-stream)',
    base,
    `${instancePath(corpus)}/frames/1`,
    MULTIPART_OCTETS,
    limits,
    (response) => {
      const found = multipartWith(1, 'application/octet-stream')(response);
      if (response.bytes < rows * columns * 2) throw new Error(`only ${response.bytes} bytes`);
      return found;
    },
  );
}

/** The middle instance rendered as JPEG (its own window, full size). */
export function measureRendered(base: string, corpus: CtCorpus, limits: Limits): Promise<Latency> {
  return measureGet(
    `rendered ${corpus.frameInstance.columns}×${corpus.frameInstance.rows} JPEG`,
    base,
    `${instancePath(corpus)}/rendered`,
    'image/jpeg',
    limits,
    (response) => {
      if (!response.contentType.startsWith('image/jpeg'))
        throw new Error(`Content-Type ${response.contentType}`);
      const body = response.body ?? Buffer.alloc(0);
      if (body[0] !== 0xff || body[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
      return `${response.bytes} bytes`;
    },
  );
}
