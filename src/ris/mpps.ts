import { generateUid, isValidUid, type DataElements } from '../lib/dicom/index.js';
import { describeActor, type RequestContext } from '../platform/context.js';
import { LanternError, conflict } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import type { OrderId } from './ids.js';
import {
  applyModifications,
  readCreated,
  refuse,
  storable,
  TAG,
  type MppsStatus,
  type ScheduledStepReference,
} from './mpps-attributes.js';
import { progressOrder } from './mpps-order-progress.js';
import {
  findPerformedStep,
  insertPerformedStep,
  linkPerformedStep,
  orderIdByAccession,
  orderIdByStudyUid,
  ordersOfPerformedStep,
  otherStepStatuses,
  updatePerformedStep,
  type PerformedStepRow,
} from './mpps-repo.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, withConstraints, type RisExecutor } from './ris-transaction.js';

/** A Modality Performed Procedure Step as the RIS keeps it (PS3.4 F.7). */
export interface PerformedStep {
  sopInstanceUid: string;
  status: MppsStatus;
  performedStepId: string;
  stationAeTitle: string;
  modality: string;
  studyInstanceUid: string;
  /** Patient ID (0010,0020) as the modality sent it. */
  patientId: string | null;
  /** The orders it was performed for; empty for an unscheduled step waiting for reconciliation. */
  orderIds: OrderId[];
  startDate: string;
  startTime: string;
  endDate: string | null;
  endTime: string | null;
  /** The whole MPPS as DICOM JSON (PS3.18 F.2 model). */
  attributes: DataElements;
  createdAt: string;
  updatedAt: string;
}

/** Why an N-SET cannot apply: the step is COMPLETED or DISCONTINUED (PS3.4 F.7.2.2, error id A710). */
const FINAL = 'final';

export function createMpps(deps: RisDeps) {
  return {
    /**
     * N-CREATE: a new step IN PROGRESS, linked to the orders its Scheduled Step Attributes name (accession
     * number, else requested procedure id, else the order's Study Instance UID), each order moved to
     * in-progress (through arrived if it was still scheduled). A step that names no scheduled step at all
     * (empty accession and requested procedure id: the unscheduled case of IHE SWF) is kept unscheduled, for
     * reconciliation when its study is linked; one that names an accession or requested procedure id no order
     * has is refused (0106), since the modality believes in an exam the RIS does not know. Duplicate instance
     * UIDs are refused.
     */
    create: (ctx: RequestContext, request: { sopInstanceUid?: string; attributes: DataElements }) => {
      const sopInstanceUid = request.sopInstanceUid ?? generateUid();
      const entry = { action: 'mpps.create', detail: { sopInstanceUid } };
      return auditedChange(
        deps,
        ctx,
        entry,
        async (trx) => {
          if (!isValidUid(sopInstanceUid)) {
            throw refuse('invalid-value', '00001000', `'${sopInstanceUid}' is not a SOP Instance UID`);
          }
          const summary = readCreated(request.attributes);
          if (await findPerformedStep(trx, sopInstanceUid)) throw duplicate(sopInstanceUid);
          const orderIds = await matchOrders(trx, summary.references);
          const reference = summary.references[0]!;
          const id = await withConstraints(
            () =>
              insertPerformedStep(trx, {
                sop_instance_uid: sopInstanceUid,
                status: summary.status,
                performed_step_id: summary.performedStepId,
                station_ae_title: summary.stationAeTitle,
                modality: summary.modality,
                study_instance_uid: reference.studyInstanceUid,
                accession_number: reference.accessionNumber,
                patient_id: summary.patientId,
                start_date: summary.startDate,
                start_time: summary.startTime,
                end_date: summary.endDate,
                end_time: summary.endTime,
                attributes: JSON.stringify(storable(request.attributes)),
                created_by: describeActor(ctx.actor).id,
              }),
            { unique: () => duplicate(sopInstanceUid) },
          );
          for (const orderId of orderIds) {
            await linkPerformedStep(trx, id, orderId);
            await progressOrder(
              trx,
              ctx,
              orderId,
              'in-progress',
              `MPPS ${summary.performedStepId} IN PROGRESS on ${summary.stationAeTitle}`,
            );
          }
          await publishEvent(trx, {
            type: 'mpps.in-progress',
            subject: sopInstanceUid,
            payload: {
              sopInstanceUid,
              studyInstanceUid: reference.studyInstanceUid,
              orderIds,
              unscheduled: orderIds.length === 0,
            },
          });
          return loadStep(trx, sopInstanceUid);
        },
        (step) => ({
          ...patientOf(step),
          studyInstanceUid: step.studyInstanceUid,
          detail: {
            status: step.status,
            orderIds: step.orderIds,
            unscheduled: step.orderIds.length === 0,
            station: step.stationAeTitle,
          },
        }),
      );
    },

    /**
     * N-SET: the modification list merged into the step. IN PROGRESS updates change no order; COMPLETED or
     * DISCONTINUED ends the step, and an order whose steps have all ended becomes completed (if any step
     * completed) or discontinued. A step that already ended may no longer be updated (conflict).
     */
    update: (ctx: RequestContext, request: { sopInstanceUid: string; modifications: DataElements }) => {
      const { sopInstanceUid } = request;
      const entry = { action: 'mpps.update', detail: { sopInstanceUid } };
      return auditedChange(
        deps,
        ctx,
        entry,
        async (trx) => {
          const row = await findPerformedStep(trx, sopInstanceUid);
          if (!row) throw new LanternError('not-found', `MPPS ${sopInstanceUid} not found`);
          if (row.status !== 'IN PROGRESS') {
            throw conflict(`may no longer be updated: MPPS ${sopInstanceUid} is ${row.status}`, {
              mpps: FINAL,
            });
          }
          const { merged, summary } = applyModifications(
            JSON.parse(row.attributes) as DataElements,
            request.modifications,
          );
          await updatePerformedStep(trx, row.id!, {
            status: summary.status,
            end_date: summary.endDate,
            end_time: summary.endTime,
            attributes: JSON.stringify(storable(merged)),
          });
          if (summary.status !== 'IN PROGRESS') await endStep(trx, ctx, row, summary.status);
          await publishEvent(trx, {
            type: summary.status === 'IN PROGRESS' ? 'mpps.updated' : `mpps.${summary.status.toLowerCase()}`,
            subject: sopInstanceUid,
            payload: { sopInstanceUid, studyInstanceUid: row.study_instance_uid, status: summary.status },
          });
          return loadStep(trx, sopInstanceUid);
        },
        (step) => ({
          ...patientOf(step),
          studyInstanceUid: step.studyInstanceUid,
          detail: { status: step.status, orderIds: step.orderIds },
        }),
      );
    },
  };
}

