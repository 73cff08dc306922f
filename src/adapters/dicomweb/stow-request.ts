import { LanternError, invalid, unsupported } from '../../platform/errors.js';
import { isValidBoundary } from './multipart-reader.js';

// What a STOW-RS request must say about itself (PS3.18 10.5.1.1): its Content-Type and Accept fields.

export interface MediaType {
  /** type/subtype in lower case. */
  type: string;
  /** Parameter names in lower case; values unquoted. */
  parameters: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^\w`|~-]+$/;

/** An RFC 9110 8.3.1 media type with parameters (quoted values allowed); undefined if malformed. */
export function parseMediaType(field: string): MediaType | undefined {
  const [head = '', ...rest] = splitOutsideQuotes(field, ';');
  const type = head.trim().toLowerCase();
  const [main, sub, extra] = type.split('/');
  if (!main || !sub || extra !== undefined || !TOKEN.test(main) || !TOKEN.test(sub)) return undefined;
  const parameters: Record<string, string> = {};
  for (const raw of rest) {
    const parameter = raw.trim();
    if (parameter === '') continue;
    const equals = parameter.indexOf('=');
    if (equals < 1) return undefined;
    const name = parameter.slice(0, equals).trim().toLowerCase();
    let value = parameter.slice(equals + 1).trim();
    if (value.startsWith('"')) {
      if (value.length < 2 || !value.endsWith('"')) return undefined;
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    } else if (!TOKEN.test(value)) {
      return undefined;
    }
    parameters[name] = value;
  }
  return { type, parameters };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      pieces.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return pieces;
}

export interface StowBody {
  boundary: string;
  /** The `type` parameter (media type of the parts), application/dicom when absent. */
  partType: string;
}

/** A request's Content-Type, checked: 415 for anything but multipart/related of DICOM files, 400 if unusable. */
export function parseStowContentType(field: string | undefined): StowBody {
  if (!field)
    throw unsupported('a STOW-RS request needs Content-Type: multipart/related; type="application/dicom"');
  const media = parseMediaType(field);
  if (!media) throw invalid(`the Content-Type "${field.slice(0, 200)}" is malformed`);
  if (media.type !== 'multipart/related') {
    throw unsupported(
      `Content-Type ${media.type} is not supported; send multipart/related; type="application/dicom"`,
    );
  }
  const partType = (media.parameters.type ?? 'application/dicom').split(';')[0]!.trim().toLowerCase();
  if (partType !== 'application/dicom') {
    throw unsupported(
      `multipart/related of ${partType} is not supported: only application/dicom parts (DICOM files), ` +
        'not metadata with bulk data',
    );
  }
  const boundary = media.parameters.boundary;
  if (boundary === undefined) throw invalid('the multipart/related Content-Type has no boundary parameter');
  if (!isValidBoundary(boundary)) throw invalid('the multipart boundary is not valid (RFC 2046 5.1.1)');
  return { boundary, partType };
}

const JSON_RESPONSE = new Set(['application/dicom+json', 'application/json', 'application/*', '*/*']);

/** The response is DICOM JSON; an Accept field that rules it out gets a 406 (DICOM XML is not offered). */
export function checkAccept(field: string | undefined): void {
  if (!field || field.trim() === '') return;
  const ranges = splitOutsideQuotes(field, ',')
    .map((range) => parseMediaType(range.replace(/^\s*\*\s*(;|$)/, '*/*$1')))
    .filter((range): range is MediaType => range !== undefined);
  const acceptable = ranges.some(
    (range) => JSON_RESPONSE.has(range.type) && Number(range.parameters.q ?? 1) !== 0,
  );
  if (!acceptable) {
    throw Object.assign(
      new LanternError(
        'unsupported',
        `the response can only be application/dicom+json (Accept: ${field.slice(0, 200)})`,
      ),
      { statusCode: 406 },
    );
  }
}
