import type { FastifyRequest } from 'fastify';

/** The absolute URL of the DICOMweb base as this request reached it (for Retrieve URL and BulkDataURI). */
export function requestBaseUrl(request: FastifyRequest, base: string): string {
  return `${request.protocol}://${request.host}${base}`;
}

/** The WADO-RS URL of a study, a series or an instance under `baseUrl`. */
export function resourceUrl(
  baseUrl: string,
  uids: { studyInstanceUid: string; seriesInstanceUid?: string; sopInstanceUid?: string },
): string {
  let url = `${baseUrl}/studies/${uids.studyInstanceUid}`;
  if (uids.seriesInstanceUid) url += `/series/${uids.seriesInstanceUid}`;
  if (uids.sopInstanceUid) url += `/instances/${uids.sopInstanceUid}`;
  return url;
}
