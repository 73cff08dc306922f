import type { FastifyInstance } from 'fastify';
import type { DicomwebServices } from './dicomweb-services.js';

/** WADO-URI routes under the DICOMweb base path (being built). */
export function registerWadoUriRoutes(
  _app: FastifyInstance,
  _services: DicomwebServices,
  _base: string,
): void {}
