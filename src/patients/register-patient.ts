import type { RequestContext } from '../platform/context.js';
import { conflict } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { recordAudit, recordAuditFailure } from '../platform/security/index.js';
import type { PatientDraft } from './patient-input.js';
import { parsePatientInput } from './patient-input.js';
import type { PatientKey } from './patient-identity.js';
import { findOtherIdHolder, findPatientKey, insertPatientDraft } from './patient-repo.js';
import type { Patient } from './patient.js';
import type { PatientsDeps } from './patients-deps.js';
import type { Kysely } from '../platform/db/index.js';

/** Registers a patient (ADT A04, the registration desk, POST /api/patients). */
export async function registerPatient(
  deps: PatientsDeps,
  ctx: RequestContext,
  input: unknown,
): Promise<Patient> {
  const audit = { action: 'patient.create' };
  try {
    const draft = parsePatientInput(input);
    return await deps.database.kysely.transaction().execute(async (trx) => {
      await checkIdentifiersFree(trx, draft);
      const patient = await insertPatientDraft(trx, draft);
      const key = patient.id;
      await publishEvent(trx, { type: 'patient.created', subject: String(key), payload: { id: key } });
      await recordAudit(trx, ctx, { ...audit, patientId: patient.patientId, detail: { id: key } });
      return patient;
    });
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

/** Refuses identifiers that name another patient: one identity, one patient (merge them instead). */
export async function checkIdentifiersFree(
  executor: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  draft: Partial<PatientDraft>,
  self?: PatientKey,
): Promise<void> {
  if (draft.patientId !== undefined && draft.issuerOfPatientId !== undefined) {
    const holder = await findPatientKey(executor, draft.patientId, draft.issuerOfPatientId);
    if (holder !== undefined && holder !== self) {
      throw conflict(`patientId: ${draft.patientId} is already the Patient ID of patient ${holder}`, {
        field: 'patientId',
        patient: holder,
      });
    }
  }
  if (draft.otherIds) {
    const taken = await findOtherIdHolder(executor, draft.otherIds, self);
    if (taken) {
      throw conflict(
        `otherIds: ${taken.identifier.value} is already an identifier of patient ${taken.holder}`,
        {
          field: 'otherIds',
          patient: taken.holder,
        },
      );
    }
  }
}
