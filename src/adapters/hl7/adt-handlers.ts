import type { Hl7Message } from '../../lib/hl7v2/index.js';
import type { Patient } from '../../patients/index.js';
import type { RequestContext } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import { findPatient, type Hl7Services } from './hl7-services.js';
import { Hl7Refusal } from './hl7-refusal.js';
import { cxIdentifier, demographicsFromPid, patientIdentifiers } from './pid-demographics.js';

// ADT (HL7 v2.5.1 chapter 3) → patients. Lantern keeps identity and demographics, not visits: every ADT
// event that carries a PID keeps the patient current, and A40 merges.

function requirePid(message: Hl7Message) {
  const pid = message.segment('PID');
  if (!pid) throw new Hl7Refusal('the message has no PID segment', 'segmentSequence', 'PID-1');
  const [first] = patientIdentifiers(pid);
  if (!first) throw new Hl7Refusal('PID-3 holds no patient identifier', 'requiredFieldMissing', 'PID-3');
  return { pid, id: first };
}

/**
 * A01/A04/A05/A28 (admit, register, pre-admit, add person), A08/A31 (update), A11/A13 (cancel admit or
 * discharge; their PID is still the current demographics): the patient of PID-3 is registered when new,
 * else updated with the fields the message carries.
 */
export async function upsertPatient(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const { pid, id } = requirePid(message);
  const body = demographicsFromPid(pid);
  const existing = await findPatient(ctx, services.patients, id);
  if (!existing) {
    const created = await services.patients.register(ctx, body);
    return `patient ${created.id} (${id.value}) registered`;
  }
  // Patient ID and issuer are the key the message found it by; the rest is a patch (empty fields stay).
  const { patientId: _id, issuerOfPatientId: _issuer, ...patch } = body;
  // Nothing new (a resend, or the same message run again after a crash between its effect and its
  // 'processed' mark): no update, so the message has its effect once.
  if (patchChangesNothing(existing, patch)) return `patient ${existing.id} (${id.value}) unchanged`;
  await services.patients.update(ctx, String(existing.id), patch, 'patch');
  return `patient ${existing.id} (${id.value}) updated`;
}

/** Whether every field of the patch already holds that value (names compared as DICOM PN). */
function patchChangesNothing(existing: Patient, patch: Record<string, unknown>): boolean {
  const current: Record<string, unknown> = {
    ...existing,
    name: existing.name?.dicom,
    otherIds: existing.otherIds.map(({ value, issuer, type }) => ({ value, issuer, type })),
  };
  return Object.entries(patch).every(
    ([key, value]) => JSON.stringify(value ?? null) === JSON.stringify(current[key] ?? null),
  );
}

/**
 * A40 merge patient – patient identifier list (3.3.40): PID is the surviving patient, MRG-1 the one merged
 * away. A merge already done is success (a resent A40 changes nothing).
 */
export async function mergePatients(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const { id } = requirePid(message);
  const mrg = message.segment('MRG');
  const prior = mrg
    ?.repetitions(1)
    .map(cxIdentifier)
    .find((cx) => cx.value !== '');
  if (!prior)
    throw new Hl7Refusal('MRG-1 holds no prior patient identifier', 'requiredFieldMissing', 'MRG-1');
  const survivor = await findPatient(ctx, services.patients, id);
  if (!survivor) throw notFound('surviving patient (PID-3)', id.value);
  const merged = await findPatient(ctx, services.patients, prior, true);
  if (!merged)
    throw new Hl7Refusal(`patient ${prior.value} (MRG-1) is not known`, 'unknownKeyIdentifier', 'MRG-1');
  if (merged.mergedInto === survivor.id) return `patient ${merged.id} was already merged into ${survivor.id}`;
  await services.patients.merge(ctx, String(merged.id), { into: survivor.id });
  return `patient ${merged.id} (${prior.value}) merged into ${survivor.id} (${id.value})`;
}
