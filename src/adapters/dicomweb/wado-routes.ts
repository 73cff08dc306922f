import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { InstanceSelector } from '../../archive/index.js';
import { isEncapsulated, isValidUid } from '../../lib/dicom/index.js';
import { invalid } from '../../platform/errors.js';
import { httpContext } from '../http/index.js';
import { chooseMediaType, covers, parseAccept, sendNotAcceptable } from './accept-negotiation.js';
import type { DicomwebServices } from './dicomweb-services.js';
import { multipartRelated } from './multipart-writer.js';
import { acceptsMultipart, bulkDataSyntax } from './wado-negotiation.js';
import { requestBaseUrl, resourceUrl } from './wado-urls.js';

// WADO-RS (PS3.18 10.4) over the archive's retrieve services; frames and rendered are rendered-routes.ts.
//   GET {base}/studies/{study}[/series/{series}[/instances/{instance}]]            instances, multipart DICOM
//   GET {base}/studies/{study}[/series/{series}[/instances/{instance}]]/metadata   DICOM JSON, BulkDataURIs
//   GET {base}/studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag} one value, multipart
// Instances are the stored bytes, streamed one after another; no query parameters are taken.

const LEVELS = [
  '/studies/:study',
  '/studies/:study/series/:series',
  '/studies/:study/series/:series/instances/:instance',
];
const JSON_TYPES = ['application/dicom+json', 'application/json'] as const;
const DICOM = 'application/dicom';
const OCTET_STREAM = 'application/octet-stream';

type WadoRequest = FastifyRequest<{
  Params: { study: string; series?: string; instance?: string; tag?: string };
  Querystring: Record<string, unknown>;
}>;

export function registerWadoRoutes(app: FastifyInstance, services: DicomwebServices, base: string): void {
  for (const path of LEVELS) {
    app.get(`${base}${path}`, (request: WadoRequest, reply) => retrieve(services, request, reply));
    app.get(`${base}${path}/metadata`, (request: WadoRequest, reply) =>
      metadata(services, base, request, reply),
    );
  }
  app.get(`${base}${LEVELS[2]}/bulkdata/:tag`, (request: WadoRequest, reply) =>
    bulkData(services, request, reply),
  );
}

/** The UIDs of the path, checked; WADO-RS takes no query parameters here, so any is a 400. */
function selectorOf(request: WadoRequest): InstanceSelector {
  const unknown = Object.keys(request.query ?? {});
  if (unknown.length > 0) throw invalid(`unknown query parameter ${unknown[0]}`, { parameter: unknown[0] });
  const { study, series, instance } = request.params;
  for (const uid of [study, series, instance]) {
    if (uid !== undefined && !isValidUid(uid)) throw invalid(`${uid} in the path is not a UID`);
  }
  return {
    studyInstanceUid: study,
    ...(series ? { seriesInstanceUid: series } : {}),
    ...(instance ? { sopInstanceUid: instance } : {}),
  };
}

/** PS3.18 10.4.1 RetrieveStudy/Series/Instance: multipart/related; type="application/dicom". */
async function retrieve(services: DicomwebServices, request: WadoRequest, reply: FastifyReply) {
  const selector = selectorOf(request);
  const ranges = parseAccept(request.headers.accept);
  // Refuse what can never be served before touching the archive; the syntaxes are checked once known.
  if (!acceptsMultipart(ranges, DICOM, [])) return notDicom(request, reply);
  const instances = await services.archive.retrieve(httpContext(request, 'dicomweb'), selector);
  const syntaxes = [...new Set(instances.map((i) => i.transferSyntaxUid))];
  if (!acceptsMultipart(ranges, DICOM, syntaxes)) return notDicom(request, reply, syntaxes);
  const { contentType, body, length } = multipartRelated(
    DICOM,
    instances.map((instance) => ({
      contentType: `${DICOM}; transfer-syntax=${instance.transferSyntaxUid}`,
      open: () => instance.open(),
      readLent: () => instance.readLent(),
      size: instance.size,
    })),
    // The body is piped into the response: the store's read buffers go back as the socket takes them.
    { sink: reply.raw },
  );
  if (length !== undefined) reply.header('content-length', length);
  return reply.type(contentType).send(body);
}

function notDicom(request: WadoRequest, reply: FastifyReply, syntaxes?: string[]) {
  const stored = syntaxes ? ` (stored in ${syntaxes.join(', ')}; Lantern does not transcode)` : '';
  return sendNotAcceptable(
    request,
    reply,
    `instances are returned as multipart/related; type="${DICOM}" with transfer-syntax * or as stored${stored}`,
  );
}

/** PS3.18 10.4.1 RetrieveMetadata: a DICOM JSON array, one object per instance, streamed. */
async function metadata(services: DicomwebServices, base: string, request: WadoRequest, reply: FastifyReply) {
  const selector = selectorOf(request);
  const mediaType = chooseMediaType(parseAccept(request.headers.accept), JSON_TYPES);
  if (!mediaType) return sendNotAcceptable(request, reply, `metadata is ${JSON_TYPES.join(' or ')}`);
  const { instances } = await services.archive.retrieveMetadata(httpContext(request, 'dicomweb'), selector);
  const baseUrl = requestBaseUrl(request, base);
  return reply.type(mediaType).send(Readable.from(metadataArray(instances, baseUrl), { objectMode: false }));
}

/**
 * The archive names bulk data by tag ("BulkDataURI":"7FE00010"); here each becomes the URL of that value.
 * The key cannot occur inside a JSON string (its quotes would be escaped), so the rewrite is exact.
 */
async function* metadataArray(
  instances: AsyncIterable<{
    studyInstanceUid: string;
    seriesInstanceUid: string;
    sopInstanceUid: string;
    json: string;
  }>,
  baseUrl: string,
): AsyncGenerator<Buffer> {
  let first = true;
  for await (const instance of instances) {
    const prefix = JSON.stringify(`${resourceUrl(baseUrl, instance)}/bulkdata/`).slice(1, -1);
    const json = instance.json.replaceAll('"BulkDataURI":"', `"BulkDataURI":"${prefix}`);
    yield Buffer.from((first ? '[' : ',') + json);
    first = false;
  }
  yield Buffer.from(first ? '[]' : ']');
}

/** PS3.18 10.4.1 RetrieveBulkdata: the value as multipart/related; type="application/octet-stream". */
async function bulkData(services: DicomwebServices, request: WadoRequest, reply: FastifyReply) {
  const selector = selectorOf(request);
  const ranges = parseAccept(request.headers.accept);
  const tag = request.params.tag!;
  const value = await services.archive.retrieveBulkData(httpContext(request, 'dicomweb'), {
    ...selector,
    sopInstanceUid: selector.sopInstanceUid!,
    tag,
  });
  const encapsulated = tag.toUpperCase() === '7FE00010' && isEncapsulated(value.transferSyntaxUid);
  const syntax = bulkDataSyntax(value.transferSyntaxUid, encapsulated);
  for (const range of ranges) {
    if (acceptsMultipart([range], OCTET_STREAM, [syntax])) {
      const { contentType, body } = multipartRelated(OCTET_STREAM, [
        { contentType: `${OCTET_STREAM}; transfer-syntax=${syntax}`, open: value.open },
      ]);
      return reply.type(contentType).send(body);
    }
    if (range.mediaType !== '*/*' && covers(range, OCTET_STREAM)) {
      return reply.type(OCTET_STREAM).send(value.open());
    }
  }
  return sendNotAcceptable(
    request,
    reply,
    `bulk data is multipart/related; type="${OCTET_STREAM}" (or ${OCTET_STREAM}) in ${syntax}`,
  );
}
