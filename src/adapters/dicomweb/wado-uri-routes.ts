import type { FastifyInstance, FastifyRequest } from 'fastify';
import { renderFrame } from '../../lib/imaging/index.js';
import { httpContext } from '../http/index.js';
import { sendNotAcceptable } from './accept-negotiation.js';
import type { DicomwebServices } from './dicomweb-services.js';
import { readPixels, retrieveOne, sendPixelProblem } from './rendered-source.js';
import { DICOM, parseWadoUri, WADO_URI_TYPES, type WadoUriQuery } from './wado-uri-parameters.js';

// WADO-URI (PS3.18 9): GET {path}?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…[&contentType=…]
//   application/dicom      the stored file as it is (transferSyntax may only name the stored syntax)
//   image/jpeg (default)   one frame rendered: frameNumber, rows, columns, region, windowCenter/Width, imageQuality
//   image/png              the same, lossless

type WadoUriHttpRequest = FastifyRequest<{ Querystring: WadoUriQuery }>;

export function registerWadoUriRoutes(app: FastifyInstance, services: DicomwebServices, path: string): void {
  app.get(path, async (request: WadoUriHttpRequest, reply) => {
    try {
      const wado = parseWadoUri(request.query);
      if (!wado.contentType) {
        return sendNotAcceptable(request, reply, `contentType: Lantern returns ${WADO_URI_TYPES.join(', ')}`);
      }
      const ctx = httpContext(request, 'dicomweb');
      const instance = await retrieveOne(services, ctx, {
        studyInstanceUid: wado.studyInstanceUid,
        seriesInstanceUid: wado.seriesInstanceUid,
        sopInstanceUid: wado.sopInstanceUid,
      });
      if (wado.contentType === DICOM) {
        if (wado.transferSyntaxUid && wado.transferSyntaxUid !== instance.transferSyntaxUid) {
          return sendNotAcceptable(
            request,
            reply,
            `transferSyntax: the instance is stored as ${instance.transferSyntaxUid}; Lantern does not transcode whole files`,
          );
        }
        return reply
          .type(DICOM)
          .header('content-length', instance.size)
          .header('content-disposition', `attachment; filename="${instance.sopInstanceUid}.dcm"`)
          .send(instance.open());
      }
      const pixels = await readPixels(instance);
      const render = { ...wado.render };
      if (wado.region) {
        const { columns, rows } = pixels.description;
        const [x1, y1, x2, y2] = wado.region;
        const region = {
          x: x1 * columns,
          y: y1 * rows,
          width: (x2 - x1) * columns,
          height: (y2 - y1) * rows,
        };
        const size = {
          width: Math.max(1, Math.round(region.width)),
          height: Math.max(1, Math.round(region.height)),
        };
        render.viewport = { ...(render.viewport ?? size), region };
      }
      const format = wado.contentType === 'image/png' ? 'png' : 'jpeg';
      return reply.type(wado.contentType).send(await renderFrame(pixels, { ...render, format }));
    } catch (error) {
      return sendPixelProblem(error, request, reply);
    }
  });
}
