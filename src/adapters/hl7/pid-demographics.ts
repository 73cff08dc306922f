import type { FieldValue, Segment } from '../../lib/hl7v2/index.js';

// PID (HL7 v2.5.1 3.4.2) → the patients service's input. An empty field leaves the stored value alone; the
// HL7 null "" clears it (2.5.3). Other doors' rules (lengths, characters) are checked by the service.

/** A patient identifier as HL7 CX carries it: value, assigning authority (CX.4), type (CX.5, table 0203). */
export interface CxIdentifier {
  value: string;
  issuer: string;
  type: string;
}

const NULL = '""';

export function cxIdentifier(cx: FieldValue): CxIdentifier {
  return {
    value: cx.component(1).trim(),
    issuer: cx.component(4).trim(),
    type: cx.component(5).trim().toUpperCase(),
  };
}

/** PID-3's identifiers; the first is the Patient ID Lantern keys the patient on. */
export function patientIdentifiers(pid: Segment): CxIdentifier[] {
  return pid
    .repetitions(3)
    .map(cxIdentifier)
    .filter((id) => id.value !== '');
}

/** XPN (family^given^middle^suffix^prefix) → DICOM PN (family^given^middle^prefix^suffix). */
function personName(xpn: FieldValue): string | null | undefined {
  if (xpn.isEmpty) return undefined;
  if (xpn.raw === NULL) return null;
  const [family, given, middle, suffix, prefix] = [1, 2, 3, 4, 5].map((c) => xpn.component(c, 1).trim());
  const components = [family, given, middle, prefix, suffix];
  while (components.length > 0 && components[components.length - 1] === '') components.pop();
  return components.length === 0 ? undefined : components.join('^');
}

const SEXES: Record<string, string> = { M: 'M', F: 'F', O: 'O', A: 'O', N: 'O' };

const text = (value: string): string | null | undefined =>
  value === '' ? undefined : value === NULL ? null : value;

/** XAD: street, other, city, state, postal code, country, on one line. */
function address(xad: FieldValue): string | null | undefined {
  if (xad.isEmpty) return undefined;
  if (xad.raw === NULL) return null;
  const parts = [1, 2, 3, 4, 5, 6].map((c) => xad.component(c).trim()).filter((p) => p !== '');
  return parts.length === 0 ? undefined : parts.join(', ').slice(0, 64);
}

/** XTN: the formatted number (XTN.1), else area code and local number (XTN.6, XTN.7). */
function phone(xtn: FieldValue): string | null | undefined {
  if (xtn.isEmpty) return undefined;
  if (xtn.raw === NULL) return null;
  const number = xtn.component(1) || [xtn.component(6), xtn.component(7)].filter(Boolean).join(' ');
  const cleaned = number.replace(/[^0-9+()\-. x#*]/gi, '').trim();
  return cleaned === '' ? undefined : cleaned.slice(0, 64);
}

/**
 * The patients service's body (as JSON would give it) from a PID segment. `patientId` and
 * `issuerOfPatientId` come from PID-3's first repetition; the other repetitions become other identifiers.
 */
export function demographicsFromPid(pid: Segment): Record<string, unknown> {
  const [first, ...others] = patientIdentifiers(pid);
  const body: Record<string, unknown> = {};
  if (first) {
    body.patientId = first.value;
    body.issuerOfPatientId = first.issuer;
  }
  if (others.length > 0) {
    body.otherIds = others.map((id) => ({ value: id.value, issuer: id.issuer, type: id.type || 'MR' }));
  }
  const name = personName(pid.field(5));
  if (name !== undefined) body.name = name;
  const birth = text(pid.value(7).slice(0, 8));
  if (birth !== undefined) body.birthDate = birth;
  const sex = pid.value(8).toUpperCase();
  if (sex === NULL) body.sex = null;
  else if (SEXES[sex]) body.sex = SEXES[sex];
  const street = address(pid.field(11));
  if (street !== undefined) body.address = street;
  const home = phone(pid.field(13));
  if (home !== undefined) body.phone = home;
  return body;
}
