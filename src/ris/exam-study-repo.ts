import type { PatientTables } from '../patients/index.js';
import type { Kysely, Transaction } from '../platform/db/index.js';
import type { MppsTables } from './mpps-tables.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

// Many modalities do not adopt the Study Instance UID the worklist offers them, which is why studies link to
// orders by accession number too. So the study an exam produced is the one linked to its order, and the UID
// generated with the order names it only while nothing is linked (the images may be stored under it yet).

type Executor =
  Kysely<RisTables & MppsTables & PatientTables> | Transaction<RisTables & MppsTables & PatientTables>;
const on = (db: RisExecutor) => db as unknown as Executor;

/**
 * The exam's studies of each order: the studies linked to it, first linked first, or while none is, the
 * Study Instance UID it was scheduled with. `orders` maps order id → scheduled Study Instance UID.
 */
export async function examStudiesOf(
  db: RisExecutor,
  orders: ReadonlyMap<number, string>,
): Promise<Map<number, string[]>> {
  const linked = new Map<number, string[]>();
  if (orders.size > 0) {
    const rows = await on(db)
      .selectFrom('order_study')
      .select(['order_ref', 'study_instance_uid'])
      .where('order_ref', 'in', [...orders.keys()])
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const list = linked.get(Number(row.order_ref)) ?? [];
      list.push(row.study_instance_uid);
      linked.set(Number(row.order_ref), list);
    }
  }
  return new Map([...orders].map(([id, scheduled]) => [id, linked.get(id) ?? [scheduled]]));
}

/** The orders these stored studies are linked to. */
export async function ordersLinkedTo(
  db: RisExecutor,
  studyInstanceUids: readonly string[],
): Promise<number[]> {
  if (studyInstanceUids.length === 0) return [];
  const rows = await on(db)
    .selectFrom('order_study')
    .select('order_ref')
    .where('study_instance_uid', 'in', [...studyInstanceUids])
    .execute();
  return [...new Set(rows.map((r) => Number(r.order_ref)))];
}

/** What an audit record names about an order: its patient (Patient ID), accession and exam's studies. */
export interface OrderAuditSubject {
  orderId: number;
  patientId: string;
  accessionNumber: string;
  studyInstanceUids: string[];
}

/** The audit subjects of these orders (the patient table is read, never written); unknown ids are left out. */
export async function orderAuditSubjects(
  db: RisExecutor,
  orderIds: readonly number[],
): Promise<OrderAuditSubject[]> {
  const ids = [...new Set(orderIds)].filter((id) => Number.isSafeInteger(id) && id > 0);
  if (ids.length === 0) return [];
  const rows = await on(db)
    .selectFrom('imaging_order as o')
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .select(['o.id', 'o.accession_number', 'o.study_instance_uid', 'pt.patient_id'])
    .where('o.id', 'in', ids)
    .execute();
  const studies = await examStudiesOf(db, new Map(rows.map((r) => [Number(r.id), r.study_instance_uid])));
  const byId = new Map(
    rows.map((r) => [
      Number(r.id),
      {
        orderId: Number(r.id),
        patientId: r.patient_id,
        accessionNumber: r.accession_number,
        studyInstanceUids: studies.get(Number(r.id))!,
      },
    ]),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The Patient ID of each of these patients (the patient table is read, never written). */
export async function patientIdsOf(
  db: RisExecutor,
  patientRefs: readonly number[],
): Promise<Map<number, string>> {
  const refs = [...new Set(patientRefs)];
  if (refs.length === 0) return new Map();
  const rows = await on(db)
    .selectFrom('patient')
    .select(['id', 'patient_id'])
    .where('id', 'in', refs)
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.patient_id]));
}
