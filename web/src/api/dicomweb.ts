// QIDO-RS and thumbnail URLs under /dicom-web (docs/dicomweb-conformance.md).
import { ApiError, authorizedFetch } from './http';
import type { DicomJson } from './dicom-json';

export const DICOMWEB = '/dicom-web';

export interface QidoPage {
  matches: DicomJson[];
  /** X-Total-Count: every match, not only this page. */
  total: number;
}

export async function qido(
  path: string,
  params: Record<string, string | number | undefined>,
): Promise<QidoPage> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const url = `${DICOMWEB}${path}${search.size ? `?${search}` : ''}`;
  let response: Response;
  try {
    response = await authorizedFetch(url, { headers: { accept: 'application/dicom+json' } });
  } catch {
    throw new ApiError(0, 'Cannot reach the Lantern server.', url);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(response.status, `The search was refused: ${body.detail ?? response.statusText}`, url);
  }
  const matches = (await response.json()) as DicomJson[];
  const total = Number(response.headers.get('x-total-count') ?? matches.length);
  return { matches, total };
}

export function seriesThumbnailUrl(study: string, series: string): string {
  return `${DICOMWEB}/studies/${study}/series/${series}/thumbnail`;
}

export function instanceThumbnailUrl(study: string, series: string, instance: string): string {
  return `${DICOMWEB}/studies/${study}/series/${series}/instances/${instance}/thumbnail`;
}
