import { describeActor, type RequestContext } from '../platform/context.js';
import { conflict, invalid } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { recordAudit, recordAuditFailure } from '../platform/security/index.js';
import { requirePatient } from './load-patient.js';
import {
  closeMergeRecord,
  findActiveMerge,
  insertMergeItems,
  insertMergeRecord,
  linkMerged,
  mergeItems,
  unlinkMerged,
} from './merge-repo.js';
import { loadPatient } from './patient-repo.js';
import type { Patient } from './patient.js';
import type { PatientsDeps } from './patients-deps.js';

/** Which way a merge goes, seen from the patient in the URL: `into` another, or take one `from` another. */
export interface MergeRequest {
  into?: string | number;
  from?: string | number;
}

export interface MergeOutcome {
  mergeId: number;
  /** The patient that lives on, with everything moved to it. */
  survivor: Patient;
  /** The patient merged away: kept, marked `mergedInto`, its identifiers resolving to the survivor. */
  merged: Patient;
  /** How many rows of each kind moved ('study': 2 …). */
  moved: Record<string, number>;
}

const actorOf = (ctx: RequestContext) => {
  const actor = describeActor(ctx.actor);
  return `${actor.kind}:${actor.id}`;
};

/**
 * Merges two patients (ADT A40, the administrator's screen). Everything that belongs to the merged
 * patient moves to the survivor, each participant recording what it moved, and the merge record, the
 * `patient.merged` event and the audit record commit in the same transaction. Stored files are not
 * rewritten. Every participant moves rows by patient key, so merges can chain (A into B, then B into C).
 */
export async function mergePatients(
  deps: PatientsDeps,
  ctx: RequestContext,
  id: string,
  request: unknown,
): Promise<MergeOutcome> {
  const audit = { action: 'patient.merge', detail: { id, request } };
  try {
    const { merged: mergedId, survivor: survivorId, field } = parseMergeRequest(id, request);
    return await deps.database.kysely.transaction().execute(async (trx) => {
      const merged = await requirePatient(trx, mergedId);
      const survivor = await requirePatient(trx, survivorId);
      if (merged.id === survivor.id) {
        throw invalid(`${field}: a patient cannot be merged with itself`, { field });
      }
      for (const patient of [merged, survivor]) {
        if (patient.mergedInto !== undefined) {
          throw conflict(`patient ${patient.id} is already merged into patient ${patient.mergedInto}`, {
            patient: patient.id,
            mergedInto: patient.mergedInto,
          });
        }
      }
      if (!(await linkMerged(trx, merged.id, survivor.id))) {
        throw conflict(`patient ${merged.id} or ${survivor.id} was merged by another request just now`);
      }
      const actor = actorOf(ctx);
      const record = await insertMergeRecord(trx, merged.id, survivor.id, actor);
      const moved: Record<string, number> = {};
      for (const participant of deps.participants) {
        const keys = await participant.move(trx, merged.id, survivor.id);
        await insertMergeItems(trx, record.id, participant.kind, keys);
        moved[participant.kind] = keys.length;
      }
      const identities = identitiesOf(merged, survivor);
      await publishEvent(trx, {
        type: 'patient.merged',
        subject: String(merged.id),
        payload: { mergeId: record.id, ...identities, moved },
      });
      await recordAudit(trx, ctx, {
        ...audit,
        patientId: `${merged.patientId}\\${survivor.patientId}`,
        detail: { mergeId: record.id, ...identities, moved },
      });
      return {
        mergeId: record.id,
        survivor: (await loadPatient(trx, survivor.id))!,
        merged: (await loadPatient(trx, merged.id))!,
        moved,
      };
    });
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

/**
 * Undoes the merge of patient `id` (ADT A37): exactly the rows that merge moved go back, rows that arrived
 * for the survivor since stay with it. The newest merge is undone first: while the survivor is itself
 * merged into a third patient, that merge must be undone before this one.
 */
export async function unmergePatient(
  deps: PatientsDeps,
  ctx: RequestContext,
  id: string,
): Promise<MergeOutcome> {
  const audit = { action: 'patient.unmerge', detail: { id } };
  try {
    return await deps.database.kysely.transaction().execute(async (trx) => {
      const merged = await requirePatient(trx, id);
      const merge = merged.mergedInto === undefined ? undefined : await findActiveMerge(trx, merged.id);
      if (!merge) throw conflict(`patient ${id} is not merged into another patient`);
      const survivor = (await loadPatient(trx, merge.survivor))!;
      if (survivor.mergedInto !== undefined) {
        throw conflict(
          `patient ${survivor.id} is merged into patient ${survivor.mergedInto}; unmerge patient ${survivor.id} first`,
          { patient: survivor.id, mergedInto: survivor.mergedInto },
        );
      }
      const items = await mergeItems(trx, merge.id);
      const restored: Record<string, number> = {};
      for (const [kind, keys] of items) {
        const participant = deps.participants.find((p) => p.kind === kind);
        if (!participant)
          throw conflict(`merge ${merge.id} moved ${kind} rows, and nothing here can move them back`);
        await participant.restore(trx, keys, survivor.id, merged.id);
        restored[kind] = keys.length;
      }
      await unlinkMerged(trx, merged.id);
      await closeMergeRecord(trx, merge.id, actorOf(ctx));
      const identities = identitiesOf(merged, survivor);
      await publishEvent(trx, {
        type: 'patient.unmerged',
        subject: String(merged.id),
        payload: { mergeId: merge.id, ...identities, restored },
      });
      await recordAudit(trx, ctx, {
        ...audit,
        patientId: `${merged.patientId}\\${survivor.patientId}`,
        detail: { mergeId: merge.id, ...identities, restored },
      });
      return {
        mergeId: merge.id,
        survivor: (await loadPatient(trx, survivor.id))!,
        merged: (await loadPatient(trx, merged.id))!,
        moved: restored,
      };
    });
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

function parseMergeRequest(id: string, request: unknown) {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw invalid('the body must be a JSON object { into } or { from }', { field: '' });
  }
  for (const key of Object.keys(request)) {
    if (key !== 'into' && key !== 'from') throw invalid(`${key}: unknown field`, { field: key });
  }
  const { into, from } = request as MergeRequest;
  if ((into === undefined) === (from === undefined)) {
    throw invalid('into, from: give exactly one: the patient to merge into, or the patient to merge from', {
      field: 'into',
    });
  }
  const field = into !== undefined ? 'into' : 'from';
  const other = (into ?? from)!;
  if (typeof other !== 'string' && typeof other !== 'number')
    throw invalid(`${field}: must be a patient id`, { field });
  return into !== undefined ? { merged: id, survivor: other, field } : { merged: other, survivor: id, field };
}

/** Both identities, for the event and the audit trail. */
function identitiesOf(merged: Patient, survivor: Patient) {
  const identity = (p: Patient) => ({
    id: p.id,
    patientId: p.patientId,
    issuerOfPatientId: p.issuerOfPatientId,
  });
  return { merged: identity(merged), survivor: identity(survivor) };
}
