import { auditPatients } from '../platform/security/index.js';
import { isValidUid } from '../lib/dicom/index.js';
import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import type { OrderId } from './ids.js';
import { positiveId } from './order.js';
import { auditOfOrders } from './order-audit.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead } from './ris-transaction.js';
import { linkRefusal, linkStudy, type StudyFacts } from './study-link.js';
import { findStudyLink, linkedStudiesOfOrder, orderForLinking } from './study-link-repo.js';
import {
  findUnmatched,
  listUnmatched,
  resolveUnmatched,
  type UnmatchedRow,
  type UnmatchedStatus,
} from './unmatched-repo.js';

/** A stored study no order was found for, waiting for a clerk (or resolved by one). */
export interface UnmatchedStudy {
  studyInstanceUid: string;
  accessionNumber: string | null;
  patientId: string | null;
  issuerOfPatientId: string | null;
  patientName: string | null;
  studyDate: string | null;
  modalities: string | null;
  numInstances: number | null;
  /** Why it was not linked: no such accession number, another patient, a cancelled order. */
  reason: string;
  status: UnmatchedStatus;
  queuedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface UnmatchedSearch {
  status?: string;
  limit?: number;
  offset?: number;
}

const STATUSES: readonly UnmatchedStatus[] = ['open', 'linked', 'dismissed'];

const toUnmatched = (r: UnmatchedRow): UnmatchedStudy => ({
  studyInstanceUid: r.study_instance_uid,
  accessionNumber: r.accession_number,
  patientId: r.patient_id,
  issuerOfPatientId: r.issuer_of_patient_id,
  patientName: r.patient_name,
  studyDate: r.study_date,
  modalities: r.modalities,
  numInstances: r.num_instances === null ? null : Number(r.num_instances),
  reason: r.reason,
  status: r.status as UnmatchedStatus,
  queuedAt: r.queued_at,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
});

function studyUid(value: string): string {
  if (!isValidUid(value)) throw invalid(`'${value}' is not a Study Instance UID`);
  return value;
}

/** The clerk's queue of unmatched studies, and the studies linked to each order. */
export function createUnmatchedStudies(deps: RisDeps) {
  return {
    list: (ctx: RequestContext, search: UnmatchedSearch = {}) => {
      const status = (search.status ?? 'open') as UnmatchedStatus;
      const limit = search.limit ?? 100;
      const offset = search.offset ?? 0;
      return auditedRead(
        deps,
        ctx,
        { action: 'unmatched-study.search', detail: { status, limit, offset } },
        async (db) => {
          if (!STATUSES.includes(status)) throw invalid(`status must be one of ${STATUSES.join(', ')}`);
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit must be 1 to 1000');
          if (!Number.isInteger(offset) || offset < 0) throw invalid('offset must be 0 or more');
          const { total, rows } = await listUnmatched(db, { status, limit, offset });
          return { total, studies: rows.map(toUnmatched) };
        },
        (result) => {
          // The queue's patients as the study records name them (the study's Patient ID; one value for all).
          return {
            ...auditPatients(result.studies.map((st) => st.patientId)),
            detail: { total: result.total, returned: result.studies.length },
          };
        },
      );
    },

    /**
     * A clerk links a queued study to an order: refused for a study not in the queue or already linked, a
     * cancelled order, or an order of another patient (fix the patient first). The order then follows the
     * exam as an automatic link would make it.
     */
    link: (ctx: RequestContext, studyInstanceUid: string, orderId: number) =>
      auditedChange(
        deps,
        ctx,
        { action: 'unmatched-study.link', studyInstanceUid, detail: { orderId } },
        async (trx) => {
          const uid = studyUid(studyInstanceUid);
          const id = positiveId('orderId', orderId) as OrderId;
          const queued = await findUnmatched(trx, uid);
          if (!queued) throw notFound('unmatched study', uid);
          const linked = await findStudyLink(trx, uid);
          if (linked) throw conflict(`study ${uid} is linked to order ${linked.order_ref} already`);
          const order = await orderForLinking(trx, { id });
          if (!order) throw notFound('order', String(id));
          const refusal = linkRefusal(order, facts(queued));
          if (refusal) throw conflict(`${refusal}; it cannot be linked`);
          await linkStudy(trx, ctx, id, uid, 'clerk');
          return toUnmatched((await findUnmatched(trx, uid))!);
        },
        async (_linked, db) => {
          const naming = await auditOfOrders(db, [orderId]);
          return { ...naming, studyInstanceUid: studyInstanceUid, detail: naming.detail };
        },
      ),

    /** A clerk decides a queued study needs no order (a test, a phantom): it leaves the open queue. */
    dismiss: (ctx: RequestContext, studyInstanceUid: string, reason?: string) =>
      auditedChange(
        deps,
        ctx,
        { action: 'unmatched-study.dismiss', studyInstanceUid, detail: { reason: reason ?? null } },
        async (trx) => {
          const uid = studyUid(studyInstanceUid);
          const queued = await findUnmatched(trx, uid);
          if (!queued) throw notFound('unmatched study', uid);
          if (queued.status !== 'open')
            throw conflict(`study ${uid} is ${queued.status}; only an open one is dismissed`);
          const actor = describeActor(ctx.actor);
          await resolveUnmatched(trx, uid, 'dismissed', `${actor.kind}:${actor.id}`);
          await publishEvent(trx, {
            type: 'study.dismissed',
            subject: uid,
            payload: { studyInstanceUid: uid, reason: reason ?? null },
          });
          return toUnmatched((await findUnmatched(trx, uid))!);
        },
        (dismissed) => (dismissed.patientId ? { patientId: dismissed.patientId } : {}),
      ),
  };
}

/** The studies linked to orders: what reports and the reading worklist show as an order's images. */
export function createOrderStudies(deps: RisDeps) {
  return {
    /** The studies linked to an order, first linked first (matchedBy: accession, study-uid, clerk). */
    ofOrder: (ctx: RequestContext, orderId: OrderId) =>
      auditedRead(
        deps,
        ctx,
        { action: 'order.studies', detail: { orderId } },
        async (db) => {
          if (!(await orderForLinking(db, { id: orderId }))) throw notFound('order', String(orderId));
          return linkedStudiesOfOrder(db, orderId);
        },
        (_studies, db) => auditOfOrders(db, [orderId]),
      ),
  };
}

function facts(row: UnmatchedRow): StudyFacts {
  return {
    studyInstanceUid: row.study_instance_uid,
    accessionNumber: row.accession_number,
    patientId: row.patient_id,
    issuerOfPatientId: row.issuer_of_patient_id,
    patientName: row.patient_name,
    studyDate: row.study_date,
    modalities: row.modalities,
    numInstances: row.num_instances,
  };
}
