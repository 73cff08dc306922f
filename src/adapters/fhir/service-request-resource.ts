import type { Identifier, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Order, OrderSearch, OrderStatus, Ris } from '../../ris/index.js';
import { ORDER_STATUSES, type OrderId } from '../../ris/index.js';
import type { RequestContext } from '../../platform/context.js';
import {
  ACCESSION_SYSTEM,
  DICOM_UID_SYSTEM,
  ORDER_STATUS_EXTENSION,
  V2_0203,
  schemeOfSystem,
  systemOfScheme,
} from './coding-systems.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler, SearchQuery } from './resource-handler.js';
import {
  alternatives,
  dateRange,
  isFhirId,
  referenceId,
  token,
  updatedAtOf,
  versionOf,
} from './search-values.js';

// ServiceRequest ↔ RIS orders. Lantern is the filler: the accession number is its order number. The FHIR
// status is coarse (request-status); the RIS's own status travels in an extension, and either can be used
// in an update to move the order through the RIS state machine (ris/order-status.ts).

const FHIR_STATUS: Record<OrderStatus, ServiceRequest['status']> = {
  ordered: 'active',
  scheduled: 'active',
  arrived: 'active',
  'in-progress': 'active',
  completed: 'completed',
  preliminary: 'completed',
  final: 'completed',
  amended: 'completed',
  cancelled: 'revoked',
  discontinued: 'revoked',
};
const PRIORITY_TO_FHIR = { STAT: 'stat', URGENT: 'urgent', ROUTINE: 'routine' } as const;
const PRIORITY_FROM_FHIR: Record<string, 'STAT' | 'URGENT' | 'ROUTINE'> = {
  stat: 'STAT',
  asap: 'URGENT',
  urgent: 'URGENT',
  routine: 'ROUTINE',
};

const typed = (code: string, system: string | undefined, value: string): Identifier => ({
  type: { coding: [{ system: V2_0203, code }] },
  ...(system ? { system } : {}),
  value,
});

export function toServiceRequest(order: Order): ServiceRequest {
  const step = order.steps[0];
  const provider = order.orderingProvider;
  return {
    resourceType: 'ServiceRequest',
    id: String(order.id),
    meta: { versionId: versionOf(order.updatedAt), lastUpdated: order.updatedAt },
    extension: [{ url: ORDER_STATUS_EXTENSION, valueCode: order.status }],
    identifier: [
      typed('ACSN', ACCESSION_SYSTEM, order.accessionNumber),
      typed('FILL', ACCESSION_SYSTEM, order.fillerOrderNumber),
      ...(order.placerOrderNumber ? [typed('PLAC', undefined, order.placerOrderNumber)] : []),
      // The exam's studies: those linked to the order, else the UID it was scheduled with.
      ...order.examStudyInstanceUids.map((uid) => ({ system: DICOM_UID_SYSTEM, value: `urn:oid:${uid}` })),
    ],
    status: FHIR_STATUS[order.status],
    intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] }],
    priority: PRIORITY_TO_FHIR[order.priority],
    code: {
      coding: [
        {
          system: systemOfScheme(order.procedure.codingScheme),
          code: order.procedure.code,
          display: order.procedure.meaning,
        },
      ],
      text: order.procedure.meaning,
    },
    subject: { reference: `Patient/${order.patientRef}` },
    ...(step?.scheduledStart
      ? {
          occurrencePeriod: {
            start: step.scheduledStart,
            ...(step.scheduledEnd ? { end: step.scheduledEnd } : {}),
          },
        }
      : {}),
    authoredOn: order.createdAt,
    ...(provider.id || provider.name
      ? {
          requester: {
            ...(provider.id && isFhirId(provider.id) ? { reference: `Practitioner/${provider.id}` } : {}),
            ...(provider.name ? { display: provider.name } : {}),
          },
        }
      : {}),
    ...(order.reason ? { reasonCode: [{ text: order.reason }] } : {}),
    ...(step?.bookingId ? { supportingInfo: [{ reference: `Appointment/${step.bookingId}` }] } : {}),
  };
}

const identifierOfType = (resource: ServiceRequest, code: string) =>
  resource.identifier?.find((i) => i.type?.coding?.some((c) => c.code === code))?.value;

/** Which procedure of the catalogue a ServiceRequest's code names. */
async function procedureOf(ris: Ris, ctx: RequestContext, resource: ServiceRequest): Promise<number> {
  const catalogue = await ris.procedures.list(ctx);
  for (const coding of resource.code?.coding ?? []) {
    const scheme = coding.system ? schemeOfSystem(coding.system) : undefined;
    const found = catalogue.find(
      (p) => p.code === coding.code && (scheme === undefined || p.codingScheme === scheme),
    );
    if (found) return found.id;
  }
  throw fhirError(
    422,
    'business-rule',
    "the code names no procedure of Lantern's catalogue (GET /api/procedures); codes are matched by system and code",
    'ServiceRequest.code',
  );
}

