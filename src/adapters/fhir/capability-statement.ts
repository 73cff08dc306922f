import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { FhirEnv, ResourceHandler } from './resource-handler.js';
import { WRITABLE_TYPES } from './fhir-validation.js';

// /metadata, built from the handlers themselves: an interaction or parameter is listed exactly when the
// door has code for it, so the statement cannot drift from the truth.

const DOCUMENTATION: Partial<Record<string, string>> = {
  Patient:
    'patients/: one Patient ID under its issuer, other identifiers, one name, birth date, gender, one address and phone',
  ServiceRequest:
    'RIS orders; status changes go through the RIS state machine (extension urn:lantern:fhir:extension:order-status)',
  ImagingStudy: "the archive's index; id = Study Instance UID; Endpoint/dicomweb is its DICOMweb base",
  DiagnosticReport:
    'RIS reports, one per order (id = order id); presentedForm: text/plain and application/pdf of the newest signed version',
  Appointment: 'RIS bookings; create books a Slot for basedOn ServiceRequest; update cancels or reschedules',
  Schedule: 'RIS modality resources (rooms, devices)',
  Slot: 'derived from opening hours and bookings; search needs schedule',
  Practitioner: 'synthesised from the ordering providers orders name',
  Organization: 'synthesised: Organization/lantern, the imaging department',
  Endpoint: 'Endpoint/dicomweb: WADO-RS, QIDO-RS, STOW-RS base',
  AuditEvent: 'the hash-chained audit trail, read-only',
  Subscription:
    'rest-hook notifications of DiagnosticReport status changes (criteria DiagnosticReport?status=final)',
};

export function capabilityStatement(
  handlers: readonly ResourceHandler[],
  env: FhirEnv,
  version: string,
): CapabilityStatement {
  const resource = handlers.map((h): CapabilityStatementRestResource => {
    const interaction: CapabilityStatementRestResource['interaction'] = [{ code: 'read' }];
    if (h.search) interaction.push({ code: 'search-type' });
    if (h.create) interaction.push({ code: 'create' });
    if (h.update) interaction.push({ code: 'update' });
    if (h.remove) interaction.push({ code: 'delete' });
    const includes = Object.keys(h.references ?? {}).map((p) => `${h.type}:${p}`);
    const revincludes = handlers.flatMap((other) =>
      Object.keys(other.references ?? {})
        .filter((p) => other.search && p in other.search.params)
        .map((p) => `${other.type}:${p}`),
    );
    return {
      type: h.type,
      ...(DOCUMENTATION[h.type] ? { documentation: DOCUMENTATION[h.type] } : {}),
      interaction,
      versioning: 'versioned-update',
      readHistory: false,
      updateCreate: false,
      conditionalCreate: false,
      conditionalUpdate: false,
      conditionalDelete: 'not-supported',
      ...(includes.length ? { searchInclude: includes } : {}),
      ...(revincludes.length ? { searchRevInclude: [...new Set(revincludes)] } : {}),
      ...(h.search
        ? {
            searchParam: [
              ...Object.entries(h.search.params).map(([name, p]) => ({
                name,
                type: p.type,
                documentation: p.documentation,
              })),
              {
                name: '_sort',
                type: 'special' as const,
                documentation: h.search.sorts.length
                  ? `keys (comma-separated, combinable): ${h.search.sorts.join(', ')}`
                  : 'not sortable: one fixed order',
              },
            ],
          }
        : {}),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Lantern',
    kind: 'instance',
    software: { name: 'Lantern', version },
    implementation: { description: 'Lantern FHIR R4 door', url: env.fhirBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          `Searches page with _count (default 20, at most 200) and _offset; _summary=count; _sort on the keys listed ` +
          `per type (its _sort search parameter), '-' for descending, comma-separated. Unknown parameters are ignored with a warning (search mode outcome), or refused ` +
          `(400) under Prefer: handling=strict. Incoming ${WRITABLE_TYPES.join(', ')} are validated against ` +
          `the R4 definitions plus required bindings and empty values. Updates honour If-Match (412), checked ` +
          `inside the change's transaction for Patient and ServiceRequest. _lastUpdated is offered where the ` +
          `records keep an update time (listed per type).`,
        resource,
        interaction: [],
        searchParam: [
          { name: '_count', type: 'number' },
          { name: '_offset', type: 'number', documentation: 'paging (next links)' },
          { name: '_summary', type: 'token', documentation: 'count only' },
          { name: '_sort', type: 'special', documentation: 'keys per type (see each resource)' },
          { name: '_include', type: 'special' },
          { name: '_revinclude', type: 'special' },
        ],
      },
    ],
  };
}
