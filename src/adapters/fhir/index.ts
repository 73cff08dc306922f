import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import type { Archive } from '../../archive/index.js';
import type { Patients } from '../../patients/index.js';
import type { Logger } from '../../platform/log/index.js';
import { createAuditReader } from '../../platform/security/index.js';
import { createSubscriptions } from '../../platform/subscriptions/index.js';
import type { Ris } from '../../ris/index.js';
import { httpContext } from '../http/index.js';
import { auditEventHandler } from './audit-event-resource.js';
import { capabilityStatement } from './capability-statement.js';
import { diagnosticReportHandler } from './diagnostic-report-resource.js';
import { organizationHandler, practitionerHandler } from './directory-resources.js';
import { endpointHandler } from './endpoint-resource.js';
import { validateIncoming, WRITABLE_TYPES } from './fhir-validation.js';
import { imagingStudyHandler } from './imaging-study-resource.js';
import { fhirError, toOperationOutcome } from './operation-outcome.js';
import { patientHandler } from './patient-resource.js';
import type { FhirEnv, ResourceHandler } from './resource-handler.js';
import { appointmentHandler, scheduleHandler, slotHandler } from './schedule-resources.js';
import { searchBundle } from './search-bundle.js';
import { installSmartScopes } from './smart-scopes.js';
import { serviceRequestHandler } from './service-request-resource.js';
import { subscriptionHandler } from './subscription-resource.js';
import { startNotifier } from './subscription-notifier.js';

// The FHIR R4 door, under /fhir (application/fhir+json):
//   GET    /fhir/metadata                      CapabilityStatement built from the handlers below
//   GET    /fhir/:type?params                  search → Bundle searchset (POST /fhir/:type/_search: form body)
//   GET    /fhir/:type/:id                     read (ETag W/"versionId")
//   GET    /fhir/:type/:id/_history/:vid       vread of the current version only (Lantern keeps no history)
//   POST   /fhir/:type                         create (validated), 201 + Location
//   PUT    /fhir/:type/:id                     update (validated; If-Match → 412 on a stale version)
//   DELETE /fhir/:type/:id                     delete (Subscription only)
// Every refusal is an OperationOutcome (operation-outcome.ts).

export const FHIR_BASE = '/fhir';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface FhirServices {
  archive: Archive;
  patients: Patients;
  ris: Ris;
  /** Handed to the audit reader and subscriptions (platform services the door builds for itself). */
  database: Parameters<typeof createAuditReader>[0];
  config: { dicom: { aeTitle: string } };
  /** Where the DICOMweb door answers on this server (the ImagingStudy Endpoint). */
  dicomwebBase: string;
  log: Logger;
}

