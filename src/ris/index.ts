import type { RequestContext } from '../platform/context.js';
import type { Kysely } from '../platform/db/index.js';
import { authorizedService, type PermissionTable } from '../platform/security/index.js';
import { createBookings } from './bookings.js';
import { createCharges } from './charges.js';
import { createExamNotes } from './exam-notes.js';
import type { OrderId } from './ids.js';
import { applyOrderTransition } from './order-transition.js';
import type { OrderStatus } from './order-status.js';
import { createOrders } from './orders.js';
import { lookUpOrders, type OrderLookup } from './order-lookup.js';
import { changeOrder, type OrderChange } from './order-change.js';
import { createOrderingProviders } from './ordering-providers.js';
import { createProcedureCatalogue } from './procedure-catalogue.js';
import { createReading, type ReportingDeps } from './reading.js';
import { createReportTemplates } from './report-templates.js';
import { createReports } from './reports.js';
import { createResources } from './resources.js';
import { createMpps } from './mpps.js';
import { createPatientReach, withinOrderReach } from './patient-reach.js';
import { createOrderStudies, createUnmatchedStudies } from './unmatched-studies.js';
import { queryWorklist, type WorklistKeys } from './worklist-query.js';

export type { RisDeps } from './ris-deps.js';
export type { BookingId, OrderId, ProcedureId, ResourceId } from './ids.js';
export type { Booking, BookingStatus } from './booking-repo.js';
export type { BookingRequest, RescheduleRequest } from './bookings.js';
export {
  PRIORITIES,
  type Order,
  type OrderHistoryEntry,
  type OrderInput,
  type Priority,
  type ScheduledStep,
} from './order.js';
export {
  ORDER_STATUSES,
  allowedTransitions,
  canTransition,
  parseOrderStatus,
  type OrderStatus,
} from './order-status.js';
export type { OrderSearch } from './order-search.js';
export type { OrderChange } from './order-change.js';
export type { OrderingProvider, OrderingProviderSearch } from './ordering-providers.js';
export type { TransitionResult } from './order-transition.js';
export type { OpeningHours } from './opening-hours.js';
export type { ChargeCode, Procedure, ProcedureInput } from './procedure.js';
export type { Resource, ResourceInput } from './resource.js';
export type { SlotRequest } from './resources.js';
export type { Slot } from './slots.js';
export type { RisTables } from './tables.js';
export { orderMergeParticipant } from './order-merge.js';
export { createPatientReach } from './patient-reach.js';
export { DEFAULT_PROCEDURES } from './default-procedures.js';
export type { CodedEntry, WorklistItem } from './worklist-item.js';
export type { WorklistKeys } from './worklist-query.js';
export { MPPS_STATUSES, type MppsStatus } from './mpps-attributes.js';
export type { PerformedStep } from './mpps.js';
export type { UnmatchedSearch, UnmatchedStudy } from './unmatched-studies.js';
export type { LinkOutcome, MatchedBy } from './study-link.js';
export { createStudyLinking, type StudyLinking, type StudyLinkingSettings } from './study-link-runner.js';
export type { ReadingSettings } from './reading.js';
export type { ReadingClaim } from './reading-claim.js';
export type { ReadingWorklistEntry, ReadingWorklistSearch } from './reading-worklist.js';
export type {
  AmendRequest,
  CriticalResult,
  CriticalResultInput,
  Report,
  ReportSection,
  ReportVersion,
  SignRequest,
} from './report.js';
export type { ReportTemplate, ReportTemplateInput } from './report-template.js';
export type { DraftRequest, ReportExport } from './reports.js';
export type { ChargeLine, ChargeStatus, OrderCharges } from './charge.js';
export type { ExamNote, ExamNoteInput } from './exam-notes.js';

/**
 * The RIS's services, bound to their dependencies. Every door calls these and nothing below them. Every
 * operation is authorized here (the tables below), and those naming an order are limited to orders of
 * patients within the caller's reach (patient-reach.ts).
 */
