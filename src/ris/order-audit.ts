import { auditPatients, type AuditEntry } from '../platform/security/index.js';
import { orderAuditSubjects, patientIdsOf, type OrderAuditSubject } from './exam-study-repo.js';
import type { Order } from './order.js';
import type { RisExecutor } from './ris-transaction.js';

// Every RIS record names the patient it touched by Patient ID, as the patients and archive records do, so
// the trail of one patient (GET /api/audit?patientId=, FHIR AuditEvent?entity-id=) holds their orders,
// bookings, reports and charges too; and the exam's study (the one linked, else the scheduled UID).

/** One order: its patient and exam's study; the accession (and further studies, if several) in detail. */
export function namingOfOrder(subject: OrderAuditSubject): Partial<AuditEntry> {
  const [study, ...more] = subject.studyInstanceUids;
  return {
    patientId: subject.patientId,
    ...(study ? { studyInstanceUid: study } : {}),
    detail: {
      accessionNumber: subject.accessionNumber,
      ...(more.length ? { studyInstanceUids: subject.studyInstanceUids } : {}),
    },
  };
}

/**
 * Several orders (a page, a release): every patient's ID in one value, separated by `\` as a patient search
 * or a retrieve spanning patients names them; the study only when they are one order's.
 */
export function namingOfOrders(subjects: readonly OrderAuditSubject[]): Partial<AuditEntry> {
  if (subjects.length === 1) return namingOfOrder(subjects[0]!);
  return auditPatients(subjects.map((s) => s.patientId));
}

/** The audit naming of these orders, read in the caller's transaction (or the database, for a read). */
export async function auditOfOrders(
  db: RisExecutor,
  orderIds: readonly number[],
): Promise<Partial<AuditEntry>> {
  return namingOfOrders(await orderAuditSubjects(db, orderIds));
}

/** The audit naming of orders already loaded: their accession and exam's studies are there; only the patients' IDs are read. */
export async function auditOfLoadedOrders(
  db: RisExecutor,
  orders: readonly Order[],
): Promise<Partial<AuditEntry>> {
  const patientIds = await patientIdsOf(
    db,
    orders.map((o) => o.patientRef),
  );
  return namingOfOrders(
    orders.map((o) => ({
      orderId: o.id,
      patientId: patientIds.get(o.patientRef) ?? '',
      accessionNumber: o.accessionNumber,
      studyInstanceUids: o.examStudyInstanceUids,
    })),
  );
}

/** The order a failed call named (`detail.orderId`), so that refusals are on the patient's trail too. */
export async function failureNaming(db: RisExecutor, entry: AuditEntry): Promise<AuditEntry> {
  const orderId = Number(entry.detail?.orderId);
  if (entry.patientId !== undefined || !Number.isSafeInteger(orderId) || orderId <= 0) return entry;
  try {
    const [subject] = await orderAuditSubjects(db, [orderId]);
    if (!subject) return entry;
    const naming = namingOfOrder(subject);
    return { ...naming, ...entry, detail: { ...naming.detail, ...entry.detail } };
  } catch {
    return entry; // the failure itself is what must be recorded
  }
}
