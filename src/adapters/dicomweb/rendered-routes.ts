import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderFrame, type RenderOptions, type StoredPixels } from '../../lib/imaging/index.js';
import { httpContext } from '../http/index.js';
import { chooseMediaType, parseAccept, sendNotAcceptable } from './accept-negotiation.js';
import type { DicomwebServices } from './dicomweb-services.js';
import { parseFrameList, registerFrameRoutes } from './frames-routes.js';
import { renderedOptions, parseViewport, type RenderedQuery } from './rendered-parameters.js';
import {
  pixelSelector,
  readPixels,
  representativePixels,
  retrieveOne,
  sendPixelProblem,
} from './rendered-source.js';
import { invalid } from '../../platform/errors.js';

// Rendered and thumbnail resources (PS3.18 8.3.5, 10.4.1.1.4 and 10.4.1.1.5), plus frames (frames-routes.ts):
//   GET {base}/studies/{s}[/series/{se}[/instances/{i}[/frames/{n}]]]/rendered    image/jpeg (default), image/png
//   GET {base}/studies/{s}[/series/{se}[/instances/{i}[/frames/{n}]]]/thumbnail   image/jpeg, image/png
// An instance renders its first frame unless a frame is named; a study or series renders its representative
// instance (rendered-source.ts). Query: window, viewport, quality (rendered-parameters.ts); thumbnail: viewport.

const LEVELS = [
  '/studies/:study',
  '/studies/:study/series/:series',
  '/studies/:study/series/:series/instances/:instance',
  '/studies/:study/series/:series/instances/:instance/frames/:frames',
];
const RENDERED_TYPES = ['image/jpeg', 'image/png'] as const;
/** Thumbnails fit in 128 × 128 pixels unless a viewport says otherwise. */
export const THUMBNAIL_SIZE = 128;
const THUMBNAIL_QUALITY = 80;

type RenderedRequest = FastifyRequest<{
  Params: { study: string; series?: string; instance?: string; frames?: string };
  Querystring: RenderedQuery;
}>;

export function registerRenderedRoutes(app: FastifyInstance, services: DicomwebServices, base: string): void {
  for (const path of LEVELS) {
    app.get(`${base}${path}/rendered`, (request: RenderedRequest, reply) =>
      rendered(services, request, reply, renderedOptions(request.query)),
    );
    app.get(`${base}${path}/thumbnail`, (request: RenderedRequest, reply) =>
      rendered(services, request, reply, thumbnailOptions(request.query)),
    );
  }
  registerFrameRoutes(app, services, base);
}

function thumbnailOptions(query: RenderedQuery): Omit<RenderOptions, 'format'> {
  const viewport = typeof query.viewport === 'string' ? parseViewport(query.viewport) : undefined;
  return {
    viewport: viewport ?? { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE },
    quality: THUMBNAIL_QUALITY,
  };
}

async function rendered(
  services: DicomwebServices,
  request: RenderedRequest,
  reply: FastifyReply,
  options: Omit<RenderOptions, 'format'>,
): Promise<FastifyReply> {
  try {
    // The accept query parameter (PS3.18 8.3.3.1) stands in for the header when given.
    const accept = typeof request.query.accept === 'string' ? request.query.accept : request.headers.accept;
    const mediaType = chooseMediaType(parseAccept(accept), RENDERED_TYPES);
    if (!mediaType)
      return sendNotAcceptable(request, reply, `rendered images are ${RENDERED_TYPES.join(' or ')}`);
    const { frames, ...uids } = request.params;
    const frameList = frames === undefined ? [1] : parseFrameList(frames);
    if (frameList.length !== 1) {
      throw invalid('a rendered frame resource names exactly one frame', { parameter: 'frames' });
    }
    const selector = pixelSelector(uids);
    const ctx = httpContext(request, 'dicomweb');
    const pixels: StoredPixels = uids.instance
      ? await readPixels(await retrieveOne(services, ctx, selector))
      : await representativePixels(services, ctx, selector);
    const format = mediaType === 'image/png' ? 'png' : 'jpeg';
    const image = await renderFrame(pixels, { ...options, format, frameNumber: frameList[0]! });
    return reply.type(mediaType).send(image);
  } catch (error) {
    return sendPixelProblem(error, request, reply);
  }
}
