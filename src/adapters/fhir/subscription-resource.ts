import type { Subscription as FhirSubscription } from '@medplum/fhirtypes';
import type { Subscription, SubscriptionInput, Subscriptions } from '../../platform/subscriptions/index.js';
import { REPORT_EVENT_OF_STATUS } from './diagnostic-report-resource.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler } from './resource-handler.js';
import { alternatives, referenceId } from './search-values.js';

// Subscription (R4, rest-hook) ↔ platform/subscriptions. Lantern notifies of reports only: criteria
// `DiagnosticReport?status=final` (or preliminary, amended/corrected/appended; several comma-separated;
// optionally `&patient=Patient/{id}`). A subscription is active as soon as it is stored.

const CRITERIA = /^DiagnosticReport\?(.+)$/;

/** The report events and payload filter a criteria string stands for; anything else is refused. */
export function parseCriteria(criteria: string): Pick<SubscriptionInput, 'eventTypes' | 'eventFilter'> {
  const m = CRITERIA.exec(criteria.trim());
  const refuse = (why: string) =>
    fhirError(422, 'not-supported', `criteria: ${why}`, 'Subscription.criteria');
  if (!m) throw refuse("Lantern notifies of DiagnosticReport only ('DiagnosticReport?status=final')");
  const params = new URLSearchParams(m[1]);
  const eventTypes = new Set<string>();
  const eventFilter: Record<string, string | number> = {};
  for (const [name, value] of params) {
    if (name === 'status') {
      for (const status of alternatives([value])) {
        const type = REPORT_EVENT_OF_STATUS[status];
        if (!type) throw refuse(`status ${status}: one of ${Object.keys(REPORT_EVENT_OF_STATUS).join(', ')}`);
        eventTypes.add(type);
      }
    } else if (name === 'patient' || name === 'subject') {
      eventFilter.patientRef = Number(referenceId(value, 'Patient', 'criteria'));
    } else throw refuse(`the parameter ${name} is not supported (status, patient)`);
  }
  if (eventTypes.size === 0) throw refuse('name the report status to be told of (status=final)');
  return { eventTypes: [...eventTypes], eventFilter };
}

export function toFhirSubscription(s: Subscription): FhirSubscription {
  return {
    resourceType: 'Subscription',
    id: String(s.id),
    meta: { lastUpdated: s.updatedAt, versionId: String(Date.parse(s.updatedAt)) },
    status: s.status,
    reason: s.reason,
    criteria: s.criteria,
    ...(s.contact ? { contact: [{ system: 'email', value: s.contact }] } : {}),
    ...(s.endsAt ? { end: s.endsAt } : {}),
    ...(s.error ? { error: s.error } : {}),
    channel: {
      type: 'rest-hook',
      endpoint: s.endpoint,
      ...(s.payload ? { payload: s.payload } : {}),
      ...(s.headers.length ? { header: s.headers } : {}),
    },
  };
}

function fromFhirSubscription(resource: FhirSubscription): SubscriptionInput {
  if (resource.channel.type !== 'rest-hook') {
    throw fhirError(422, 'not-supported', 'Lantern notifies by rest-hook only', 'Subscription.channel.type');
  }
  if (!resource.channel.endpoint) {
    throw fhirError(422, 'required', 'a rest-hook needs an endpoint', 'Subscription.channel.endpoint');
  }
  const payload = resource.channel.payload;
  if (payload && !['application/fhir+json', 'application/json'].includes(payload)) {
    throw fhirError(
      422,
      'not-supported',
      'payload: application/fhir+json, or none',
      'Subscription.channel.payload',
    );
  }
  // R4: the client asks (requested) and the server activates; off pauses it.
  const status = resource.status === 'off' ? 'off' : 'active';
  return {
    criteria: resource.criteria,
    ...parseCriteria(resource.criteria),
    endpoint: resource.channel.endpoint,
    payload: payload ?? null,
    headers: resource.channel.header ?? [],
    reason: resource.reason,
    contact: resource.contact?.find((c) => c.value)?.value ?? null,
    endsAt: resource.end ?? null,
    status,
  };
}

export function subscriptionHandler(subscriptions: Subscriptions): ResourceHandler {
  const numeric = (id: string) => {
    if (!/^\d{1,15}$/.test(id)) throw fhirError(404, 'not-found', `Subscription ${id} not found`);
    return Number(id);
  };
  return {
    type: 'Subscription',
    read: async (ctx, id) => toFhirSubscription(await subscriptions.get(ctx, numeric(id))),
    search: {
      params: {
        status: { type: 'token', documentation: 'requested, active, error, off' },
      },
      sorts: ['_id'],
      run: async (ctx, query) => {
        const status = query.params.get('status')?.[0];
        const result = await subscriptions.list(ctx, {
          ...(status ? { status: status as Subscription['status'] } : {}),
          limit: query.count,
          offset: query.offset,
        });
        return { total: result.total, resources: result.subscriptions.map(toFhirSubscription) };
      },
    },
    create: async (ctx, resource) =>
      toFhirSubscription(await subscriptions.create(ctx, fromFhirSubscription(resource as FhirSubscription))),
    update: async (ctx, id, resource) =>
      toFhirSubscription(
        await subscriptions.replace(ctx, numeric(id), fromFhirSubscription(resource as FhirSubscription)),
      ),
    remove: (ctx, id) => subscriptions.remove(ctx, numeric(id)),
    expressionOf: (field) =>
      ({
        endpoint: 'Subscription.channel.endpoint',
        headers: 'Subscription.channel.header',
        endsAt: 'Subscription.end',
      })[field],
  };
}