export function registerFhirDoor(app: FastifyInstance, services: FhirServices): void {
  const subscriptions = createSubscriptions(services.database);
  const all: ResourceHandler[] = [
    patientHandler(services.patients),
    serviceRequestHandler(services.ris),
    imagingStudyHandler(services.archive, services.patients, services.ris),
    diagnosticReportHandler(services.ris),
    appointmentHandler(services.ris),
    scheduleHandler(services.ris),
    slotHandler(services.ris),
    practitionerHandler(services.ris),
    organizationHandler(services.config.dicom.aeTitle),
    endpointHandler(),
    auditEventHandler(createAuditReader(services.database)),
    subscriptionHandler(subscriptions),
  ];
  const handlers = new Map(all.map((h) => [h.type, h]));
  const reports = handlers.get('DiagnosticReport')!;
  const notifier = startNotifier(subscriptions, services.log, (ctx, id) =>
    reports.read(ctx, id, { fhirBase: '', serverBase: '', dicomwebBase: services.dicomwebBase }),
  );
  app.addHook('onClose', () => notifier.close());

  void app.register(
    async (fhir) => {
      fhir.addContentTypeParser(
        ['application/fhir+json', 'application/json'],
        { parseAs: 'string' },
        fhir.getDefaultJsonParser('error', 'error'),
      );
      fhir.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      fhir.setErrorHandler((error, request, reply) => {
        const handler = handlers.get((request.params as { type?: string }).type as Resource['resourceType']);
        const write =
          (request.method === 'POST' && !request.url.includes('/_search')) || request.method === 'PUT';
        const { status, outcome } = toOperationOutcome(error, { write, expressionOf: handler?.expressionOf });
        if (status >= 500) request.log.error({ err: error }, 'FHIR request failed');
        return reply.status(status).type(FHIR_JSON).send(outcome);
      });
      fhir.setNotFoundHandler((request, reply) =>
        reply
          .status(404)
          .type(FHIR_JSON)
          .send(
            toOperationOutcome(
              fhirError(
                404,
                'not-found',
                `no FHIR interaction ${request.method} ${request.url.split('?')[0]}`,
              ),
            ).outcome,
          ),
      );

      installSmartScopes(fhir, services.database, handlers); // SMART scopes narrow every interaction
      fhir.get('/metadata', async (request, reply) =>
        send(reply, capabilityStatement(all, env(request), VERSION)),
      );
      fhir.get<Typed>('/:type', (request, reply) => search(request, reply, request.query as Query));
      fhir.post<Typed>('/:type/_search', (request, reply) =>
        search(request, reply, { ...(request.query as Query), ...(request.body as Query) }),
      );
      fhir.get<Typed>('/:type/:id', async (request, reply) => {
        const resource = await handlerOf(request).read(
          httpContext(request, 'fhir'),
          request.params.id!,
          env(request),
        );
        return send(reply, resource);
      });
      fhir.get<Typed>('/:type/:id/_history/:vid', async (request, reply) => {
        const resource = await handlerOf(request).read(
          httpContext(request, 'fhir'),
          request.params.id!,
          env(request),
        );
        if (resource.meta?.versionId !== request.params.vid) {
          throw fhirError(
            404,
            'not-found',
            `version ${request.params.vid} is not the current one, and Lantern keeps no history`,
          );
        }
        return send(reply, resource);
      });
      fhir.post<Typed>('/:type', async (request, reply) => {
        const handler = handlerOf(request);
        if (!handler.create)
          throw fhirError(405, 'not-supported', `${handler.type} cannot be created through FHIR`);
        const resource = incoming(request, handler);
        const created = await handler.create(httpContext(request, 'fhir'), resource, env(request));
        const location = `${env(request).fhirBase}/${created.resourceType}/${created.id}${created.meta?.versionId ? `/_history/${created.meta.versionId}` : ''}`;
        return send(reply.status(201).header('location', location), created, request);
      });
      fhir.put<Typed>('/:type/:id', async (request, reply) => {
        const handler = handlerOf(request);
        if (!handler.update)
          throw fhirError(405, 'not-supported', `${handler.type} cannot be updated through FHIR`);
        const resource = incoming(request, handler);
        if (resource.id !== request.params.id) {
          throw fhirError(
            400,
            'invalid',
            `the resource's id must be the id in the URL (${request.params.id})`,
            `${handler.type}.id`,
          );
        }
        const ctx = httpContext(request, 'fhir');
        const ifMatch = request.headers['if-match'];
        const wanted =
          ifMatch === undefined ? undefined : /^(?:W\/)?"?([^"]*)"?$/.exec(String(ifMatch).trim())?.[1];
        if (ifMatch !== undefined) {
          // Checked here first, and again inside the change's transaction by Patient and ServiceRequest.
          const current = await handler.read(ctx, request.params.id!, env(request));
          if (wanted !== current.meta?.versionId) {
            throw fhirError(
              412,
              'conflict',
              `If-Match ${ifMatch}: the current version is ${current.meta?.versionId ?? 'unversioned'}`,
            );
          }
        }
        const updated = await handler.update(
          ctx,
          request.params.id!,
          resource,
          env(request),
          wanted ?? undefined,
        );
        return send(reply, updated, request);
      });
      fhir.delete<Typed>('/:type/:id', async (request, reply) => {
        const handler = handlerOf(request);
        if (!handler.remove)
          throw fhirError(405, 'not-supported', `${handler.type} cannot be deleted through FHIR`);
        await handler.remove(httpContext(request, 'fhir'), request.params.id!);
        return reply.status(204).send();
      });
    },
    { prefix: FHIR_BASE },
  );

  type Query = Record<string, string | string[] | undefined>;
  type Typed = { Params: { type: string; id?: string; vid?: string } };

  function handlerOf(request: FastifyRequest<Typed>): ResourceHandler {
    const handler = handlers.get(request.params.type as Resource['resourceType']);
    if (!handler)
      throw fhirError(
        404,
        'not-supported',
        `Lantern does not serve ${request.params.type} (see /fhir/metadata)`,
      );
    return handler;
  }

  function incoming(request: FastifyRequest<Typed>, handler: ResourceHandler): Resource {
    const body = request.body as Resource | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw fhirError(400, 'structure', 'the body must be a FHIR resource in JSON');
    }
    if (body.resourceType !== handler.type) {
      throw fhirError(
        400,
        'invalid',
        `expected a ${handler.type}, got ${String(body.resourceType)}`,
        'resourceType',
      );
    }
    if ((WRITABLE_TYPES as readonly string[]).includes(handler.type)) validateIncoming(body);
    return body;
  }

  function env(request: FastifyRequest): FhirEnv {
    const serverBase = `${request.protocol}://${request.host}`;
    return { serverBase, fhirBase: `${serverBase}${FHIR_BASE}`, dicomwebBase: services.dicomwebBase };
  }

  async function search(request: FastifyRequest<Typed>, reply: FastifyReply, query: Query) {
    const handler = handlerOf(request);
    const prefer = String(request.headers.prefer ?? '');
    const e = env(request);
    const selfUrl = `${e.serverBase}${request.url.split('?')[0]!.replace(/\/_search$/, '')}?${new URLSearchParams(
      Object.entries(query).flatMap(([k, v]) =>
        v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
      ),
    ).toString()}`;
    const bundle = await searchBundle(
      handlers,
      handler,
      httpContext(request, 'fhir'),
      { query, strict: /handling=strict/.test(prefer), selfUrl },
      e,
    );
    return send(reply, bundle);
  }
}

/** The resource with its version headers; Prefer: return=minimal answers with the headers alone. */
function send(reply: FastifyReply, resource: Resource, request?: FastifyRequest): FastifyReply {
  if (resource.meta?.versionId) reply.header('etag', `W/"${resource.meta.versionId}"`);
  if (resource.meta?.lastUpdated)
    reply.header('last-modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (request && /return=minimal/.test(String(request.headers.prefer ?? ''))) return reply.send();
  return reply.type(FHIR_JSON).send(resource);
}
