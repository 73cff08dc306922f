import type { FastifyInstance, FastifyRequest } from 'fastify';
import { frameInSyntax } from '../../lib/imaging/index.js';
import { invalid } from '../../platform/errors.js';
import { httpContext } from '../http/index.js';
import { parseAccept, sendNotAcceptable } from './accept-negotiation.js';
import type { DicomwebServices } from './dicomweb-services.js';
import { negotiateFrames } from './frames-negotiation.js';
import { multipartRelated } from './multipart-writer.js';
import { pixelSelector, readPixels, retrieveOne, sendPixelProblem } from './rendered-source.js';

// WADO-RS Retrieve Frames (PS3.18 10.4.1.1.3):
//   GET {base}/studies/{study}/series/{series}/instances/{instance}/frames/{frameList}
// One part per listed frame, in the order listed (1-based numbers, comma-separated), each in the negotiated
// transfer syntax (frames-negotiation.ts). A single frame asked for without multipart/related is one part alone.

type FramesRequest = FastifyRequest<{
  Params: { study: string; series: string; instance: string; frames: string };
}>;

export const FRAMES_PATH = '/studies/:study/series/:series/instances/:instance/frames/:frames';

/** '1,3,5' → [1, 3, 5]; anything but positive integers is a 400 naming the list. */
export function parseFrameList(text: string): number[] {
  const numbers = text.split(',').map((part) => part.trim());
  if (numbers.length === 0 || numbers.some((n) => !/^[1-9][0-9]{0,8}$/.test(n))) {
    throw invalid(
      `frame list ${JSON.stringify(text)} is not a comma-separated list of frame numbers (from 1)`,
      {
        parameter: 'frames',
      },
    );
  }
  return numbers.map(Number);
}

export function registerFrameRoutes(app: FastifyInstance, services: DicomwebServices, base: string): void {
  app.get(`${base}${FRAMES_PATH}`, async (request: FramesRequest, reply) => {
    try {
      const frames = parseFrameList(request.params.frames);
      const selector = pixelSelector(request.params);
      const ctx = httpContext(request, 'dicomweb');
      const instance = await retrieveOne(services, ctx, selector);
      const choice = negotiateFrames(parseAccept(request.headers.accept), instance.transferSyntaxUid);
      if (!choice) {
        return sendNotAcceptable(
          request,
          reply,
          `frames stored as ${instance.transferSyntaxUid} cannot be sent in any accepted media type and transfer syntax`,
        );
      }
      const pixels = await readPixels(instance);
      // Frame numbers are checked and the first frame produced before the answer starts, so errors get a status.
      const first = await frameInSyntax(pixels, frames[0]!, choice.transferSyntaxUid);
      for (const n of frames) pixels.frame(n);
      const partType = `${choice.mediaType}; transfer-syntax=${choice.transferSyntaxUid}`;
      if (!choice.multipart && frames.length === 1) return reply.type(partType).send(Buffer.from(first));
      const url = `${base}/studies/${request.params.study}/series/${request.params.series}/instances/${request.params.instance}/frames`;
      const parts = frames.map((n, index) => ({
        contentType: partType,
        location: `${url}/${n}`,
        open: async function* () {
          yield index === 0 ? first : await frameInSyntax(pixels, n, choice.transferSyntaxUid);
        },
      }));
      const body = multipartRelated(choice.mediaType, parts);
      return reply.type(body.contentType).send(body.body);
    } catch (error) {
      return sendPixelProblem(error, request, reply);
    }
  });
}
