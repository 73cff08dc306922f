import type { Kysely } from 'kysely';
import type { Patients } from '../../patients/index.js';
import { createContext } from '../../platform/context.js';
import { LanternError } from '../../platform/errors.js';
import { createEventConsumer, type StoredEvent } from '../../platform/events/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { OrderId, Ris } from '../../ris/index.js';
import type { ReportDocument } from './oru-builder.js';

/** The database the outbox lives in (typed through platform/events: a door does not reach platform/db). */
export type OutboxDatabase = Parameters<typeof createEventConsumer>[0];

/** The outbox events that produce an ORU^R01: a report signed final, and a signed amendment or addendum. */
export const REPORT_EVENTS = ['report.finalized', 'report.amended'] as const;

interface ReportEventPayload {
  reportId: number;
  orderId: OrderId;
  version: number;
  signer?: { id?: string; name?: string };
  signedAt: string;
}

/** An event batch reached the consumer before its documents were read: read them, then poll again. */
class Unprepared extends Error {
  constructor(readonly events: StoredEvent[]) {
    super(`${events.length} report events to prepare`);
  }
}

/**
 * `report.finalized` / `report.amended` → ORU^R01 to each destination, exactly once per report version.
 * A durable outbox consumer (cursor `hl7.report-results`) queues the messages in the transaction that
 * moves its cursor, so a crash neither loses a report nor queues it twice. The documents are read through
 * the RIS and patients services before that transaction (they use their own connection, and SQLite has
 * one): a batch whose documents are missing is rolled back, its documents read, and polled again.
 */
export function createReportSubscriber(
  deps: { database: OutboxDatabase; ris: Ris; patients: Patients },
  notify: (document: ReportDocument, trx: Kysely<any>) => Promise<unknown>, // eslint-disable-line @typescript-eslint/no-explicit-any
  options: { enabled: boolean; intervalMs?: number },
  log: Logger,
) {
  const ctx = () => createContext(log, { kind: 'system', name: 'hl7:report-results' }, { door: 'job' });
  // event id → its document; null: nothing to send (no ORU destination, or the order is gone).
  const prepared = new Map<number, ReportDocument | null>();
  const consumer = createEventConsumer(deps.database, {
    name: 'hl7.report-results',
    types: REPORT_EVENTS,
    handle: async (trx, events) => {
      const missing = events.filter((e) => !prepared.has(e.id));
      if (missing.length > 0) throw new Unprepared(missing);
      for (const event of events) {
        const document = prepared.get(event.id);
        if (document) await notify(document, trx);
      }
    },
  });

  async function prepare(event: StoredEvent): Promise<ReportDocument | null> {
    if (!options.enabled) return null;
    const payload = event.payload as unknown as ReportEventPayload;
    const context = ctx();
    try {
      // The order as it is now: after an A40 merge its patient is the survivor.
      const order = await deps.ris.orders.get(context, payload.orderId);
      const patient = await deps.patients.read(context, String(order.patientRef));
      const exported = await deps.ris.reports.exportText(context, payload.orderId, payload.version);
      return {
        patient: {
          patientId: patient.patientId,
          issuerOfPatientId: patient.issuerOfPatientId,
          ...(patient.name ? { name: patient.name.dicom } : {}),
          ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
          ...(patient.sex ? { sex: patient.sex } : {}),
        },
        order: {
          placerOrderNumber: order.placerOrderNumber,
          accessionNumber: order.accessionNumber,
          procedure: {
            code: order.procedure.code,
            codingScheme: order.procedure.codingScheme,
            meaning: order.procedure.meaning,
          },
        },
        report: {
          id: payload.reportId,
          version: payload.version,
          status: event.type === 'report.amended' ? 'amended' : 'final',
          text: String(exported.body),
          ...(payload.signer ? { signer: payload.signer } : {}),
          signedAt: payload.signedAt,
        },
      };
    } catch (error) {
      // Gone (a deleted order or patient) is final: skip it. Anything else is retried on the next run.
      if (error instanceof LanternError && error.code === 'not-found') {
        log.warn({ eventId: event.id, reason: error.message }, 'report result not sent: its data is gone');
        return null;
      }
      throw error;
    }
  }

  /** Queues the ORUs of every new report event; resolves with how many events were read. */
  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      let read: number;
      try {
        read = await consumer.poll();
      } catch (error) {
        if (!(error instanceof Unprepared)) throw error;
        for (const event of error.events) prepared.set(event.id, await prepare(event));
        continue;
      }
      prepared.clear();
      total += read;
      if (read === 0) return total;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const interval = options.intervalMs ?? 1000;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => log.error({ err: error }, 'report results: run failed'))
        .finally(schedule);
    }, interval);
  };
  return {
    runOnce,
    /** Looks for new report events every `intervalMs` while serving. */
    start: () => {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type ReportSubscriber = ReturnType<typeof createReportSubscriber>;
