import { auditPatients } from '../platform/security/index.js';
import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { chargeStatus, parsePeriod, validateChargeLines, type OrderCharges } from './charge.js';
import { toCsv } from './charge-csv.js';
import {
  deleteOpenChargeLines,
  findCompletedAt,
  insertChargeLines,
  listChargeLines,
  listChargesForPeriod,
  releaseChargeLines,
} from './charge-repo.js';
import type { OrderId } from './ids.js';
import { positiveId } from './order.js';
import { auditOfOrders } from './order-audit.js';
import { findOrderStatus } from './order-repo.js';
import type { OrderStatus } from './order-status.js';
import type { ChargeCode } from './procedure.js';
import { reportDb } from './report-tables.js';
import { currentTime, type RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, type RisExecutor } from './ris-transaction.js';

// Orders past completion bill; the others have (or had) no performed exam to bill.
const BILLABLE: readonly OrderStatus[] = ['completed', 'preliminary', 'final', 'amended'];

export const CSV_HEADER = [
  'accession_number',
  'order_id',
  'patient_id',
  'issuer_of_patient_id',
  'patient_name',
  'procedure_code',
  'procedure',
  'service_at',
  'line',
  'charge_code',
  'coding_scheme',
  'modifiers',
  'quantity',
  'status',
  'released_at',
] as const;

async function chargesOf(executor: RisExecutor, orderId: OrderId): Promise<OrderCharges> {
  const order = await findOrderStatus(executor, orderId);
  if (!order) throw notFound('order', String(orderId));
  const lines = await listChargeLines(reportDb(executor), orderId);
  return { orderId, accessionNumber: order.accession_number, status: chargeStatus(lines), lines };
}

/** Charges: lines per order made at completion, edited until released, exported per billing period. */
export function createCharges(deps: RisDeps) {
  return {
    get: (ctx: RequestContext, orderId: OrderId): Promise<OrderCharges> =>
      auditedRead(
        deps,
        ctx,
        { action: 'charge.read', detail: { orderId } },
        (db) => chargesOf(db, orderId),
        (_charges, db) => auditOfOrders(db, [orderId]),
      ),

    /** Replaces the order's lines (change quantity or modifiers, add, remove) while none is released. */
    replace: (ctx: RequestContext, orderId: OrderId, input: { lines: Partial<ChargeCode>[] }) =>
      auditedChange(
        deps,
        ctx,
        { action: 'charge.edit', detail: { orderId } },
        async (trx) => {
          const db = reportDb(trx);
          const lines = validateChargeLines(input.lines);
          const current = await chargesOf(trx, orderId);
          const order = (await findOrderStatus(trx, orderId))!;
          if (!BILLABLE.includes(order.status)) {
            throw conflict(`order is ${order.status}; charges exist once the exam is completed`, {
              current: order.status,
            });
          }
          if (current.status === 'released') {
            throw conflict(`the charges of order ${orderId} are released; released charges never change`);
          }
          const serviceAt = (await findCompletedAt(db, orderId)) ?? currentTime(deps).toISOString();
          await deleteOpenChargeLines(db, orderId);
          await insertChargeLines(db, orderId, lines, serviceAt);
          return chargesOf(trx, orderId);
        },
        async (charges, db) => {
          const naming = await auditOfOrders(db, [orderId]);
          return { ...naming, detail: { ...naming.detail, lines: charges.lines.length } };
        },
      ),

    /** Locks the open lines of each order, all or none; an order without open lines is refused. */
    release: (ctx: RequestContext, orderIds: readonly number[]): Promise<OrderCharges[]> =>
      auditedChange(
        deps,
        ctx,
        { action: 'charge.release', detail: { orderIds } },
        async (trx) => {
          const db = reportDb(trx);
          if (!Array.isArray(orderIds) || orderIds.length === 0 || orderIds.length > 1000) {
            throw invalid('orderIds must list 1 to 1000 orders');
          }
          const ids = [...new Set(orderIds.map((id) => positiveId('orderIds[]', id) as OrderId))];
          const by = describeActor(ctx.actor);
          const at = currentTime(deps).toISOString();
          const released: OrderCharges[] = [];
          for (const id of ids) {
            const current = await chargesOf(trx, id);
            if (current.status !== 'open') {
              throw conflict(
                current.status === 'released'
                  ? `the charges of order ${id} are already released`
                  : `order ${id} has no charge lines to release`,
                { orderId: id, status: current.status },
              );
            }
            await releaseChargeLines(db, id, `${by.kind}:${by.id}`, at);
            const charges = await chargesOf(trx, id);
            await publishEvent(trx, {
              type: 'charges.released',
              subject: charges.accessionNumber,
              payload: { orderId: id, accessionNumber: charges.accessionNumber, lines: charges.lines },
            });
            released.push(charges);
          }
          return released;
        },
        (released, db) =>
          auditOfOrders(
            db,
            released.map((c) => c.orderId),
          ),
      ),

    /** The lines whose date of service is in [from, to) as CSV (RFC 4180), oldest first. */
    exportCsv: (
      ctx: RequestContext,
      query: { from: string; to: string; status?: string },
    ): Promise<string> => {
      // The billing period's patients, named in one value as a search spanning patients names them.
      let patientIds: string[] = [];
      return auditedRead(
        deps,
        ctx,
        { action: 'charge.export', detail: { ...query } },
        async (kysely) => {
          const period = parsePeriod(query.from, query.to);
          const status = query.status;
          if (status !== undefined && status !== 'open' && status !== 'released') {
            throw invalid(`status must be open or released, got '${status}'`);
          }
          const rows = await listChargesForPeriod(reportDb(kysely), period, status);
          patientIds = [...new Set(rows.map((r) => r.patient_id))];
          return toCsv(
            CSV_HEADER,
            rows.map((r) => [
              r.accession_number,
              r.order_id!,
              r.patient_id,
              r.issuer_of_patient_id,
              r.patient_name,
              r.procedure_code,
              r.procedure_meaning,
              r.service_at,
              r.position + 1,
              r.charge_code,
              r.coding_scheme,
              r.modifiers,
              r.quantity,
              r.released_at === null ? 'open' : 'released',
              r.released_at,
            ]),
          );
        },
        (csv) => ({
          ...auditPatients(patientIds),
          detail: { lines: csv.split('\r\n').length - 2 },
        }),
      );
    },
  };
}

export type Charges = ReturnType<typeof createCharges>;
