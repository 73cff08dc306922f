import type { FastifyInstance } from 'fastify';
import type { DicomwebServices } from './dicomweb-services.js';

/** STOW-RS routes under the DICOMweb base path (being built). */
export function registerStowRoutes(_app: FastifyInstance, _services: DicomwebServices, _base: string): void {}
