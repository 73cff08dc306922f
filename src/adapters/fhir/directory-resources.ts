import type { Organization, Practitioner } from '@medplum/fhirtypes';
import type { OrderingProvider, Ris } from '../../ris/index.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler } from './resource-handler.js';
import { alternatives, isFhirId } from './search-values.js';

// Lantern keeps no directory of people or organizations. What it knows is synthesised:
// - Practitioner/{id}: an ordering provider as orders name them (ServiceRequest.requester), by the placer's
//   id for them. Report signers appear only as names (DiagnosticReport.resultsInterpreter.display): a signer
//   is a Lantern user (or named by an API key's caller), not a practitioner of this directory.
// - Organization/lantern: the imaging department this Lantern serves, performer of every report and
//   manager of the DICOMweb Endpoint, named after the DICOM AE title.

export function toPractitioner(provider: OrderingProvider): Practitioner {
  const parts = (provider.name ?? '').split('^');
  const [family, given] = [parts[0]?.trim(), parts[1]?.trim()];
  return {
    resourceType: 'Practitioner',
    id: provider.id,
    identifier: [{ system: 'urn:lantern:ordering-provider', value: provider.id }],
    ...(provider.name
      ? {
          name: [
            provider.name.includes('^')
              ? {
                  family,
                  ...(given ? { given: [given] } : {}),
                  text: provider.name.replace(/\^+/g, ' ').trim(),
                }
              : { text: provider.name },
          ],
        }
      : {}),
  };
}

export function practitionerHandler(ris: Ris): ResourceHandler {
  return {
    type: 'Practitioner',
    read: async (ctx, id) => {
      const found = await ris.orderingProviders.search(ctx, { ids: [id], limit: 1, offset: 0 });
      if (!found.providers[0])
        throw fhirError(404, 'not-found', `Practitioner ${id} not found (no order names them)`);
      return toPractitioner(found.providers[0]);
    },
    search: {
      params: {
        _id: { type: 'token', documentation: 'the ordering provider id' },
        identifier: { type: 'token', documentation: 'the ordering provider id' },
        name: { type: 'string', documentation: 'part of the name, case-insensitive' },
      },
      sorts: ['_id'],
      run: async (ctx, query) => {
        const p = query.params;
        const ids = [
          ...alternatives(p.get('_id') ?? []),
          ...alternatives(p.get('identifier') ?? []).map((v) => v.split('|').pop()!),
        ];
        const found = await ris.orderingProviders.search(ctx, {
          ...(ids.length ? { ids } : {}),
          ...(p.get('name')?.[0] ? { name: p.get('name')![0] } : {}),
          limit: query.count,
          offset: query.offset,
        });
        // Providers whose ids are no FHIR ids stay display names on their orders.
        const providers = found.providers.filter((pr) => isFhirId(pr.id));
        return { total: found.total, resources: providers.map(toPractitioner) };
      },
    },
  };
}

export function departmentOrganization(aeTitle: string): Organization {
  return {
    resourceType: 'Organization',
    id: 'lantern',
    active: true,
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'dept' }] }],
    name: `Imaging department (Lantern, DICOM AE ${aeTitle})`,
    identifier: [{ system: 'urn:lantern:ae-title', value: aeTitle }],
  };
}

export function organizationHandler(aeTitle: string): ResourceHandler {
  return {
    type: 'Organization',
    read: async (_ctx, id) => {
      if (id !== 'lantern') throw fhirError(404, 'not-found', `Organization ${id} not found`);
      return departmentOrganization(aeTitle);
    },
    search: {
      params: { _id: { type: 'token', documentation: 'lantern' } },
      sorts: [],
      run: async (_ctx, query) => {
        const ids = query.params.has('_id') ? alternatives(query.params.get('_id')!) : undefined;
        const all = [departmentOrganization(aeTitle)].filter((o) => !ids || ids.includes(o.id!));
        return { total: all.length, resources: all.slice(query.offset, query.offset + query.count) };
      },
    },
  };
}
