import type { RequestContext } from '../platform/context.js';
import type { Database, Kysely } from '../platform/db/index.js';
import { notFound } from '../platform/errors.js';
import {
  ALL_PATIENTS,
  patientScopeOf,
  reaches,
  reachWithoutReferrals,
  recordAuditFailure,
  type PatientReachResolver,
  type ReachablePatients,
} from '../platform/security/index.js';
import { failureNaming } from './order-audit.js';
import type { RisDeps } from './ris-deps.js';
import type { RisTables } from './tables.js';

// The referring physician's data-level limit, resolved where orders live. Matching rule: an order names its
// referring (ordering) provider in `ordering_provider_id` (ORC-12 / OBR-16 id, ServiceRequest.requester, the
// REST body's orderingProvider.id); a caller whose scope is `referred` reaches the patients of the orders whose
// ordering_provider_id is exactly his user name. So a referring physician's Lantern user name is his provider
// id in the placer's system. Every order of a reachable patient, its reports and studies are readable to him
// (a patient-level rule: the patient's other exams are the priors of his).

/**
 * The resolver app.ts hands to patients and the archive as well. Worked out once per request context: a
 * FHIR search that reads orders, reports and patients asks several times.
 */
export function createPatientReach(database: Database): PatientReachResolver {
  const resolved = new WeakMap<RequestContext, Promise<ReachablePatients>>();
  return (ctx) => {
    const scope = patientScopeOf(ctx);
    if (scope.kind === 'all') return Promise.resolve(ALL_PATIENTS);
    let reach = resolved.get(ctx);
    if (!reach) {
      reach = referredPatients(database.kysely as Kysely<RisTables>, scope.username);
      resolved.set(ctx, reach);
    }
    return reach;
  };
}

async function referredPatients(db: Kysely<RisTables>, username: string): Promise<ReachablePatients> {
  const rows = await db
    .selectFrom('imaging_order')
    .select('patient_ref')
    .distinct()
    .where('ordering_provider_id', '=', username)
    .execute();
  return { kind: 'some', patientKeys: new Set(rows.map((r) => Number(r.patient_ref))) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OrderOperation = (ctx: RequestContext, orderId: any, ...rest: any[]) => Promise<unknown>;

/**
 * The operations that name an order (by id, their second argument) limited to orders within the caller's
 * reach: one outside it is not found, as if absent (audited as a failure of `resource`). No SQL for callers
 * who reach every patient; one indexed look-up for the others.
 */
export function withinOrderReach<S extends Record<string, unknown>, K extends keyof S>(
  database: Database,
  patientReach: PatientReachResolver,
  name: string,
  service: S,
  operations: readonly K[],
): S {
  const limited: Record<string, unknown> = { ...service };
  for (const operation of operations) {
    const run = service[operation] as OrderOperation;
    limited[operation as string] = async (ctx: RequestContext, orderId: unknown, ...rest: unknown[]) => {
      const reach = await patientReach(ctx);
      // An id that cannot be an order's is left to the operation to refuse.
      if (reach.kind === 'some' && Number.isSafeInteger(Number(orderId))) {
        const order = await (database.kysely as Kysely<RisTables>)
          .selectFrom('imaging_order')
          .select('patient_ref')
          .where('id', '=', Number(orderId))
          .executeTakeFirst();
        if (order && !reaches(reach, order.patient_ref)) {
          const error = notFound('order', String(orderId));
          const action = `${name}.${String(operation)}`;
          const entry = { action, detail: { orderId, reach: 'referred' } };
          const named = await failureNaming(database.kysely as Kysely<RisTables>, entry);
          await recordAuditFailure(database, ctx, named, error);
          throw error;
        }
      }
      return run(ctx, orderId, ...rest);
    };
  }
  return limited as S;
}

/** The caller's reach, for a RIS service given its deps (createRis always sets the resolver). */
export const reachOfCaller = (deps: RisDeps, ctx: RequestContext): Promise<ReachablePatients> =>
  (deps.patientReach ?? reachWithoutReferrals)(ctx);
