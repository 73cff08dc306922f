import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LanternError, invalid } from '../../platform/errors.js';
import { httpContext, sendProblem } from '../http/index.js';
import type { DicomwebServices } from './dicomweb-services.js';
import { MultipartReader, type MultipartError } from './multipart-reader.js';
import { InstanceTooLargeError } from './stow-instance-source.js';
import { checkAccept, parseStowContentType } from './stow-request.js';
import { stowResponseBody, stowStatus, warningHeaders, type PartOutcome } from './stow-response.js';
import { storeParts } from './stow-upload.js';

// STOW-RS (PS3.18 10.5) under the DICOMweb base path:
//   POST {base}/studies                     store instances of any studies
//   POST {base}/studies/{StudyInstanceUID}  store instances of that study; others fail (A900)
// Body: multipart/related; type="application/dicom"; boundary=… — one DICOM file per part, each streamed
// into archive.storeInstance as it arrives. Response: the Store Instances Response Module as DICOM JSON.

const SETTING = {
  request: 'dicomweb.stowMaxRequestBytes',
  instance: 'dicomweb.stowMaxInstanceBytes',
  parts: 'dicomweb.stowMaxParts',
} as const;

export function registerStowRoutes(app: FastifyInstance, services: DicomwebServices, base: string): void {
  void app.register(async (scope) => {
    // The body is read by the route, part by part, not by a Fastify parser: accept every content type
    // here and let the route answer 415 with a reason.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = (request: FastifyRequest<{ Params: { study?: string } }>, reply: FastifyReply) =>
      stow(services, base, request, reply);
    scope.post(`${base}/studies`, handler);
    scope.post(`${base}/studies/:study`, handler);
  });
}

async function stow(
  services: DicomwebServices,
  base: string,
  request: FastifyRequest<{ Params: { study?: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const limits = services.config.dicomweb;
  const study = request.params.study;
  // One reader of the body for the parts and, after a refusal, for what is left of it.
  const body = request.raw[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  try {
    checkAccept(request.headers.accept);
    const { boundary, partType } = parseStowContentType(request.headers['content-type']);
    if (study !== undefined && !/^[0-9.]{1,64}$/.test(study)) {
      throw invalid(`${study.slice(0, 80)} is not a Study Instance UID`);
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limits.stowMaxRequestBytes) throw tooLarge(`the body exceeds ${SETTING.request}`, limits);
    const reader = new MultipartReader({ [Symbol.asyncIterator]: () => body }, boundary, {
      maxBodyBytes: limits.stowMaxRequestBytes,
      maxParts: limits.stowMaxParts,
    });
    const { outcomes, error } = await storeParts(services.archive, httpContext(request, 'dicomweb'), reader, {
      defaultPartType: partType,
      maxBytes: limits.stowMaxInstanceBytes,
      maxBytesSetting: SETTING.instance,
      ...(study !== undefined ? { studyInstanceUid: study } : {}),
    });
    if (error) throw requestError(error, limits, outcomes);
    if (outcomes.length === 0) throw invalid('the multipart body holds no parts');
    if (outcomes.every(isTooLarge)) {
      throw tooLarge(
        `every instance exceeds ${SETTING.instance} (${limits.stowMaxInstanceBytes} bytes)`,
        limits,
      );
    }
    return answer(request, reply, base, outcomes);
  } catch (error) {
    void discardRest(request, body);
    return sendProblem(error, request, reply);
  }
}

/** What is read and dropped of a refused body, so a client still sending gets to read the answer. */
const DISCARD_BYTES = 64 * 1024 * 1024;

/** After a refusal: drops the rest of the body, or closes the connection if it goes on too long. */
async function discardRest(request: FastifyRequest, body: AsyncIterator<Uint8Array>): Promise<void> {
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await body.next();
      if (done) return;
      seen += value.byteLength;
      if (seen > DISCARD_BYTES) break;
    }
  } catch {
    return; // the client went away
  }
  request.raw.socket.destroy();
}

function answer(request: FastifyRequest, reply: FastifyReply, base: string, outcomes: PartOutcome[]) {
  const failures = outcomes.filter((o) => 'failed' in o);
  if (failures.length > 0) {
    request.log.info(
      {
        failures: failures.map((f) =>
          'failed' in f ? { part: f.part, reason: f.reason, why: f.error.message } : {},
        ),
      },
      'STOW-RS instances failed',
    );
    void reply.header('warning', warningHeaders(outcomes, 'lantern'));
  }
  const baseUrl = `${request.protocol}://${request.host}${base}`;
  return reply
    .status(stowStatus(outcomes))
    .type('application/dicom+json')
    .send(JSON.stringify(stowResponseBody(outcomes, baseUrl)));
}

const isTooLarge = (outcome: PartOutcome) =>
  'failed' in outcome && outcome.error instanceof InstanceTooLargeError;

type Limits = DicomwebServices['config']['dicomweb'];

/** 413 Payload Too Large, naming the setting that limits it. */
function tooLarge(message: string, limits: Limits): LanternError {
  const detail = `${message}; limits: ${SETTING.request}=${limits.stowMaxRequestBytes}, ${SETTING.instance}=${limits.stowMaxInstanceBytes}, ${SETTING.parts}=${limits.stowMaxParts}`;
  return Object.assign(new LanternError('invalid', detail), { statusCode: 413 });
}

/** A body that broke off or went over a limit. Instances stored before that point stay stored: say so. */
function requestError(error: MultipartError, limits: Limits, outcomes: PartOutcome[]): LanternError {
  const stored = outcomes.filter((o) => 'stored' in o).length;
  const before = stored > 0 ? ` (${stored} instances before it were stored)` : '';
  switch (error.failure) {
    case 'body-too-large':
      return tooLarge(
        `the body exceeds ${SETTING.request} (${limits.stowMaxRequestBytes} bytes)${before}`,
        limits,
      );
    case 'too-many-parts':
      return tooLarge(
        `the body has more than ${SETTING.parts} (${limits.stowMaxParts}) parts${before}`,
        limits,
      );
    case 'malformed':
      return invalid(`malformed multipart body: ${error.message}${before}`);
  }
}
