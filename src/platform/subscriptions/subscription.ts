import { invalid } from '../errors.js';

/** requested: not yet checked · active: notified · error: deliveries failed for good · off: paused. */
export type SubscriptionStatus = 'requested' | 'active' | 'error' | 'off';
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['requested', 'active', 'error', 'off'];

/** A standing request to be told, at an HTTP endpoint, of events of some types. */
export interface Subscription {
  id: number;
  /** The subscriber's own words for what it wants (a FHIR search URL); kept as given. */
  criteria: string;
  /** The domain event types the criteria stand for (`report.finalized` …). */
  eventTypes: string[];
  /** Payload values an event must carry to be owed (`{ patientRef: 12 }`); empty: every event of the types. */
  eventFilter: Record<string, string | number>;
  status: SubscriptionStatus;
  endpoint: string;
  /** The MIME type of the body each notification carries; null: an empty notification. */
  payload: string | null;
  /** Header lines sent with each notification (`Authorization: Bearer …`). */
  headers: string[];
  reason: string;
  contact: string | null;
  endsAt: string | null;
  /** Why the subscription is in error: the last delivery failure. */
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export type SubscriptionInput = Pick<
  Subscription,
  | 'criteria'
  | 'eventTypes'
  | 'eventFilter'
  | 'endpoint'
  | 'payload'
  | 'headers'
  | 'reason'
  | 'contact'
  | 'endsAt'
> & { status: SubscriptionStatus };

const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n]*$/;

/** Checks what a door hands over; each refusal names its field. */
export function validateSubscription(input: SubscriptionInput): SubscriptionInput {
  let url: URL;
  try {
    url = new URL(input.endpoint);
  } catch {
    throw invalid(`endpoint: '${input.endpoint}' is not an absolute URL`, { field: 'endpoint' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('endpoint: only http and https endpoints are notified', { field: 'endpoint' });
  }
  if (input.eventTypes.length === 0) throw invalid('eventTypes: at least one', { field: 'eventTypes' });
  input.headers.forEach((header, i) => {
    if (!HEADER.test(header))
      throw invalid(`headers[${i}]: not a 'Name: value' header line`, { field: 'headers' });
  });
  if (!SUBSCRIPTION_STATUSES.includes(input.status)) {
    throw invalid(`status: one of ${SUBSCRIPTION_STATUSES.join(', ')}`, { field: 'status' });
  }
  if (input.endsAt !== null && Number.isNaN(Date.parse(input.endsAt))) {
    throw invalid('endsAt: not a date-time', { field: 'endsAt' });
  }
  return input;
}

/** A notification owed to a subscriber for one event. */
export interface Delivery {
  id: number;
  subscription: Subscription;
  eventId: number;
  eventType: string;
  eventPayload: Record<string, unknown>;
  attempts: number;
}

export type DeliveryOutcome = { ok: true } | { ok: false; error: string };