export function createRis(risDeps: ReportingDeps) {
  const patientReach = risDeps.patientReach ?? createPatientReach(risDeps.database);
  const deps = { ...risDeps, patientReach };
  const guard = <S extends Record<string, Operation>>(name: string, service: S, table: PermissionTable<S>) =>
    authorizedService(deps.database, name, service, table);
  const reachOf = <S extends Record<string, Operation>>(name: string, service: S, operations: (keyof S)[]) =>
    withinOrderReach(deps.database, patientReach, name, service, operations);
  const [orders, reports] = [createOrders(deps), createReports(deps)];
  const singles = {
    /** The orders of a page (by id or accession number) in one query and one audit record. */
    lookUpOrders: (ctx: RequestContext, lookup: OrderLookup) => lookUpOrders(deps, ctx, lookup),
    /** Changes an order not yet in progress: priority, reason, ordering provider, procedure (HL7 XO). */
    changeOrder: (ctx: RequestContext, id: OrderId, change: OrderChange) =>
      changeOrder(deps, ctx, id, change),
  };
  return {
    procedures: guard('procedures', createProcedureCatalogue(deps), {
      list: 'order.read',
      get: 'order.read',
      create: 'catalogue.write',
      update: 'catalogue.write',
      remove: 'catalogue.write',
      seedDefaults: 'catalogue.write',
    }),
    orders: guard('orders', reachOf('orders', orders, ['get', 'history', 'transition']), {
      place: 'order.write',
      get: 'order.read',
      search: 'order.read',
      history: 'order.read',
      transition: 'order.write',
    }),
    ...guard('ris', reachOf('ris', singles, ['changeOrder']), {
      lookUpOrders: 'order.read',
      changeOrder: 'order.write',
    }),
    orderingProviders: guard('orderingProviders', createOrderingProviders(deps), { search: 'order.read' }),
    resources: guard('resources', createResources(deps), {
      list: 'schedule.read',
      get: 'schedule.read',
      slots: 'schedule.read',
      create: 'catalogue.write',
      update: 'catalogue.write',
      remove: 'catalogue.write',
    }),
    bookings: guard('bookings', createBookings(deps), {
      get: 'schedule.read',
      book: 'schedule.write',
      reschedule: 'schedule.write',
      cancel: 'schedule.write',
    }),
    /** Modality Worklist C-FIND (PS3.4 K): scheduled (and arrived) steps matching DICOM keys. */
    worklist: guard(
      'worklist',
      {
        query: (ctx: RequestContext, keys: WorklistKeys) =>
          queryWorklist(deps, { includeArrived: deps.worklistIncludeArrived ?? true }, ctx, keys),
      },
      { query: 'order.read' },
    ),
    /** Modality Performed Procedure Step (PS3.4 F.7): N-CREATE → create, N-SET → update. */
    mpps: guard('mpps', createMpps(deps), { create: 'order.write', update: 'order.write' }),
    /** Studies linked to orders (`ofOrder`: an order's images, for reports and the reading worklist). */
    studies: guard('studies', reachOf('studies', createOrderStudies(deps), ['ofOrder']), {
      ofOrder: 'order.read',
    }),
    /** The clerk's queue of stable studies no order matched: list, link to an order, dismiss. */
    unmatchedStudies: guard('unmatchedStudies', createUnmatchedStudies(deps), {
      list: 'study.reconcile',
      link: 'study.reconcile',
      dismiss: 'study.reconcile',
    }),
    reading: guard('reading', reachOf('reading', createReading(deps), ['claim', 'release']), {
      worklist: 'report.read',
      claim: 'report.write',
      release: 'report.write',
    }),
    reportTemplates: guard('reportTemplates', createReportTemplates(deps), {
      list: 'report.read',
      get: 'report.read',
      create: 'report.write',
      update: 'report.write',
      remove: 'report.write',
    }),
    reports: guard('reports', reachOf('reports', reports, Object.keys(reports) as (keyof typeof reports)[]), {
      get: 'report.read',
      exportText: 'report.read',
      exportPdf: 'report.read',
      startDraft: 'report.write',
      editDraft: 'report.write',
      recordCriticalResult: 'report.write',
      sign: 'report.sign',
      amend: 'report.sign',
    }),
    charges: guard('charges', reachOf('charges', createCharges(deps), ['get', 'replace']), {
      get: 'charge.read',
      replace: 'charge.write',
      release: 'charge.write',
      exportCsv: 'charge.read',
    }),
    /** The technologist's notes on an exam, read by the radiologist: append-only (exam-notes.ts). */
    examNotes: guard('examNotes', reachOf('examNotes', createExamNotes(deps), ['add', 'list']), {
      add: 'exam-note.write',
      list: 'order.read',
    }),
    /**
     * For RIS services that change an order's status as part of their own change (MPPS, reports): applies
     * the transition inside the caller's transaction `trx` with history, worklist step status and event;
     * the caller writes the audit record. Doors use `orders.transition` instead. Not authorized here: the
     * calling service was.
     */
    applyOrderTransition: (
      trx: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
      ctx: RequestContext,
      orderId: OrderId,
      to: OrderStatus,
      reason: string | null,
    ) => applyOrderTransition(trx, ctx, orderId, to, reason),
    /** The patients each request may read, for the modules below the RIS (app.ts). */
    patientReach,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Operation = (ctx: RequestContext, ...args: any[]) => Promise<unknown>;

export type Ris = ReturnType<typeof createRis>;
