import type { DicomJson } from '../lib/dicom/index.js';
import { personNameToText, isPersonName } from '../lib/dicom/index.js';
import { describeActor, type RequestContext } from '../platform/context.js';
import { publishEvent } from '../platform/events/index.js';
import type { OrderId } from './ids.js';
import { progressOrder } from './mpps-order-progress.js';
import { linkPerformedStep, otherStepStatuses, unlinkedStepsOfStudy } from './mpps-repo.js';
import type { RisExecutor } from './ris-transaction.js';
import { findStudyLink, insertStudyLink, orderForLinking } from './study-link-repo.js';
import { findUnmatched, queueUnmatched, resolveUnmatched } from './unmatched-repo.js';

/** What the archive says about a stored study, as far as linking it to an order needs. */
export interface StudyFacts {
  studyInstanceUid: string;
  accessionNumber: string | null;
  patientId: string | null;
  issuerOfPatientId: string | null;
  patientName: string | null;
  studyDate: string | null;
  modalities: string | null;
  numInstances: number | null;
}

export type LinkOutcome =
  | { outcome: 'linked'; orderId: OrderId; matchedBy: MatchedBy }
  | { outcome: 'already-linked'; orderId: OrderId }
  | { outcome: 'unmatched'; reason: string };

export type MatchedBy = 'accession' | 'study-uid' | 'clerk';

/** A STUDY level match of the archive's query model as StudyFacts. */
export function studyFacts(match: DicomJson): StudyFacts {
  const text = (tag: string): string | null => {
    const values = (match[tag]?.Value ?? []).map((v) =>
      isPersonName(v as never) ? personNameToText(v as never) : String(v),
    );
    const joined = values.join('\\').trim();
    return joined === '' ? null : joined;
  };
  const instances = text('00201208');
  return {
    studyInstanceUid: text('0020000D') ?? '',
    accessionNumber: text('00080050'),
    patientId: text('00100020'),
    issuerOfPatientId: text('00100021'),
    patientName: text('00100010'),
    studyDate: text('00080020'),
    modalities: text('00080061'),
    numInstances: instances === null ? null : Number(instances),
  };
}

type LinkableOrder = NonNullable<Awaited<ReturnType<typeof orderForLinking>>>;

/**
 * Why a study may not join an order, or undefined: a cancelled order was never performed, and a study of
 * another patient (Patient ID, and issuer when both have one) must not be read as this order's images.
 */
export function linkRefusal(order: LinkableOrder, study: StudyFacts): string | undefined {
  if (order.status === 'cancelled') return `order ${order.accession_number} is cancelled`;
  const sameId = study.patientId !== null && study.patientId === order.patient_id;
  const issuers = [study.issuerOfPatientId ?? '', order.issuer_of_patient_id];
  const sameIssuer = issuers.includes('') || issuers[0] === issuers[1];
  if (!sameId || !sameIssuer) {
    return `patient ${study.patientId ?? '(none)'} of the study is not the order's patient ${order.patient_id}`;
  }
  return undefined;
}

/**
 * A stable study: linked to its order by Accession Number, else by the order's own Study Instance UID;
 * with no (acceptable) order it joins the unmatched queue, unless a clerk dismissed it there already.
 */
export async function handleStableStudy(
  db: RisExecutor,
  ctx: RequestContext,
  study: StudyFacts,
): Promise<LinkOutcome> {
  const existing = await findStudyLink(db, study.studyInstanceUid);
  if (existing) {
    const orderId = Number(existing.order_ref) as OrderId;
    await followExam(db, ctx, orderId, study.studyInstanceUid);
    return { outcome: 'already-linked', orderId };
  }
  let order = study.accessionNumber
    ? await orderForLinking(db, { accessionNumber: study.accessionNumber })
    : undefined;
  let matchedBy: MatchedBy = 'accession';
  if (!order) {
    order = await orderForLinking(db, { studyInstanceUid: study.studyInstanceUid });
    matchedBy = 'study-uid';
  }
  const reason = order
    ? linkRefusal(order, study)
    : study.accessionNumber
      ? `no order has accession number ${study.accessionNumber} or this Study Instance UID`
      : 'no accession number, and no order has this Study Instance UID';
  if (!order || reason) {
    const queued = await findUnmatched(db, study.studyInstanceUid);
    await queueUnmatched(db, {
      study_instance_uid: study.studyInstanceUid,
      accession_number: study.accessionNumber,
      patient_id: study.patientId,
      issuer_of_patient_id: study.issuerOfPatientId,
      patient_name: study.patientName,
      study_date: study.studyDate,
      modalities: study.modalities,
      num_instances: study.numInstances,
      reason: reason!,
    });
    if (!queued) {
      await publishEvent(db, {
        type: 'study.unmatched',
        subject: study.studyInstanceUid,
        payload: { studyInstanceUid: study.studyInstanceUid, accessionNumber: study.accessionNumber, reason },
      });
    }
    return { outcome: 'unmatched', reason: reason! };
  }
  await linkStudy(db, ctx, order.id, study.studyInstanceUid, matchedBy);
  return { outcome: 'linked', orderId: order.id, matchedBy };
}

/**
 * Links a study to an order: the link row, any MPPS of the study that named no order (unscheduled), the
 * unmatched queue entry resolved, `study.linked`, and the order completed when no MPPS speaks for it.
 */
export async function linkStudy(
  db: RisExecutor,
  ctx: RequestContext,
  orderId: OrderId,
  studyInstanceUid: string,
  matchedBy: MatchedBy,
): Promise<void> {
  const actor = describeActor(ctx.actor);
  await insertStudyLink(db, {
    orderRef: orderId,
    studyInstanceUid,
    matchedBy,
    linkedBy: `${actor.kind}:${actor.id}`,
  });
  for (const pps of await unlinkedStepsOfStudy(db, studyInstanceUid))
    await linkPerformedStep(db, pps, orderId);
  if (await findUnmatched(db, studyInstanceUid))
    await resolveUnmatched(db, studyInstanceUid, 'linked', `${actor.kind}:${actor.id}`);
  await publishEvent(db, {
    type: 'study.linked',
    subject: studyInstanceUid,
    payload: { studyInstanceUid, orderId, matchedBy },
  });
  await followExam(db, ctx, orderId, studyInstanceUid);
}

/**
 * Images that are stable mean the exam took place. Without any MPPS for the order they are all the RIS
 * will hear, so the order moves on to completed (through arrived and in-progress as the machine
 * requires). With MPPS (some perhaps reconciled just now), the steps decide: one still IN PROGRESS keeps
 * the order in progress, else any COMPLETED completes it, else it is discontinued.
 */
async function followExam(db: RisExecutor, ctx: RequestContext, orderId: OrderId, studyInstanceUid: string) {
  const current = await orderForLinking(db, { id: orderId });
  if (!current || current.status === 'cancelled') return;
  const steps = await otherStepStatuses(db, orderId, -1);
  const target =
    steps.length === 0 || (!steps.includes('IN PROGRESS') && steps.includes('COMPLETED'))
      ? 'completed'
      : steps.includes('IN PROGRESS')
        ? 'in-progress'
        : 'discontinued';
  const why = steps.length === 0 ? 'no MPPS' : `its MPPS: ${[...new Set(steps)].join(', ')}`;
  await progressOrder(db, ctx, orderId, target, `study ${studyInstanceUid} stored and stable; ${why}`);
}
