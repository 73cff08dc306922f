import { nowIso } from '../platform/db/index.js';
import type { OrderId } from './ids.js';
import type { ChargeLine } from './charge.js';
import type { ChargeCode } from './procedure.js';
import type { RisExecutor } from './ris-transaction.js';
import { reportDb, type ReportDb } from './report-tables.js';

export async function listChargeLines(db: ReportDb, orderRef: OrderId): Promise<ChargeLine[]> {
  const rows = await db
    .selectFrom('order_charge')
    .selectAll()
    .where('order_ref', '=', orderRef)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id!,
    position: r.position,
    code: r.charge_code,
    codingScheme: r.coding_scheme,
    modifiers: r.modifiers === '' ? [] : r.modifiers.split(','),
    quantity: r.quantity,
    serviceAt: r.service_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
  }));
}

export async function insertChargeLines(
  db: ReportDb,
  orderRef: OrderId,
  lines: ChargeCode[],
  serviceAt: string,
) {
  if (lines.length === 0) return;
  const now = nowIso();
  await db
    .insertInto('order_charge')
    .values(
      lines.map((c, position) => ({
        order_ref: orderRef,
        position,
        charge_code: c.code,
        coding_scheme: c.codingScheme,
        modifiers: c.modifiers.join(','),
        quantity: c.quantity,
        service_at: serviceAt,
        released_at: null,
        released_by: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

/** Removes the order's lines unless released; the count of released lines left says whether it could. */
export async function deleteOpenChargeLines(db: ReportDb, orderRef: OrderId) {
  await db
    .deleteFrom('order_charge')
    .where('order_ref', '=', orderRef)
    .where('released_at', 'is', null)
    .execute();
}

/** Locks the order's open lines; returns how many it locked. */
export async function releaseChargeLines(db: ReportDb, orderRef: OrderId, by: string, at: string) {
  const result = await db
    .updateTable('order_charge')
    .set({ released_at: at, released_by: by, updated_at: at })
    .where('order_ref', '=', orderRef)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** When the order was completed: the date of service of its charges. */
export async function findCompletedAt(db: ReportDb, orderRef: OrderId): Promise<string | undefined> {
  const row = await db
    .selectFrom('order_status_history')
    .select((eb) => eb.fn.max('occurred_at').as('at'))
    .where('order_ref', '=', orderRef)
    .where('to_status', '=', 'completed')
    .executeTakeFirst();
  return row?.at ?? undefined;
}

/** The catalogue's charge lines of the order's procedure, copied onto the order. */
export async function copyCatalogueCharges(executor: RisExecutor, orderRef: OrderId, serviceAt: string) {
  const db = reportDb(executor);
  const rows = await db
    .selectFrom('procedure_charge as c')
    .innerJoin('imaging_order as o', 'o.procedure_ref', 'c.procedure_ref')
    .select(['c.charge_code', 'c.coding_scheme', 'c.modifiers', 'c.quantity'])
    .where('o.id', '=', orderRef)
    .orderBy('c.position')
    .execute();
  await insertChargeLines(
    db,
    orderRef,
    rows.map((r) => ({
      code: r.charge_code,
      codingScheme: r.coding_scheme,
      modifiers: r.modifiers === '' ? [] : r.modifiers.split(','),
      quantity: r.quantity,
    })),
    serviceAt,
  );
}

/** Charge lines whose service falls in [from, to), with what a billing system needs to post them. */
export async function listChargesForPeriod(
  db: ReportDb,
  period: { from: string; to: string },
  status?: 'open' | 'released',
) {
  let query = db
    .selectFrom('order_charge as c')
    .innerJoin('imaging_order as o', 'o.id', 'c.order_ref')
    .innerJoin('procedure_code as p', 'p.id', 'o.procedure_ref')
    // Read-only join of the patients module's table: billing posts to the patient.
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .select([
      'o.id as order_id',
      'o.accession_number',
      'pt.patient_id',
      'pt.issuer_of_patient_id',
      'pt.patient_name',
      'p.code as procedure_code',
      'p.meaning as procedure_meaning',
      'c.service_at',
      'c.position',
      'c.charge_code',
      'c.coding_scheme',
      'c.modifiers',
      'c.quantity',
      'c.released_at',
    ])
    .where('c.service_at', '>=', period.from)
    .where('c.service_at', '<', period.to);
  if (status === 'open') query = query.where('c.released_at', 'is', null);
  if (status === 'released') query = query.where('c.released_at', 'is not', null);
  return query.orderBy('c.service_at').orderBy('o.id').orderBy('c.position').execute();
}
