import type { RequestContext } from '../platform/context.js';
import { nowIso } from '../platform/db/index.js';
import { conflict } from '../platform/errors.js';
import { publishEvent } from '../platform/events/index.js';
import { recordAudit, recordAuditFailure } from '../platform/security/index.js';
import { parsePatientInput, parsePatientPatch, type PatientDraft } from './patient-input.js';
import type { PatientKey } from './patient-identity.js';
import {
  findOtherIdHolder,
  findPatientByIdentity,
  insertPatientDraft,
  replaceOtherIds,
  updatePatientRow,
} from './patient-repo.js';
import type { Patient } from './patient.js';
import type { PatientsDeps } from './patients-deps.js';
import { patientNameFromDicom } from './patient-name.js';

/** What `registerOrUpdate` did: the patient as it now is, and whether it was new, changed or as sent. */
export interface RegisterOrUpdateOutcome {
  patient: Patient;
  change: 'registered' | 'updated' | 'unchanged';
  /** The fields that differed (updated); empty otherwise. */
  changed: string[];
}

/**
 * A feed's "this is the patient now" (HL7 ADT A01/A04/A08/A28/A31 …), in one transaction: the patient of
 * `patientId` under `issuerOfPatientId` is registered when new (the input is then a whole registration),
 * else updated with the fields the input names (a patch: undefined leaves a field, null clears it). One
 * audit record says which — `patient.create`, or `patient.update` with the changed fields (none for a resend,
 * which writes nothing else: the same message twice has its effect once) — and no search is run or
 * audited on the way. A merged patient is not changed (conflict): the feed must name the survivor.
 */
export async function registerOrUpdatePatient(
  deps: PatientsDeps,
  ctx: RequestContext,
  input: unknown,
): Promise<RegisterOrUpdateOutcome> {
  let audit: { action: string; detail?: Record<string, unknown> } = { action: 'patient.create' };
  try {
    const { patientId, issuerOfPatientId = '' } = parsePatientPatch(identityOf(input));
    if (patientId === undefined) parsePatientInput(input); // refuses it: patientId is required
    return await deps.database.kysely.transaction().execute(async (trx) => {
      const before = await findPatientByIdentity(trx, patientId!, issuerOfPatientId);
      if (before === undefined) {
        const draft = parsePatientInput(input);
        await checkOtherIdsFree(trx, draft.otherIds);
        const patient = await insertPatientDraft(trx, draft);
        await publishEvent(trx, {
          type: 'patient.created',
          subject: String(patient.id),
          payload: { id: patient.id },
        });
        await recordAudit(trx, ctx, { ...audit, patientId: patient.patientId, detail: { id: patient.id } });
        return { patient, change: 'registered', changed: [] };
      }
      audit = { action: 'patient.update', detail: { id: before.id, mode: 'patch' } };
      if (before.mergedInto !== undefined) {
        throw conflict(`patient ${before.id} is merged into patient ${before.mergedInto}; change that one`, {
          mergedInto: before.mergedInto,
        });
      }
      const { patientId: _id, issuerOfPatientId: _issuer, ...patch } = parsePatientPatch(input);
      const changed = changedFields(before, patch);
      const record = (detail: Record<string, unknown>) =>
        recordAudit(trx, ctx, {
          ...audit,
          patientId: before.patientId,
          detail: { ...audit.detail, ...detail },
        });
      if (changed.length === 0) {
        await record({ changed });
        return { patient: before, change: 'unchanged', changed };
      }
      if (patch.otherIds) await checkOtherIdsFree(trx, patch.otherIds, before.id);
      const now = nowIso();
      await updatePatientRow(trx, before.id, patch, now);
      if (patch.otherIds) await replaceOtherIds(trx, before.id, patch.otherIds);
      await publishEvent(trx, {
        type: 'patient.updated',
        subject: String(before.id),
        payload: { id: before.id, changed },
      });
      await record({ changed });
      return { patient: { ...applied(before, patch), updatedAt: now }, change: 'updated', changed };
    });
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

/** Only the identity of an input, so that it is checked (and looked up) before the rest. */
function identityOf(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const { patientId, issuerOfPatientId } = input as Record<string, unknown>;
  return {
    ...(patientId === undefined ? {} : { patientId }),
    ...(issuerOfPatientId === undefined ? {} : { issuerOfPatientId }),
  };
}

async function checkOtherIdsFree(
  executor: Parameters<typeof findOtherIdHolder>[0],
  otherIds: PatientDraft['otherIds'],
  self?: PatientKey,
): Promise<void> {
  if (otherIds.length === 0) return;
  const taken = await findOtherIdHolder(executor, otherIds, self);
  if (taken) {
    throw conflict(
      `otherIds: ${taken.identifier.value} is already an identifier of patient ${taken.holder}`,
      { field: 'otherIds', patient: taken.holder },
    );
  }
}

type Patch = Omit<Partial<PatientDraft>, 'patientId' | 'issuerOfPatientId'>;

/** The stored value of each patchable field, as the draft spells it (null: not recorded). */
function storedValues(patient: Patient): Required<Patch> {
  return {
    patientName: patient.name?.dicom ?? null,
    birthDate: patient.birthDate ?? null,
    sex: patient.sex ?? null,
    address: patient.address ?? null,
    phone: patient.phone ?? null,
    otherIds: patient.otherIds,
  };
}

/** The names of the fields (as `Patient` names them) whose new value differs from the stored one. */
function changedFields(before: Patient, patch: Patch): string[] {
  const stored = storedValues(before);
  return (Object.keys(patch) as (keyof Patch)[])
    .filter((field) => patch[field] !== undefined)
    .filter((field) => JSON.stringify(patch[field]) !== JSON.stringify(stored[field]))
    .map((field) => (field === 'patientName' ? 'name' : field));
}

/** The patient after the patch, without reading it back (the row holds exactly these values). */
function applied(before: Patient, patch: Patch): Patient {
  const after = { ...storedValues(before), ...patch };
  const { name: _name, birthDate: _b, sex: _s, address: _a, phone: _p, ...rest } = before;
  return {
    ...rest,
    ...(after.patientName ? { name: patientNameFromDicom(after.patientName) } : {}),
    ...(after.birthDate ? { birthDate: after.birthDate } : {}),
    ...(after.sex ? { sex: after.sex } : {}),
    ...(after.address ? { address: after.address } : {}),
    ...(after.phone ? { phone: after.phone } : {}),
    otherIds: after.otherIds.map(({ value, issuer, type }) => ({ value, issuer, type })),
  };
}
