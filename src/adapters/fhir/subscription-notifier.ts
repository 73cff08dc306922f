import type { Resource } from '@medplum/fhirtypes';
import { createContext, type RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';
import type { Delivery, Subscriptions } from '../../platform/subscriptions/index.js';

// Sends the notifications platform/subscriptions says are owed (R4 subscription.html, rest-hook):
// without a payload, an empty POST to the endpoint (the subscriber then searches); with
// application/fhir+json, the DiagnosticReport is PUT to {endpoint}/DiagnosticReport/{id}. Any 2xx is
// delivered; anything else, or no answer within 10 s, is retried on the service's schedule.

const POLL_MS = 500;
const TIMEOUT_MS = 10_000;

export interface Notifier {
  /** One round: collect new events, send what is due. Resolves when done (tests call it directly). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export function startNotifier(
  subscriptions: Subscriptions,
  log: Logger,
  renderReport: (ctx: RequestContext, orderId: string) => Promise<Resource>,
): Notifier {
  const ctx = createContext(log, { kind: 'system', name: 'fhir-subscriptions' }, { door: 'fhir' });
  let running: Promise<void> | undefined;
  let closed = false;

  async function send(delivery: Delivery): Promise<void> {
    const { subscription } = delivery;
    const headers: Record<string, string> = {};
    for (const line of subscription.headers) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    let url = subscription.endpoint;
    let init: RequestInit = { method: 'POST', headers };
    if (subscription.payload) {
      const orderId = String(delivery.eventPayload.orderId);
      const resource = await renderReport(ctx, orderId);
      url = `${subscription.endpoint.replace(/\/$/, '')}/DiagnosticReport/${orderId}`;
      init = {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(resource),
      };
    }
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await response.arrayBuffer().catch(() => undefined);
      const outcome = response.ok
        ? ({ ok: true } as const)
        : ({ ok: false, error: `HTTP ${response.status} from ${url}` } as const);
      await subscriptions.settle(ctx, delivery, outcome);
    } catch (error) {
      await subscriptions.settle(ctx, delivery, { ok: false, error: `${url}: ${(error as Error).message}` });
    }
  }

  async function round(): Promise<void> {
    while ((await subscriptions.collect()) > 0 && !closed);
    for (const delivery of await subscriptions.due()) {
      if (closed) return;
      await send(delivery);
    }
  }

  const tick = () => {
    running ??= round()
      .catch((error: unknown) => ctx.log.error({ err: error }, 'subscription notifications failed'))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void tick(), POLL_MS);
  timer.unref();
  return {
    tick,
    close: async () => {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
