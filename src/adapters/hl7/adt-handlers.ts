import type { Hl7Message } from '../../lib/hl7v2/index.js';
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
 * else updated with the fields the message carries (empty fields stay), in one service call with one audit
 * record. A resend, or the same message run again, changes nothing: the message has its effect once.
 */
export async function upsertPatient(
  ctx: RequestContext,
  message: Hl7Message,
  services: Hl7Services,
): Promise<string> {
  const { pid, id } = requirePid(message);
  const { patient, change } = await services.patients.registerOrUpdate(ctx, demographicsFromPid(pid));
  return `patient ${patient.id} (${id.value}) ${change}`;
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
