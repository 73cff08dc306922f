import type { FastifyInstance } from 'fastify';
import type { DicomwebServices } from './dicomweb-services.js';
import { registerQidoRoutes } from './qido-routes.js';
import { registerRenderedRoutes } from './rendered-routes.js';
import { registerStowRoutes } from './stow-routes.js';
import { registerWadoRoutes } from './wado-routes.js';
import { registerWadoUriRoutes } from './wado-uri-routes.js';

export type { DicomwebServices } from './dicomweb-services.js';

/** The DICOMweb base path (PS3.18): what viewers are configured with, e.g. http://host:8042/dicom-web. */
export const DICOMWEB_BASE = '/dicom-web';
/** WADO-URI (PS3.18 9), for viewers older than WADO-RS. */
export const WADO_URI_PATH = '/wado';

/** The DICOMweb door: QIDO-RS, WADO-RS, STOW-RS, rendered and frames under /dicom-web; WADO-URI at /wado. */
export function registerDicomwebRoutes(app: FastifyInstance, services: DicomwebServices): void {
  registerQidoRoutes(app, services, DICOMWEB_BASE);
  registerWadoRoutes(app, services, DICOMWEB_BASE);
  registerStowRoutes(app, services, DICOMWEB_BASE);
  registerRenderedRoutes(app, services, DICOMWEB_BASE);
  registerWadoUriRoutes(app, services, WADO_URI_PATH);
}
