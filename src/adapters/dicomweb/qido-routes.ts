import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isValidUid } from '../../lib/dicom/index.js';
import { invalid } from '../../platform/errors.js';
import type { QueryLevel } from '../../archive/index.js';
import { httpContext } from '../http/index.js';
import { chooseMediaType, parseAccept, sendNotAcceptable } from './accept-negotiation.js';
import type { DicomwebServices } from './dicomweb-services.js';
import { returnTags, toQidoMatch } from './qido-attributes.js';
import { effectiveLimit, parseQidoParameters } from './qido-parameters.js';
import { requestBaseUrl } from './wado-urls.js';

// QIDO-RS (PS3.18 10.6), each route one search through the archive's query model:
//   GET {base}/studies                                     studies
//   GET {base}/series                                      series of any study
//   GET {base}/studies/{study}/series                      series of one study
//   GET {base}/instances                                   instances of any study
//   GET {base}/studies/{study}/instances                   instances of one study
//   GET {base}/studies/{study}/series/{series}/instances   instances of one series
// Responses are DICOM JSON arrays (200, [] when nothing matches) with X-Total-Count: all matches, for paging.

type SearchLevel = Exclude<QueryLevel, 'PATIENT'>;
interface SearchRoute {
  path: string;
  level: SearchLevel;
  /** The levels whose UID the path carries. */
  fixed: ('STUDY' | 'SERIES')[];
}

const SEARCHES: SearchRoute[] = [
  { path: '/studies', level: 'STUDY', fixed: [] },
  { path: '/series', level: 'SERIES', fixed: [] },
  { path: '/studies/:study/series', level: 'SERIES', fixed: ['STUDY'] },
  { path: '/instances', level: 'IMAGE', fixed: [] },
  { path: '/studies/:study/instances', level: 'IMAGE', fixed: ['STUDY'] },
  { path: '/studies/:study/series/:series/instances', level: 'IMAGE', fixed: ['STUDY', 'SERIES'] },
];

const JSON_TYPES = ['application/dicom+json', 'application/json'] as const;

type SearchRequest = FastifyRequest<{
  Params: { study?: string; series?: string };
  Querystring: Record<string, string | string[] | undefined>;
}>;

export function registerQidoRoutes(app: FastifyInstance, services: DicomwebServices, base: string): void {
  for (const route of SEARCHES) {
    app.get(`${base}${route.path}`, (request: SearchRequest, reply) =>
      search(services, base, route, request, reply),
    );
  }
}

function pathKeys(params: { study?: string; series?: string }): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [name, keyword] of [
    ['study', 'StudyInstanceUID'],
    ['series', 'SeriesInstanceUID'],
  ] as const) {
    const uid = params[name];
    if (uid === undefined) continue;
    if (!isValidUid(uid)) throw invalid(`${uid} in the path is not a UID`, { parameter: name });
    keys[keyword] = uid;
  }
  return keys;
}

async function search(
  services: DicomwebServices,
  base: string,
  route: SearchRoute,
  request: SearchRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const mediaType = chooseMediaType(parseAccept(request.headers.accept), JSON_TYPES);
  if (!mediaType) {
    return sendNotAcceptable(request, reply, `QIDO-RS answers in ${JSON_TYPES.join(' or ')}`);
  }
  const fixedKeys = pathKeys(request.params);
  const parameters = parseQidoParameters(request.query, route.level, fixedKeys);
  const limit = effectiveLimit(parameters.limit);
  const result = await services.archive.query(httpContext(request, 'dicomweb'), {
    level: route.level,
    keys: parameters.keys,
    limit,
    offset: parameters.offset,
  });
  const tags = returnTags(route.level, route.fixed, {
    includeAll: parameters.includeAll,
    keywords: [...parameters.includeFields.map((k) => k.keyword), ...Object.keys(parameters.keys)],
  });
  const baseUrl = requestBaseUrl(request, base);
  const matches = result.matches.map((match) => toQidoMatch(match, tags, route.level, baseUrl));

  // PS3.18 8.3.3.x: what was not done as asked is reported in Warning headers, not hidden.
  const warnings: string[] = [];
  if (parameters.fuzzyMatching) {
    warnings.push(
      '299 lantern: The fuzzymatching parameter is not supported. Only literal matching has been performed.',
    );
  }
  if (parameters.unavailableFields.length > 0) {
    warnings.push(
      `299 lantern: includefield not available from the index: ${parameters.unavailableFields.join(', ')}`,
    );
  }
  const total = result.total ?? matches.length;
  if (
    parameters.offset + matches.length < total &&
    (parameters.limit === undefined || parameters.limit > limit)
  ) {
    warnings.push(
      `299 lantern: The number of results exceeded the maximum supported by the server (${limit}). Additional results can be requested.`,
    );
  }
  if (warnings.length > 0) void reply.header('warning', warnings);
  return reply.header('x-total-count', String(total)).type(mediaType).send(JSON.stringify(matches));
}
