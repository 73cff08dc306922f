import type { FastifyInstance } from 'fastify';
import type { DicomwebServices } from './dicomweb-services.js';

/** rendered-and-frames routes under the DICOMweb base path (being built). */
export function registerRenderedRoutes(
  _app: FastifyInstance,
  _services: DicomwebServices,
  _base: string,
): void {}
