import { isValidUid } from '../../lib/dicom/index.js';
import type { RenderOptions, Viewport } from '../../lib/imaging/index.js';
import { invalid } from '../../platform/errors.js';
import { numbers, parseQuality } from './rendered-parameters.js';

// The query of a WADO-URI request (PS3.18 9.1.2, 9.2.2): every problem is a 400 naming the parameter.

export type WadoUriQuery = Record<string, string | string[] | undefined>;

export const DICOM = 'application/dicom';
export const WADO_URI_TYPES = [DICOM, 'image/jpeg', 'image/png'] as const;
export type WadoUriContentType = (typeof WADO_URI_TYPES)[number];

export interface WadoUriRequest {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** The first of the listed content types Lantern produces; undefined when none is. */
  contentType: WadoUriContentType | undefined;
  transferSyntaxUid: string | undefined;
  render: Omit<RenderOptions, 'format'> & { frameNumber: number };
}

function single(query: WadoUriQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalid(`${name} is given more than once`, { parameter: name });
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function uid(query: WadoUriQuery, name: string): string {
  const value = single(query, name);
  if (value === undefined) throw invalid(`${name} is required`, { parameter: name });
  if (!isValidUid(value)) throw invalid(`${name} is not a valid UID`, { parameter: name });
  return value;
}

function positiveInteger(query: WadoUriQuery, name: string): number | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(text))
    throw invalid(`${name} must be a positive integer`, { parameter: name });
  return Number(text);
}

/** contentType may list several types with q-values (PS3.18 9.2.2.1); the first known one wins. */
function contentType(query: WadoUriQuery): WadoUriContentType | undefined {
  const text = single(query, 'contentType');
  if (text === undefined) return 'image/jpeg'; // the default for image objects (PS3.18 9.2.2.1)
  const types = text.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  if (types.some((t) => !/^[a-z0-9.+-]+\/[a-z0-9.*+-]+$/.test(t))) {
    throw invalid('contentType must be a list of media types', { parameter: 'contentType' });
  }
  for (const type of types) {
    if (type === '*/*' || type === 'image/*') return 'image/jpeg';
    const known = WADO_URI_TYPES.find((t) => t === type);
    if (known) return known;
  }
  return undefined;
}

/** region=x1,y1,x2,y2 as fractions of the image (PS3.18 9.2.2.10), kept for the renderer to scale. */
function region(query: WadoUriQuery): [number, number, number, number] | undefined {
  const text = single(query, 'region');
  if (text === undefined) return undefined;
  const values = numbers(text, 'region');
  const [x1, y1, x2, y2] = values;
  if (values.length !== 4 || values.some((v) => v < 0 || v > 1) || !(x1! < x2!) || !(y1! < y2!)) {
    throw invalid('region must be x1,y1,x2,y2 with 0 ≤ x1 < x2 ≤ 1 and 0 ≤ y1 < y2 ≤ 1', {
      parameter: 'region',
    });
  }
  return [x1!, y1!, x2!, y2!];
}

export function parseWadoUri(
  query: WadoUriQuery,
): WadoUriRequest & { region?: [number, number, number, number] } {
  const requestType = single(query, 'requestType');
  if (requestType !== 'WADO') throw invalid('requestType must be WADO', { parameter: 'requestType' });
  if (single(query, 'anonymize') !== undefined) {
    throw invalid('anonymize is not supported', { parameter: 'anonymize' });
  }
  const request = {
    studyInstanceUid: uid(query, 'studyUID'),
    seriesInstanceUid: uid(query, 'seriesUID'),
    sopInstanceUid: uid(query, 'objectUID'),
    contentType: contentType(query),
    transferSyntaxUid: single(query, 'transferSyntax'),
  };
  if (request.transferSyntaxUid !== undefined && !isValidUid(request.transferSyntaxUid)) {
    throw invalid('transferSyntax is not a valid UID', { parameter: 'transferSyntax' });
  }
  const rows = positiveInteger(query, 'rows');
  const columns = positiveInteger(query, 'columns');
  const center = single(query, 'windowCenter');
  const width = single(query, 'windowWidth');
  if ((center === undefined) !== (width === undefined)) {
    const missing = center === undefined ? 'windowCenter' : 'windowWidth';
    throw invalid(`${missing} is required with the other window parameter`, { parameter: missing });
  }
  const quality = parseQuality(single(query, 'imageQuality'), 'imageQuality');
  const frameNumber = positiveInteger(query, 'frameNumber') ?? 1;
  const render: WadoUriRequest['render'] = { frameNumber, ...(quality ? { quality } : {}) };
  if (center !== undefined && width !== undefined) {
    const [c] = numbers(center, 'windowCenter');
    const [w] = numbers(width, 'windowWidth');
    if (w! < 1) throw invalid('windowWidth must be at least 1', { parameter: 'windowWidth' });
    render.window = { center: c!, width: w!, voiFunction: 'LINEAR' };
  }
  if (rows !== undefined || columns !== undefined) {
    // One of the two alone bounds that dimension; the other follows the aspect ratio.
    render.viewport = { width: columns ?? 8192, height: rows ?? 8192 } satisfies Viewport;
  }
  const cut = region(query);
  return { ...request, render, ...(cut ? { region: cut } : {}) };
}
