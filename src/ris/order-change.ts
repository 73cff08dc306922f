import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import type { OrderId } from './ids.js';
import { auditOfOrders } from './order-audit.js';
import { optionalText, parsePriority, positiveId, type Order } from './order.js';
import { insertHistory, loadOrders } from './order-repo.js';
import type { OrderStatus } from './order-status.js';
import { findProcedure } from './procedure-repo.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange } from './ris-transaction.js';
import { nowIso } from '../platform/db/index.js';

/** What a placer may change on an order (HL7 ORC-1 XO, a clerk's correction); left out: unchanged. */
export interface OrderChange {
  priority?: string;
  /** null or '' clears it. */
  reason?: string | null;
  orderingProvider?: { id?: string; name?: string };
  procedureId?: number;
}

// Before the modality starts: after that the exam is what was done, and a change means a new order.
const CHANGEABLE: readonly OrderStatus[] = ['ordered', 'scheduled', 'arrived'];

/**
 * Changes an order's priority, reason, ordering provider or procedure while it has not started. The
 * change is one history row (status unchanged, the reason listing what changed), `order.changed` in the
 * outbox and the audit record, in one transaction. A booked order keeps its slot, so its procedure may
 * only change to one of the same modality.
 */
export function changeOrder(deps: RisDeps, ctx: RequestContext, id: OrderId, change: OrderChange) {
  return auditedChange(
    deps,
    ctx,
    { action: 'order.change', detail: { orderId: id, change: { ...change } } },
    async (trx) => {
      const [current] = await loadOrders(trx, [id]);
      if (!current) throw notFound('order', String(id));
      if (!CHANGEABLE.includes(current.status)) {
        throw conflict(`order ${id} is ${current.status}: only orders not yet in progress change`);
      }
      const set: Record<string, string | number | null> = {};
      const changed: string[] = [];
      if (change.priority !== undefined) {
        const priority = parsePriority(change.priority);
        if (priority !== current.priority) {
          set.priority = priority;
          changed.push(`priority ${current.priority} → ${priority}`);
        }
      }
      if (change.reason !== undefined) {
        const reason = optionalText('reason', change.reason ?? undefined, 1024);
        if (reason !== current.reason) {
          set.reason = reason;
          changed.push('reason');
        }
      }
      if (change.orderingProvider !== undefined) {
        const providerId = optionalText('orderingProvider.id', change.orderingProvider.id, 64);
        const providerName = optionalText('orderingProvider.name', change.orderingProvider.name, 64);
        if (providerId !== current.orderingProvider.id || providerName !== current.orderingProvider.name) {
          set.ordering_provider_id = providerId;
          set.ordering_provider_name = providerName;
          changed.push('ordering provider');
        }
      }
      let modality: string | undefined;
      if (change.procedureId !== undefined) {
        const procedure = await findProcedure(trx, positiveId('procedureId', change.procedureId));
        if (!procedure) throw invalid(`procedure ${change.procedureId} is not in the catalogue`);
        if (procedure.id !== current.procedure.id) {
          const booked = current.steps.some((s) => s.bookingId !== null);
          if (booked && procedure.modality !== current.procedure.modality) {
            throw conflict(
              `order ${id} is booked on a ${current.procedure.modality} slot: cancel the booking to change to a ${procedure.modality} procedure`,
            );
          }
          set.procedure_ref = procedure.id;
          modality = procedure.modality;
          changed.push(`procedure ${current.procedure.code} → ${procedure.code}`);
        }
      }
      if (changed.length === 0) return { order: current, changed };
      const at = nowIso();
      await trx
        .updateTable('imaging_order')
        .set({ ...set, updated_at: at })
        .where('id', '=', id)
        .execute();
      if (modality !== undefined) {
        // The worklist step's modality follows the procedure (PS3.4 K.6.1.2.2 Modality).
        await trx
          .updateTable('scheduled_procedure_step')
          .set({ modality, updated_at: at })
          .where('order_ref', '=', id)
          .execute();
      }
      await insertHistory(trx, {
        orderRef: id,
        from: current.status,
        to: current.status,
        actor: describeActor(ctx.actor),
        reason: `changed: ${changed.join('; ')}`,
      });
      const [order] = await loadOrders(trx, [id]);
      await publishEvent(trx, {
        type: 'order.changed',
        subject: order!.accessionNumber,
        payload: { orderId: id, accessionNumber: order!.accessionNumber, changed },
      });
      return { order: order!, changed };
    },
    async (result, db) => {
      const naming = await auditOfOrders(db, [id]);
      return { ...naming, detail: { ...naming.detail, changed: result.changed } };
    },
  ).then((result): Order => result.order);
}
