import type { Endpoint } from '@medplum/fhirtypes';
import { fhirError } from './operation-outcome.js';
import type { FhirEnv, ResourceHandler } from './resource-handler.js';

// Endpoint: where a client fetches what a resource describes. Lantern has one for imaging: its DICOMweb
// base (WADO-RS, QIDO-RS, STOW-RS answer under it), named by every ImagingStudy.

export const DICOMWEB_ENDPOINT_ID = 'dicomweb';
export const DICOMWEB_ENDPOINT_REFERENCE = `Endpoint/${DICOMWEB_ENDPOINT_ID}`;

export function dicomwebEndpoint(env: FhirEnv): Endpoint {
  return {
    resourceType: 'Endpoint',
    id: DICOMWEB_ENDPOINT_ID,
    status: 'active',
    connectionType: {
      system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
      code: 'dicom-wado-rs',
      display: 'DICOM WADO-RS',
    },
    name: 'Lantern DICOMweb (WADO-RS, QIDO-RS, STOW-RS)',
    managingOrganization: { reference: 'Organization/lantern' },
    payloadType: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'DICOM WADO-RS' },
        ],
      },
    ],
    payloadMimeType: ['application/dicom', 'application/dicom+json'],
    address: `${env.serverBase}${env.dicomwebBase}`,
  };
}

export function endpointHandler(): ResourceHandler {
  return {
    type: 'Endpoint',
    read: async (_ctx, id, env) => {
      if (id !== DICOMWEB_ENDPOINT_ID) throw fhirError(404, 'not-found', `Endpoint ${id} not found`);
      return dicomwebEndpoint(env);
    },
    search: {
      params: { _id: { type: 'token', documentation: 'dicomweb' } },
      sorts: [],
      run: async (_ctx, query, env) => {
        const ids = query.params.get('_id');
        const all = [dicomwebEndpoint(env)].filter(
          (e) => !ids || ids.some((v) => v.split(',').includes(e.id!)),
        );
        return { total: all.length, resources: all.slice(query.offset, query.offset + query.count) };
      },
    },
  };
}
