import type { FastifyReply, FastifyRequest } from 'fastify';

// Accept header parsing and the 406 answer, shared by the DICOMweb routes (RFC 9110 12.5.1, PS3.18 8.7).

export interface MediaRange {
  /** Lowercase 'type/subtype'; '*' wildcards kept ('*\/*', 'multipart/*'). */
  mediaType: string;
  /** Parameters other than q, names lowercase, quotes removed ('type', 'transfer-syntax', ...). */
  params: Record<string, string>;
  q: number;
}

/** Splits on `separator` outside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/**
 * The media ranges of an Accept header, most preferred first (by q, then in the order given); ranges with
 * q=0 are left out. No header means anything is acceptable.
 */
export function parseAccept(header: string | string[] | undefined): MediaRange[] {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined || text.trim() === '') return [{ mediaType: '*/*', params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const item of splitOutsideQuotes(text, ',')) {
    const [type, ...rawParams] = splitOutsideQuotes(item, ';').map((p) => p.trim());
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq === -1) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (name === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else params[name] = value;
    }
    if (q > 0) ranges.push({ mediaType: type.toLowerCase(), params, q });
  }
  return ranges
    .map((range, index) => ({ range, index }))
    .sort((a, b) => b.range.q - a.range.q || a.index - b.index)
    .map((e) => e.range);
}

/** Whether a range covers a concrete media type ('application/dicom+json' by '*\/*' or 'application/*'). */
export function covers(range: MediaRange, mediaType: string): boolean {
  if (range.mediaType === '*/*' || range.mediaType === mediaType) return true;
  const [type] = mediaType.split('/');
  return range.mediaType === `${type}/*`;
}

/** The first of `offered` the client accepts, in the client's order of preference. */
export function chooseMediaType(ranges: MediaRange[], offered: readonly string[]): string | undefined {
  for (const range of ranges) {
    const match = offered.find((type) => covers(range, type));
    if (match) return match;
  }
  return undefined;
}

/** 406 Not Acceptable as problem+json, naming what this resource can produce. */
export function sendNotAcceptable(
  request: FastifyRequest,
  reply: FastifyReply,
  detail: string,
): FastifyReply {
  request.log.info({ accept: request.headers.accept, reason: detail }, 'request refused');
  return reply.status(406).type('application/problem+json').send({
    type: 'about:blank',
    title: 'not-acceptable',
    status: 406,
    detail,
    instance: request.url,
  });
}
