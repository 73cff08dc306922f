import type { FastifyReply, FastifyRequest } from 'fastify';
import { buffer } from 'node:stream/consumers';
import type { InstanceSelector, RetrievableInstance } from '../../archive/index.js';
import { isValidUid } from '../../lib/dicom/index.js';
import { ImagingError, openStoredPixels, type StoredPixels } from '../../lib/imaging/index.js';
import type { RequestContext } from '../../platform/context.js';
import { invalid, LanternError, notFound } from '../../platform/errors.js';
import { sendProblem } from '../http/index.js';
import { sendNotAcceptable } from './accept-negotiation.js';
import type { DicomwebServices } from './dicomweb-services.js';

// Where the pixel routes (frames, rendered, thumbnails, WADO-URI) get their pixels: one retrieve (one audit
// record), then one instance read into memory, which is what decoding a frame needs.

/** Path UIDs checked (400 naming the bad one) and turned into a retrieve selector. */
export function pixelSelector(
  uids: { study?: string | undefined; series?: string | undefined; instance?: string | undefined },
  names = { study: 'study', series: 'series', instance: 'instance' },
): InstanceSelector {
  for (const key of ['study', 'series', 'instance'] as const) {
    const uid = uids[key];
    if (uid !== undefined && !isValidUid(uid)) {
      throw invalid(`${names[key]} ${JSON.stringify(uid)} is not a valid UID`, { parameter: names[key] });
    }
  }
  return {
    ...(uids.study ? { studyInstanceUid: uids.study } : {}),
    ...(uids.series ? { seriesInstanceUid: uids.series } : {}),
    ...(uids.instance ? { sopInstanceUid: uids.instance } : {}),
  };
}

export async function readPixels(instance: RetrievableInstance): Promise<StoredPixels> {
  return openStoredPixels(await buffer(instance.open()));
}

/** The one instance a selector names (with its study and series, so a mismatched path is a 404). */
export async function retrieveOne(
  services: DicomwebServices,
  ctx: RequestContext,
  selector: InstanceSelector,
): Promise<RetrievableInstance> {
  const [instance] = await services.archive.retrieve(ctx, selector);
  if (!instance) throw notFound('instance', selector.sopInstanceUid ?? '');
  return instance;
}

/**
 * The representative image of a study or series: starting from the middle instance (series, then instance
 * number order), the first that holds pixel data. Documented in docs/dicomweb-conformance.md.
 */
export async function representativePixels(
  services: DicomwebServices,
  ctx: RequestContext,
  selector: InstanceSelector,
): Promise<StoredPixels> {
  const instances = await services.archive.retrieve(ctx, selector);
  const middle = Math.floor((instances.length - 1) / 2);
  const order = [...instances.slice(middle), ...instances.slice(0, middle)];
  for (const instance of order) {
    try {
      return await readPixels(instance);
    } catch (error) {
      if (!(error instanceof ImagingError) || error.kind !== 'invalid') throw error;
    }
  }
  throw new ImagingError('not-found', 'no instance here holds pixel data');
}

/**
 * Errors of the pixel routes: imaging errors by kind (no codec or rendering path: 406; not an image or a bad
 * request for this instance: 400; no such frame: 404), everything else through the host's problem mapping.
 */
export function sendPixelProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ImagingError) {
    if (error.kind === 'unsupported') return sendNotAcceptable(request, reply, error.message);
    if (error.kind === 'not-found')
      return sendProblem(new LanternError('not-found', error.message), request, reply);
    return sendProblem(invalid(error.message), request, reply);
  }
  return sendProblem(error, request, reply);
}
