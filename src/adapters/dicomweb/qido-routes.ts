import type { FastifyInstance } from 'fastify';
import type { DicomwebServices } from './dicomweb-services.js';

/** QIDO-RS routes under the DICOMweb base path (being built). */
export function registerQidoRoutes(_app: FastifyInstance, _services: DicomwebServices, _base: string): void {}
