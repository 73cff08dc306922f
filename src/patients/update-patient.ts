import type { RequestContext } from '../platform/context.js';
import { conflict } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { recordAudit, recordAuditFailure } from '../platform/security/index.js';
import { requirePatient } from './load-patient.js';
import { parsePatientInput, parsePatientPatch, type PatientDraft } from './patient-input.js';
import { loadPatient, replaceOtherIds, updatePatientRow } from './patient-repo.js';
import type { Patient } from './patient.js';
import type { PatientsDeps } from './patients-deps.js';
import { checkIdentifiersFree } from './register-patient.js';

export interface PatientUpdateOptions {
  /**
   * Optimistic locking (HTTP If-Match): the update applies only if the patient's `updatedAt` is still this
   * instant, checked inside the update's transaction; else a `conflict` with `details.stale` is thrown.
   */
  expectedUpdatedAt?: string;
}

/**
 * Changes a patient's identifiers or demographics: `replace` (PUT) takes a whole registration, `patch`
 * only the fields given. The index answers with the new values at once; stored files are not rewritten.
 */
export async function updatePatient(
  deps: PatientsDeps,
  ctx: RequestContext,
  id: string,
  input: unknown,
  mode: 'replace' | 'patch',
  options: PatientUpdateOptions = {},
): Promise<Patient> {
  const audit = { action: 'patient.update', detail: { id, mode } };
  try {
    const draft: Partial<PatientDraft> =
      mode === 'replace' ? parsePatientInput(input) : parsePatientPatch(input);
    return await deps.database.kysely.transaction().execute(async (trx) => {
      const before = await requirePatient(trx, id);
      const expected = options.expectedUpdatedAt;
      if (expected !== undefined && Date.parse(expected) !== Date.parse(before.updatedAt)) {
        throw conflict(`patient ${id} was changed at ${before.updatedAt}, after ${expected}`, {
          stale: true,
          updatedAt: before.updatedAt,
        });
      }
      if (before.mergedInto !== undefined) {
        throw conflict(`patient ${id} is merged into patient ${before.mergedInto}; change that one`, {
          mergedInto: before.mergedInto,
        });
      }
      const identity = {
        patientId: draft.patientId ?? before.patientId,
        issuerOfPatientId: draft.issuerOfPatientId ?? before.issuerOfPatientId,
      };
      await checkIdentifiersFree(trx, { ...identity, otherIds: draft.otherIds }, before.id);
      await updatePatientRow(trx, before.id, draft);
      if (draft.otherIds) await replaceOtherIds(trx, before.id, draft.otherIds);
      const after = (await loadPatient(trx, before.id))!;
      const changed = changedFields(before, after);
      await publishEvent(trx, {
        type: 'patient.updated',
        subject: String(before.id),
        payload: { id: before.id, changed },
      });
      await recordAudit(trx, ctx, {
        ...audit,
        patientId: after.patientId,
        detail: {
          ...audit.detail,
          changed,
          ...(before.patientId !== after.patientId ? { previousPatientId: before.patientId } : {}),
        },
      });
      return after;
    });
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

/** The names of the fields whose values differ (the audit says what changed, not to what). */
function changedFields(before: Patient, after: Patient): string[] {
  const fields = [
    'patientId',
    'issuerOfPatientId',
    'name',
    'birthDate',
    'sex',
    'address',
    'phone',
    'otherIds',
  ] as const;
  return fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