const duplicate = (sopInstanceUid: string) =>
  new LanternError('duplicate', `MPPS ${sopInstanceUid} exists already`);

/**
 * The orders a step names, each once: by accession number, requested procedure id, or Study Instance UID.
 * A reference that names an accession or requested procedure id must find its order.
 */
async function matchOrders(db: RisExecutor, references: ScheduledStepReference[]): Promise<OrderId[]> {
  const found = new Set<OrderId>();
  for (const reference of references) {
    const byNumber = reference.accessionNumber ?? reference.requestedProcedureId;
    const orderId =
      (byNumber ? await orderIdByAccession(db, byNumber) : undefined) ??
      (await orderIdByStudyUid(db, reference.studyInstanceUid));
    if (orderId === undefined && byNumber) {
      const [tag, what] = reference.accessionNumber
        ? [TAG.accessionNumber, 'accession number']
        : [TAG.requestedProcedureId, 'requested procedure id'];
      throw refuse('invalid-value', tag, `no scheduled procedure step has ${what} '${byNumber}'`);
    }
    if (orderId !== undefined) found.add(orderId);
  }
  return [...found];
}

/** The patient an audit record of the step names: the Patient ID the modality sent. */
const patientOf = (step: PerformedStep) => (step.patientId ? { patientId: step.patientId } : {});

/** An order follows its steps once none is still IN PROGRESS (PS3.4 F.7.2.2, several steps per order). */
async function endStep(db: RisExecutor, ctx: RequestContext, row: PerformedStepRow, status: MppsStatus) {
  for (const orderId of await ordersOfPerformedStep(db, row.id!)) {
    const others = await otherStepStatuses(db, orderId, row.id!);
    if (others.includes('IN PROGRESS')) continue;
    const completed = status === 'COMPLETED' || others.includes('COMPLETED');
    const reason = `MPPS ${row.performed_step_id} ${status} on ${row.station_ae_title}`;
    await progressOrder(db, ctx, orderId, completed ? 'completed' : 'discontinued', reason);
  }
}

export async function loadStep(db: RisExecutor, sopInstanceUid: string): Promise<PerformedStep> {
  const row = (await findPerformedStep(db, sopInstanceUid))!;
  return {
    sopInstanceUid: row.sop_instance_uid,
    status: row.status as MppsStatus,
    performedStepId: row.performed_step_id,
    stationAeTitle: row.station_ae_title,
    modality: row.modality,
    studyInstanceUid: row.study_instance_uid,
    patientId: row.patient_id,
    orderIds: await ordersOfPerformedStep(db, row.id!),
    startDate: row.start_date,
    startTime: row.start_time,
    endDate: row.end_date,
    endTime: row.end_time,
    attributes: JSON.parse(row.attributes) as DataElements,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