function statusRequested(resource: ServiceRequest): string | undefined {
  return resource.extension?.find((e) => e.url === ORDER_STATUS_EXTENSION)?.valueCode;
}

/** The RIS status an update asks for: the extension if given, else the coarse FHIR status mapped. */
function targetStatus(current: Order, resource: ServiceRequest): OrderStatus | undefined {
  const exact = statusRequested(resource);
  if (exact !== undefined && exact !== current.status) {
    if (!(ORDER_STATUSES as readonly string[]).includes(exact)) {
      throw fhirError(
        422,
        'code-invalid',
        `'${exact}' is not a Lantern order status (${ORDER_STATUSES.join(', ')})`,
        'ServiceRequest.extension',
      );
    }
    return exact as OrderStatus;
  }
  if (resource.status === FHIR_STATUS[current.status]) return undefined;
  if (resource.status === 'revoked') return current.status === 'in-progress' ? 'discontinued' : 'cancelled';
  if (resource.status === 'completed' && current.status === 'in-progress') return 'completed';
  throw fhirError(
    409,
    'conflict',
    `order is ${current.status} (${FHIR_STATUS[current.status]}); it cannot become ${resource.status} through FHIR`,
    'ServiceRequest.status',
  );
}

/** What an update may not change once the order is placed: the patient, the procedure, the accession number. */
function assertUnchanged(current: Order, resource: ServiceRequest): void {
  const subject = resource.subject?.reference;
  if (!subject || referenceId(subject, 'Patient', 'ServiceRequest.subject') !== String(current.patientRef)) {
    throw fhirError(
      422,
      'business-rule',
      'the patient of a placed order cannot be changed',
      'ServiceRequest.subject',
    );
  }
  const codes = resource.code?.coding ?? [];
  if (!codes.some((c) => c.code === current.procedure.code)) {
    throw fhirError(
      422,
      'business-rule',
      'the procedure of a placed order cannot be changed; cancel and reorder',
      'ServiceRequest.code',
    );
  }
  const accession = identifierOfType(resource, 'ACSN');
  if (accession !== undefined && accession !== current.accessionNumber) {
    throw fhirError(
      422,
      'business-rule',
      'the accession number of a placed order cannot be changed',
      'ServiceRequest.identifier',
    );
  }
}

