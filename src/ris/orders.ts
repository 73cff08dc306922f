import { generateUid } from '../lib/dicom/index.js';
import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { accessionNumberTaken, nextAccessionNumber, validateAccessionNumber } from './accession-number.js';
import type { OrderId } from './ids.js';
import { optionalText, parsePriority, positiveId, type Order, type OrderInput } from './order.js';
import { insertHistory, insertOrder, insertStep, listHistory, loadOrders } from './order-repo.js';
import { searchOrderIds } from './order-search-repo.js';
import { planOrderSearch, type OrderSearch } from './order-search.js';
import {
  assertTransition,
  isReportStatus,
  parseOrderStatus,
  stepStatusFor,
  type OrderStatus,
} from './order-status.js';
import { auditOfLoadedOrders, auditOfOrders } from './order-audit.js';
import { applyOrderTransition } from './order-transition.js';
import { findProcedure } from './procedure-repo.js';
import { currentTime, type RisDeps } from './ris-deps.js';
import {
  auditFailure,
  auditedChange,
  auditedRead,
  withConstraints,
  type RisExecutor,
} from './ris-transaction.js';
import { reachOfCaller } from './patient-reach.js';

/** The first (and for now only) scheduled procedure step of every order. */
export const FIRST_STEP_ID = '1';

async function loadOrder(db: RisExecutor, id: number): Promise<Order> {
  const [order] = await loadOrders(db, [id]);
  if (!order) throw notFound('order', String(id));
  return order;
}

/** The order's patient, exam's study and accession, for its audit record. */
async function orderAudit(db: RisExecutor, order: Order) {
  const naming = await auditOfLoadedOrders(db, [order]);
  return {
    ...naming,
    detail: { orderId: order.id, patientRef: order.patientRef, ...naming.detail },
  };
}

export interface OrderUpdateOptions {
  /**
   * Optimistic locking (HTTP If-Match): the change applies only if the order's `updatedAt` is still this
   * instant, checked inside the change's transaction; else a `conflict` with `details.stale` is thrown.
   */
  expectedUpdatedAt?: string;
}

function assertUnchangedSince(order: Order, expected: string | undefined): void {
  if (expected !== undefined && Date.parse(expected) !== Date.parse(order.updatedAt)) {
    throw conflict(`order ${order.id} was changed at ${order.updatedAt}, after ${expected}`, {
      stale: true,
      updatedAt: order.updatedAt,
    });
  }
}

