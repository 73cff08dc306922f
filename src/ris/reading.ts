import type { RequestContext } from '../platform/context.js';
import { conflict, notFound } from '../platform/errors.js';
import type { OrderId } from './ids.js';
import type { OrderStatus } from './order-status.js';
import type { Priority } from './order.js';
import { examStudiesOf } from './exam-study-repo.js';
import { auditOfOrders } from './order-audit.js';
import { findOrderStatus } from './order-repo.js';
import {
  DEFAULT_CLAIM_MINUTES,
  activeClaim,
  assertMayRelease,
  claimant,
  claimedByOther,
  type ReadingClaim,
} from './reading-claim.js';
import {
  AWAITING_REPORT,
  clearClaim,
  countWorklist,
  findReadingState,
  listWorklist,
  tryClaim,
} from './reading-repo.js';
import {
  planReadingWorklist,
  type ReadingWorklistEntry,
  type ReadingWorklistSearch,
} from './reading-worklist.js';
import { reportDb } from './report-tables.js';
import { currentTime, type RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead } from './ris-transaction.js';
import { reachOfCaller } from './patient-reach.js';

/** Settings of reporting (config `ris.*`). */
export interface ReadingSettings {
  /** How long a claim holds before others may take the exam (config ris.claimMinutes). */
  claimMinutes?: number;
}

export type ReportingDeps = RisDeps & ReadingSettings;

/** The reading worklist: exams awaiting a report, and radiologists' claims on them. */
export function createReading(deps: ReportingDeps) {
  const claimMs = (deps.claimMinutes ?? DEFAULT_CLAIM_MINUTES) * 60_000;
  return {
    /** One page, STAT before URGENT before ROUTINE, longest waiting first, with the total over all pages. */
    worklist: (ctx: RequestContext, search: ReadingWorklistSearch) =>
      auditedRead(
        deps,
        ctx,
        { action: 'reading.worklist', detail: { ...search } },
        async (kysely) => {
          const now = currentTime(deps);
          const plan = { ...planReadingWorklist(search, now), reach: await reachOfCaller(deps, ctx) };
          const db = reportDb(kysely);
          const [total, rows] = [await countWorklist(db, plan), await listWorklist(db, plan)];
          const exams = await examStudiesOf(kysely, new Map(rows.map((r) => [r.id!, r.study_instance_uid])));
          const entries = rows.map((r): ReadingWorklistEntry => ({
            orderId: r.id! as OrderId,
            accessionNumber: r.accession_number,
            studyInstanceUid: exams.get(r.id!)![0]!,
            status: r.status as OrderStatus,
            priority: r.priority as Priority,
            patient: {
              ref: r.patient_ref,
              patientId: r.patient_id,
              issuerOfPatientId: r.issuer_of_patient_id,
              name: r.patient_name,
            },
            procedure: {
              code: r.code,
              codingScheme: r.coding_scheme,
              meaning: r.meaning,
              modality: r.modality,
              bodyPart: r.body_part,
            },
            completedAt: String(r.completed_at),
            ageMinutes: Math.max(
              0,
              Math.floor((now.getTime() - Date.parse(String(r.completed_at))) / 60_000),
            ),
            claim: activeClaim(r, now),
            aiFlag: r.ai_flag,
          }));
          return { total, entries };
        },
        async (result, db) => {
          const naming = await auditOfOrders(
            db,
            result.entries.map((e) => e.orderId),
          );
          return {
            ...naming,
            detail: { ...naming.detail, total: result.total, returned: result.entries.length },
          };
        },
      ),

    /** Claims the exam for the caller (renewing their own claim); 409 naming the holder if another has it. */
    claim: (ctx: RequestContext, orderId: OrderId): Promise<ReadingClaim> =>
      auditedChange(
        deps,
        ctx,
        { action: 'reading.claim', detail: { orderId } },
        async (trx) => {
          const db = reportDb(trx);
          const order = await findOrderStatus(trx, orderId);
          if (!order) throw notFound('order', String(orderId));
          if (!(AWAITING_REPORT as readonly string[]).includes(order.status)) {
            throw conflict(
              `order is ${order.status}; only completed exams and preliminary reports are on the reading worklist`,
              { current: order.status },
            );
          }
          const now = currentTime(deps);
          const claim = {
            by: claimant(ctx),
            at: now.toISOString(),
            expiresAt: new Date(now.getTime() + claimMs).toISOString(),
          };
          if (await tryClaim(db, orderId, claim, now.toISOString())) return claim;
          const held = activeClaim(await findReadingState(db, orderId), now);
          throw held ? claimedByOther(orderId, held) : conflict('the claim changed meanwhile; try again');
        },
        (_claim, db) => auditOfOrders(db, [orderId]),
      ),

    /** Gives the exam back to the worklist: by its holder or an administrator; no claim is nothing to do. */
    release: (ctx: RequestContext, orderId: OrderId): Promise<void> =>
      auditedChange(
        deps,
        ctx,
        { action: 'reading.release', detail: { orderId } },
        async (trx) => {
          const db = reportDb(trx);
          if (!(await findOrderStatus(trx, orderId))) throw notFound('order', String(orderId));
          const held = activeClaim(await findReadingState(db, orderId), currentTime(deps));
          assertMayRelease(ctx, orderId, held);
          await clearClaim(db, orderId);
        },
        (_released, db) => auditOfOrders(db, [orderId]),
      ),
  };
}

export type Reading = ReturnType<typeof createReading>;