export function serviceRequestHandler(ris: Ris): ResourceHandler {
  const search = async (ctx: RequestContext, query: SearchQuery) => {
    const p = query.params;
    const ids = p.has('_id') ? alternatives(p.get('_id')!) : undefined;
    if (ids) {
      const found = await Promise.all(
        ids.map((id) =>
          /^\d+$/.test(id)
            ? ris.orders.get(ctx, Number(id) as OrderId).then(toServiceRequest, () => undefined)
            : undefined,
        ),
      );
      const resources = found.filter((r): r is ServiceRequest => r !== undefined);
      return {
        total: resources.length,
        resources: resources.slice(query.offset, query.offset + query.count),
      };
    }
    const search: OrderSearch = { limit: query.count, offset: query.offset };
    const patient = p.get('patient')?.[0] ?? p.get('subject')?.[0];
    if (patient) search.patientRef = Number(referenceId(patient, 'Patient', 'patient'));
    for (const name of ['identifier', 'accession']) {
      const value = p.get(name)?.[0];
      if (value) search.accessionNumber = token(value).code;
    }
    const statuses = p.has('status') ? alternatives(p.get('status')!) : undefined;
    if (statuses) {
      search.status = (Object.keys(FHIR_STATUS) as OrderStatus[]).filter(
        (s) => statuses.includes(FHIR_STATUS[s]!) || statuses.includes(s),
      );
      if (search.status.length === 0) return { total: 0, resources: [] };
    }
    const authored = p.has('authored') ? dateRange(p.get('authored')!, 'authored') : undefined;
    if (authored?.from) search.orderedFrom = authored.from.toISOString();
    if (authored?.to) search.orderedTo = authored.to.toISOString();
    const occurrence = p.has('occurrence') ? dateRange(p.get('occurrence')!, 'occurrence') : undefined;
    if (occurrence?.from) search.scheduledFrom = occurrence.from.toISOString();
    if (occurrence?.to) search.scheduledTo = occurrence.to.toISOString();
    const updated = p.has('_lastUpdated') ? dateRange(p.get('_lastUpdated')!, '_lastUpdated') : undefined;
    if (updated?.from) search.updatedFrom = updated.from.toISOString();
    if (updated?.to) search.updatedTo = updated.to.toISOString();
    if (query.sort)
      search.order = query.sort.map((s) => ({
        by: s.key === 'authored' ? 'ordered' : 'updated',
        descending: s.descending,
      }));
    if (Number.isNaN(search.patientRef)) return { total: 0, resources: [] };
    const result = await ris.orders.search(ctx, search);
    return { total: result.total, resources: result.orders.map(toServiceRequest) };
  };

  return {
    type: 'ServiceRequest',
    read: async (ctx, id) => {
      if (!/^\d{1,15}$/.test(id)) throw fhirError(404, 'not-found', `ServiceRequest ${id} not found`);
      return toServiceRequest(await ris.orders.get(ctx, Number(id) as OrderId));
    },
    readMany: async (ctx, ids) => {
      const numeric = ids.filter((id) => /^\d{1,15}$/.test(id)).map((id) => Number(id) as OrderId);
      return (await ris.lookUpOrders(ctx, { ids: numeric })).map(toServiceRequest);
    },
    search: {
      params: {
        _id: { type: 'token', documentation: 'the order id' },
        _lastUpdated: {
          type: 'date',
          documentation: 'when the order last changed: status, booking or details (meta.lastUpdated)',
        },
        patient: { type: 'reference', documentation: 'Patient/{id}' },
        subject: { type: 'reference', documentation: 'Patient/{id}' },
        identifier: { type: 'token', documentation: 'accession number' },
        accession: { type: 'token', documentation: 'accession number (Lantern parameter)' },
        status: { type: 'token', documentation: 'FHIR request-status, or a Lantern order status' },
        authored: { type: 'date', documentation: 'when the order was placed' },
        occurrence: { type: 'date', documentation: 'when the exam is booked' },
      },
      sorts: ['authored', '-authored', '_lastUpdated', '-_lastUpdated'],
      run: search,
    },
    create: async (ctx, resource) => {
      const request = resource as ServiceRequest;
      if (request.status !== 'active') {
        throw fhirError(
          422,
          'business-rule',
          'a new order is active (Lantern keeps no drafts)',
          'ServiceRequest.status',
        );
      }
      if (!['order', 'original-order', 'filler-order'].includes(request.intent)) {
        throw fhirError(
          422,
          'business-rule',
          'Lantern takes orders (intent order, original-order or filler-order)',
          'ServiceRequest.intent',
        );
      }
      const subject = request.subject?.reference;
      if (!subject)
        throw fhirError(422, 'business-rule', 'an order needs a Patient subject', 'ServiceRequest.subject');
      const patientId = referenceId(subject, 'Patient', 'ServiceRequest.subject');
      if (!/^\d{1,15}$/.test(patientId))
        throw fhirError(422, 'business-rule', `Patient/${patientId} is not known`, 'ServiceRequest.subject');
      const requesterRef = request.requester?.reference;
      const requesterId =
        requesterRef && /^Practitioner\//.test(requesterRef) ? requesterRef.split('/')[1] : undefined;
      const accession = identifierOfType(request, 'ACSN');
      const placer = identifierOfType(request, 'PLAC');
      const reason = request.reasonCode
        ?.map((r) => r.text ?? r.coding?.[0]?.display)
        .filter(Boolean)
        .join('; ');
      const priority = request.priority ? PRIORITY_FROM_FHIR[request.priority] : undefined;
      const order = await ris.orders.place(ctx, {
        patientRef: Number(patientId),
        procedureId: await procedureOf(ris, ctx, request),
        ...(accession ? { accessionNumber: accession } : {}),
        ...(placer ? { placerOrderNumber: placer } : {}),
        ...(priority ? { priority } : {}),
        ...(reason ? { reason } : {}),
        ...(requesterId || request.requester?.display
          ? {
              orderingProvider: {
                ...(requesterId ? { id: requesterId } : {}),
                ...(request.requester?.display ? { name: request.requester.display } : {}),
              },
            }
          : {}),
      });
      return toServiceRequest(order);
    },
    update: async (ctx, id, resource, _env, ifMatch) => {
      if (!/^\d{1,15}$/.test(id)) throw fhirError(404, 'not-found', `ServiceRequest ${id} not found`);
      const current = await ris.orders.get(ctx, Number(id) as OrderId);
      const request = resource as ServiceRequest;
      assertUnchanged(current, request);
      const to = targetStatus(current, request);
      if (to === undefined) return toServiceRequest(current);
      const reason = request.note?.[0]?.text;
      const expected = ifMatch === undefined ? {} : { expectedUpdatedAt: updatedAtOf(ifMatch) };
      return toServiceRequest(await ris.orders.transition(ctx, current.id, to, reason, expected));
    },
    references: {
      patient: (r: Resource) => [(r as ServiceRequest).subject?.reference],
      subject: (r: Resource) => [(r as ServiceRequest).subject?.reference],
      requester: (r: Resource) => [(r as ServiceRequest).requester?.reference],
    },
    expressionOf: (field) =>
      ({
        patientRef: 'ServiceRequest.subject',
        procedureId: 'ServiceRequest.code',
        accessionNumber: 'ServiceRequest.identifier',
        reason: 'ServiceRequest.reasonCode',
      })[field],
  };
}