/** Orders: placing, reading, searching and moving them through their states. */
export function createOrders(deps: RisDeps) {
  return {
    /**
     * Places an order: a generated (or the placer's, if unused) accession number, a Study Instance UID for
     * the worklist, one unscheduled step, the first history row and `order.placed`, in one transaction.
     */
    place: async (ctx: RequestContext, input: OrderInput): Promise<Order> => {
      const entry = {
        action: 'order.place',
        detail: { patientRef: input.patientRef, procedureId: input.procedureId },
      };
      // Outside the transaction: the patients service reads through its own connection (SQLite has one).
      const patientRef = await auditFailure(deps, ctx, entry, async () => {
        const ref = positiveId('patientRef', input.patientRef);
        const patient = await deps.patients.read(ctx, String(ref));
        if (patient.mergedInto !== undefined) {
          throw conflict(`patient ${ref} is merged into patient ${patient.mergedInto}; order for that one`);
        }
        return ref;
      });
      return auditedChange(
        deps,
        ctx,
        entry,
        async (trx) => {
          const procedure = await findProcedure(trx, positiveId('procedureId', input.procedureId));
          if (!procedure) throw invalid(`procedure ${input.procedureId} is not in the catalogue`);
          const priority = parsePriority(input.priority);
          let accessionNumber: string;
          if (input.accessionNumber !== undefined) {
            accessionNumber = validateAccessionNumber(input.accessionNumber);
            if (await accessionNumberTaken(trx, accessionNumber)) {
              throw conflict(`accession number ${accessionNumber} is already used by another order`);
            }
          } else {
            accessionNumber = await nextAccessionNumber(trx, currentTime(deps));
          }
          const status: OrderStatus = 'ordered';
          const id = await withConstraints(
            () =>
              insertOrder(trx, {
                patient_ref: patientRef,
                procedure_ref: procedure.id,
                accession_number: accessionNumber,
                placer_order_number: optionalText('placerOrderNumber', input.placerOrderNumber, 64),
                // Lantern is the filler: its order number and the requested procedure are the accession.
                filler_order_number: accessionNumber,
                requested_procedure_id: accessionNumber,
                study_instance_uid: generateUid(),
                status,
                priority,
                reason: optionalText('reason', input.reason, 1024),
                ordering_provider_id: optionalText('orderingProvider.id', input.orderingProvider?.id, 64),
                ordering_provider_name: optionalText(
                  'orderingProvider.name',
                  input.orderingProvider?.name,
                  64,
                ),
              }),
            {
              foreignKey: () => notFound('patient', String(patientRef)),
              unique: () => conflict(`accession number ${accessionNumber} is already used by another order`),
            },
          );
          await insertStep(trx, id, FIRST_STEP_ID, stepStatusFor(status), procedure.modality);
          await insertHistory(trx, {
            orderRef: id,
            from: null,
            to: status,
            actor: describeActor(ctx.actor),
            reason: null,
          });
          const order = await loadOrder(trx, id);
          await publishEvent(trx, {
            type: 'order.placed',
            subject: order.accessionNumber,
            payload: {
              orderId: order.id,
              patientRef: order.patientRef,
              accessionNumber: order.accessionNumber,
              studyInstanceUid: order.studyInstanceUid,
              procedure: { code: procedure.code, codingScheme: procedure.codingScheme },
              priority,
            },
          });
          return order;
        },
        (order, db) => orderAudit(db, order),
      );
    },

    get: (ctx: RequestContext, id: OrderId): Promise<Order> =>
      auditedRead(
        deps,
        ctx,
        { action: 'order.read', detail: { orderId: id } },
        (db) => loadOrder(db, id),
        (order, db) => orderAudit(db, order),
      ),

    /** One page of matching orders, newest first, with the total over every page. */
    search: (ctx: RequestContext, search: OrderSearch) =>
      auditedRead(
        deps,
        ctx,
        { action: 'order.search', detail: { ...search } },
        async (db) => {
          const plan = { ...planOrderSearch(search), reach: await reachOfCaller(deps, ctx) };
          const { total, ids } = await searchOrderIds(db, plan);
          return { total, orders: await loadOrders(db, ids) };
        },
        async (result, db) => {
          const naming = await auditOfLoadedOrders(db, result.orders);
          return {
            ...naming,
            detail: { ...naming.detail, total: result.total, returned: result.orders.length },
          };
        },
      ),

    history: (ctx: RequestContext, id: OrderId) =>
      auditedRead(
        deps,
        ctx,
        { action: 'order.history', detail: { orderId: id } },
        async (db) => {
          await loadOrder(db, id);
          return listHistory(db, id);
        },
        (_history, db) => auditOfOrders(db, [id]),
      ),

    /**
     * A status change asked for by a user or a door. Scheduling is the bookings' business (a scheduled
     * order has a slot), so `scheduled` and un-scheduling are refused here; the report statuses are the
     * reports' (a signed version, its signer and `report.finalized`), so they are refused too.
     */
    transition: (
      ctx: RequestContext,
      id: OrderId,
      status: string,
      reason?: string,
      options: OrderUpdateOptions = {},
    ): Promise<Order> =>
      auditedChange(
        deps,
        ctx,
        { action: 'order.transition', detail: { orderId: id, to: status, reason } },
        async (trx) => {
          const to = parseOrderStatus(status);
          const current = await loadOrder(trx, id);
          if (isReportStatus(to)) {
            throw conflict(
              `order status ${to} is set by the report: sign it (preliminary or final) or amend it; ` +
                `a status change cannot make order ${id} ${to}`,
              { current: current.status, requested: to, reportStatus: true },
            );
          }
          assertUnchangedSince(current, options.expectedUpdatedAt);
          assertTransition(current.status, to);
          if (to === 'scheduled' || (current.status === 'scheduled' && to === 'ordered')) {
            throw invalid(
              'orders are scheduled and unscheduled through bookings: book, reschedule or cancel one',
            );
          }
          const result = await applyOrderTransition(trx, ctx, id, to, optionalText('reason', reason, 1024));
          const order = await loadOrder(trx, id);
          return { ...order, transition: result };
        },
        async (order, db) => {
          const audit = await orderAudit(db, order);
          return { ...audit, detail: { ...audit.detail, from: order.transition.from } };
        },
      ).then(({ transition: _transition, ...order }) => order),
  };
}

export type Orders = ReturnType<typeof createOrders>;
