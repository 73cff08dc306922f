import type { Archive } from '../archive/index.js';
import { createContext } from '../platform/context.js';
import { nowIso } from '../platform/db/index.js';
import { createEventConsumer, publishEvent, type StoredEvent } from '../platform/events/index.js';
import type { Logger } from '../platform/log/index.js';
import type { RisDeps } from './ris-deps.js';
import { currentTime } from './ris-deps.js';
import { auditedChange } from './ris-transaction.js';
import { handleStableStudy, studyFacts, type LinkOutcome } from './study-link.js';
import { dueStudies, markStable, recordArrivals } from './study-link-repo.js';

export interface StudyLinkingSettings {
  /** A study is stable once no instance arrived for this long (`ris.studyStableSeconds`). */
  stableSeconds: number;
  /** How often the background loop looks (default: a fifth of the stable period, 1 to 10 s). */
  intervalMs?: number;
}

const SWEEP_BATCH = 50;

/**
 * `study.stable` and what the RIS does with it. `instance.stored` events are read from the outbox by a
 * durable consumer (cursor `ris.study-arrivals`) into `study_arrival` (latest arrival per study); a sweep
 * declares each study quiet for `stableSeconds` stable — once per burst of arrivals, with `study.stable`
 * in the outbox — and links it to its order or queues it as unmatched, in the same transaction.
 */
export function createStudyLinking(
  deps: RisDeps & { archive: Pick<Archive, 'query'> },
  settings: StudyLinkingSettings,
  log: Logger,
) {
  const ctx = () => createContext(log, { kind: 'system', name: 'ris:study-linking' }, { door: 'job' });
  const consumer = createEventConsumer(deps.database, {
    name: 'ris.study-arrivals',
    types: ['instance.stored'],
    handle: (trx, events) => recordArrivals(trx, latestPerStudy(events)),
  });

  async function stabilise(studyInstanceUid: string, lastReceivedAt: string) {
    const context = ctx();
    // The archive reads through its own connection, so before this module's transaction (SQLite has one).
    const { matches } = await deps.archive.query(context, {
      level: 'STUDY',
      keys: { StudyInstanceUID: studyInstanceUid },
      limit: 1,
      withTotal: false,
    });
    const study = matches[0] ? studyFacts(matches[0]) : undefined;
    return auditedChange(
      deps,
      context,
      { action: 'study.link', studyInstanceUid, detail: { lastReceivedAt } },
      async (trx): Promise<LinkOutcome | { outcome: 'superseded' | 'gone' }> => {
        if (!(await markStable(trx, studyInstanceUid, lastReceivedAt))) return { outcome: 'superseded' };
        await publishEvent(trx, {
          type: 'study.stable',
          subject: studyInstanceUid,
          payload: { studyInstanceUid, accessionNumber: study?.accessionNumber ?? null, lastReceivedAt },
        });
        if (!study) return { outcome: 'gone' };
        return handleStableStudy(trx, context, study);
      },
      // The study's Patient ID: for a linked study, its order's patient's too (linking requires it).
      (outcome) => ({ ...(study?.patientId ? { patientId: study.patientId } : {}), detail: { ...outcome } }),
    );
  }

  /** Reads every new event, then handles the studies that became stable; resolves with how many. */
  async function runOnce(): Promise<number> {
    while ((await consumer.poll()) > 0);
    const cutoff = new Date(currentTime(deps).getTime() - settings.stableSeconds * 1000).toISOString();
    const due = await dueStudies(deps.database.kysely, cutoff, SWEEP_BATCH);
    for (const row of due) await stabilise(row.study_instance_uid, row.last_received_at);
    return due.length;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const interval =
    settings.intervalMs ?? Math.min(10_000, Math.max(1000, (settings.stableSeconds * 1000) / 5));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => log.warn({ err: error, at: nowIso() }, 'study linking failed; retrying'))
        .finally(schedule);
    }, interval);
    timer.unref();
  };

  return {
    runOnce,
    /** Starts the background loop (serve); one run at a time. */
    start: () => {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    /** Stops the loop and waits for a run in progress, before the database closes. */
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** The latest arrival time of each study in a batch of `instance.stored` events (subject: the study). */
function latestPerStudy(events: readonly StoredEvent[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const event of events) {
    const seen = latest.get(event.subject);
    if (seen === undefined || event.createdAt > seen) latest.set(event.subject, event.createdAt);
  }
  return latest;
}

export type StudyLinking = ReturnType<typeof createStudyLinking>;
