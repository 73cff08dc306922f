import type { PatientKey } from '../patients/index.js';
import { nowIso } from '../platform/db/index.js';
import type { BookingId, OrderId, ProcedureId, ResourceId } from './ids.js';
import type { Order, OrderHistoryEntry, Priority, ScheduledStep } from './order.js';
import type { OrderStatus } from './order-status.js';
import { examStudiesOf } from './exam-study-repo.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

type OrderRow = RisTables['imaging_order'];

export async function insertOrder(db: RisExecutor, row: Omit<OrderRow, 'id' | 'created_at' | 'updated_at'>) {
  const now = nowIso();
  const inserted = await db
    .insertInto('imaging_order')
    .values({ ...row, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id! as OrderId;
}

export async function insertStep(
  db: RisExecutor,
  orderRef: OrderId,
  stepId: string,
  status: string,
  modality: string,
) {
  const now = nowIso();
  await db
    .insertInto('scheduled_procedure_step')
    .values({
      order_ref: orderRef,
      step_id: stepId,
      status,
      modality,
      station_ae_title: null,
      station_name: null,
      resource_ref: null,
      booking_ref: null,
      scheduled_start: null,
      scheduled_end: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function insertHistory(
  db: RisExecutor,
  entry: {
    orderRef: OrderId;
    from: OrderStatus | null;
    to: OrderStatus;
    actor: { kind: string; id: string };
    reason: string | null;
  },
) {
  await db
    .insertInto('order_status_history')
    .values({
      order_ref: entry.orderRef,
      from_status: entry.from,
      to_status: entry.to,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      reason: entry.reason,
      occurred_at: nowIso(),
    })
    .execute();
}

export async function findOrderStatus(db: RisExecutor, id: number) {
  const row = await db
    .selectFrom('imaging_order')
    .select(['status', 'accession_number', 'study_instance_uid', 'patient_ref'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { ...row, status: row.status as OrderStatus };
}

/** Moves the order from `from` to `to` only if it is still in `from`: false when another change came first. */
export async function updateOrderStatus(db: RisExecutor, id: OrderId, from: OrderStatus, to: OrderStatus) {
  const result = await db
    .updateTable('imaging_order')
    .set({ status: to, updated_at: nowIso() })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateStepStatus(db: RisExecutor, orderRef: OrderId, status: string) {
  await db
    .updateTable('scheduled_procedure_step')
    .set({ status, updated_at: nowIso() })
    .where('order_ref', '=', orderRef)
    .execute();
}

/** Fills (or, with nulls, clears) where and when the order's steps are to be performed. */
export async function updateStepSchedule(
  db: RisExecutor,
  orderRef: OrderId,
  schedule: {
    resourceRef: ResourceId | null;
    bookingRef: BookingId | null;
    stationAeTitle: string | null;
    stationName: string | null;
    start: string | null;
    end: string | null;
  },
) {
  await db
    .updateTable('scheduled_procedure_step')
    .set({
      resource_ref: schedule.resourceRef,
      booking_ref: schedule.bookingRef,
      station_ae_title: schedule.stationAeTitle,
      station_name: schedule.stationName,
      scheduled_start: schedule.start,
      scheduled_end: schedule.end,
      updated_at: nowIso(),
    })
    .where('order_ref', '=', orderRef)
    .execute();
}

/** Orders by id, with their procedure and steps, in the order of `ids`. */
export async function loadOrders(db: RisExecutor, ids: readonly number[]): Promise<Order[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('imaging_order as o')
    .innerJoin('procedure_code as p', 'p.id', 'o.procedure_ref')
    .selectAll('o')
    .select(['p.code', 'p.coding_scheme', 'p.meaning', 'p.modality', 'p.body_part', 'p.duration_minutes'])
    .where('o.id', 'in', ids)
    .execute();
  const steps = await db
    .selectFrom('scheduled_procedure_step')
    .selectAll()
    .where('order_ref', 'in', ids)
    .orderBy('order_ref')
    .orderBy('step_id')
    .execute();
  const examStudies = await examStudiesOf(db, new Map(rows.map((r) => [r.id!, r.study_instance_uid])));
  const stepsByOrder = new Map<number, ScheduledStep[]>();
  for (const s of steps) {
    const list = stepsByOrder.get(s.order_ref) ?? [];
    list.push({
      stepId: s.step_id,
      status: s.status,
      modality: s.modality,
      stationAeTitle: s.station_ae_title,
      stationName: s.station_name,
      resourceId: s.resource_ref as ResourceId | null,
      bookingId: s.booking_ref as BookingId | null,
      scheduledStart: s.scheduled_start,
      scheduledEnd: s.scheduled_end,
    });
    stepsByOrder.set(s.order_ref, list);
  }
  const byId = new Map(
    rows.map((r) => [
      r.id!,
      {
        id: r.id! as OrderId,
        patientRef: r.patient_ref as PatientKey,
        accessionNumber: r.accession_number,
        placerOrderNumber: r.placer_order_number,
        fillerOrderNumber: r.filler_order_number,
        requestedProcedureId: r.requested_procedure_id,
        studyInstanceUid: r.study_instance_uid,
        examStudyInstanceUids: examStudies.get(r.id!)!,
        status: r.status as OrderStatus,
        priority: r.priority as Priority,
        reason: r.reason,
        orderingProvider: { id: r.ordering_provider_id, name: r.ordering_provider_name },
        procedure: {
          id: r.procedure_ref as ProcedureId,
          code: r.code,
          codingScheme: r.coding_scheme,
          meaning: r.meaning,
          modality: r.modality,
          bodyPart: r.body_part,
          durationMinutes: r.duration_minutes,
        },
        steps: stepsByOrder.get(r.id!) ?? [],
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      } satisfies Order,
    ]),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function listHistory(db: RisExecutor, orderRef: number): Promise<OrderHistoryEntry[]> {
  const rows = await db
    .selectFrom('order_status_history')
    .selectAll()
    .where('order_ref', '=', orderRef)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    from: r.from_status as OrderStatus | null,
    to: r.to_status as OrderStatus,
    actor: { kind: r.actor_kind, id: r.actor_id },
    at: r.occurred_at,
    reason: r.reason,
  }));
}
