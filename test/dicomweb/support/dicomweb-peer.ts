// dicomweb-client (the DICOMweb library OHIF uses) as a test peer, typed for what the tests call. It speaks
// through XMLHttpRequest, which Node lacks: xhr2 provides it.
import { api } from 'dicomweb-client';
import XMLHttpRequest from 'xhr2';
import type { DicomJson } from '../../../src/lib/dicom/index.js';

const globals = globalThis as { XMLHttpRequest?: unknown };
globals.XMLHttpRequest ??= XMLHttpRequest;

interface Uids {
  studyInstanceUID: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
}
type MediaTypes = { mediaType: string; transferSyntaxUID?: string }[];

export interface DicomwebPeer {
  searchForStudies(options?: { queryParams?: Record<string, string> }): Promise<DicomJson[]>;
  searchForSeries(options?: {
    studyInstanceUID?: string;
    queryParams?: Record<string, string>;
  }): Promise<DicomJson[]>;
  searchForInstances(options?: {
    studyInstanceUID?: string;
    seriesInstanceUID?: string;
    queryParams?: Record<string, string>;
  }): Promise<DicomJson[]>;
  retrieveStudy(options: Uids & { mediaTypes?: MediaTypes }): Promise<ArrayBuffer[]>;
  retrieveSeries(options: Uids & { mediaTypes?: MediaTypes }): Promise<ArrayBuffer[]>;
  retrieveInstance(options: Uids & { mediaTypes?: MediaTypes }): Promise<ArrayBuffer>;
  retrieveStudyMetadata(options: Uids): Promise<DicomJson[]>;
  retrieveSeriesMetadata(options: Uids): Promise<DicomJson[]>;
  retrieveInstanceMetadata(options: Uids): Promise<DicomJson[]>;
  retrieveBulkData(options: { BulkDataURI: string }): Promise<ArrayBuffer[]>;
  /** Resolves with the response body (DICOM JSON text); rejects with { status, response } when not 2xx. */
  storeInstances(options: { datasets: ArrayBuffer[]; studyInstanceUID?: string }): Promise<string>;
}

/** A client of the DICOMweb root `url` sending `headers` (the test server's `auth`) with every request. */
export function dicomwebPeer(url: string, headers: Record<string, string>): DicomwebPeer {
  return new api.DICOMwebClient({
    url,
    headers,
    singlepart: false,
    verbose: false,
  }) as unknown as DicomwebPeer;
}
