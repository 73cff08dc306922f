import { invalid } from '../platform/errors.js';
import { normalizePersonName } from './patient-identity.js';
import { dicomFromComponents, NAME_COMPONENTS, type NameComponents } from './patient-name.js';
import type { OtherIdentifier } from './patient.js';

// What a door may send to register or change a patient, checked here once for every door. Each refusal
// names its field, so a client can point at it.

/** Demographics and identifiers as stored; undefined leaves a field alone (patch), null clears it. */
export interface PatientDraft {
  patientId: string;
  issuerOfPatientId: string;
  patientName: string | null;
  birthDate: string | null;
  sex: string | null;
  address: string | null;
  phone: string | null;
  otherIds: OtherIdentifier[];
}

const FIELDS = [
  'patientId',
  'issuerOfPatientId',
  'name',
  'birthDate',
  'sex',
  'address',
  'phone',
  'otherIds',
] as const;
const SEXES = ['M', 'F', 'O'];
// LO (PS3.5 6.2): 64 characters, no backslash (it separates values) and no control characters.
const LONG_STRING = /^[^\\\p{Cc}]{1,64}$/u;
const COMPONENT = /^[^\\^=\p{Cc}]{0,64}$/u;

const refuse = (field: string, problem: string) => invalid(`${field}: ${problem}`, { field });

/** A full registration (POST) or replacement (PUT): patientId and name are required. */
export function parsePatientInput(body: unknown): PatientDraft {
  const input = fieldsOf(body);
  if (input.patientId === undefined) throw refuse('patientId', 'required');
  if (input.name === undefined || input.name === null) throw refuse('name', 'required');
  const patch = parsePatientPatch(body);
  return {
    patientId: patch.patientId!,
    issuerOfPatientId: patch.issuerOfPatientId ?? '',
    patientName: patch.patientName ?? null,
    birthDate: patch.birthDate ?? null,
    sex: patch.sex ?? null,
    address: patch.address ?? null,
    phone: patch.phone ?? null,
    otherIds: patch.otherIds ?? [],
  };
}

/** A partial change (PATCH): only the fields given; null clears an optional one. */
export function parsePatientPatch(body: unknown): Partial<PatientDraft> {
  const input = fieldsOf(body);
  const draft: Partial<PatientDraft> = {};
  if (input.patientId !== undefined) draft.patientId = longString('patientId', input.patientId);
  if (input.issuerOfPatientId !== undefined)
    draft.issuerOfPatientId =
      input.issuerOfPatientId === null || input.issuerOfPatientId === ''
        ? ''
        : longString('issuerOfPatientId', input.issuerOfPatientId);
  if (input.name !== undefined) draft.patientName = input.name === null ? null : personName(input.name);
  if (input.birthDate !== undefined)
    draft.birthDate = input.birthDate === null ? null : birthDate(input.birthDate);
  if (input.sex !== undefined) draft.sex = input.sex === null ? null : sex(input.sex);
  if (input.address !== undefined)
    draft.address = input.address === null ? null : longString('address', input.address);
  if (input.phone !== undefined) draft.phone = input.phone === null ? null : phone(input.phone);
  if (input.otherIds !== undefined) draft.otherIds = input.otherIds === null ? [] : otherIds(input.otherIds);
  return draft;
}

function fieldsOf(body: unknown): Partial<Record<(typeof FIELDS)[number], unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('the body must be a JSON object', { field: '' });
  }
  for (const key of Object.keys(body)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw refuse(key, 'unknown field');
  }
  if ('patientId' in body && (body as { patientId: unknown }).patientId === null) {
    throw refuse('patientId', 'required');
  }
  return body as Partial<Record<(typeof FIELDS)[number], unknown>>;
}

function longString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw refuse(field, 'must be a string');
  const trimmed = value.trim();
  if (!LONG_STRING.test(trimmed)) {
    throw refuse(field, 'must be 1 to 64 characters, without backslashes or control characters');
  }
  return trimmed;
}

/** A DICOM Person Name string, or its components: { family, given, middle, prefix, suffix }. */
function personName(value: unknown): string {
  let dicom: string | undefined;
  if (typeof value === 'string') {
    if (/[\\\p{Cc}]/u.test(value)) throw refuse('name', 'must not contain backslashes or control characters');
    const groups = value.split('=');
    if (groups.length > 3) throw refuse('name', 'has more than three component groups');
    if (groups.some((g) => g.length > 64 || g.split('^').length > 5)) {
      throw refuse('name', 'each component group has at most 5 components and 64 characters');
    }
    dicom = normalizePersonName(value);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const components: NameComponents = {};
    for (const [key, part] of Object.entries(value)) {
      const component = NAME_COMPONENTS.find((c) => c === key);
      if (!component) throw refuse(`name.${key}`, 'unknown name component');
      if (typeof part !== 'string' || !COMPONENT.test(part)) {
        throw refuse(`name.${key}`, "must be a string of at most 64 characters without '^', '=' or '\\'");
      }
      components[component] = part;
    }
    dicom = dicomFromComponents(components);
    if (dicom !== undefined && dicom.length > 64) throw refuse('name', 'is longer than 64 characters');
  } else {
    throw refuse('name', 'must be a DICOM person name string or { family, given, … }');
  }
  if (dicom === undefined) throw refuse('name', 'is empty');
  return dicom;
}

function birthDate(value: unknown): string {
  if (typeof value !== 'string') throw refuse('birthDate', 'must be a date YYYYMMDD');
  const compact = value.trim().replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1$2$3');
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  const [year, month, day] = match ? match.slice(1).map(Number) : [];
  const date = match ? new Date(Date.UTC(year!, month! - 1, day!)) : undefined;
  if (!date || date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day! || year! < 1800) {
    throw refuse('birthDate', `not a valid date YYYYMMDD ('${value}')`);
  }
  if (date.getTime() > Date.now()) throw refuse('birthDate', 'is in the future');
  return compact;
}

function sex(value: unknown): string {
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
  if (upper === undefined || !SEXES.includes(upper)) throw refuse('sex', 'must be M, F or O');
  return upper;
}

function phone(value: unknown): string {
  const text = longString('phone', value);
  if (!/^[0-9+()\-. x#*]+$/i.test(text)) throw refuse('phone', 'may hold digits, spaces and + ( ) - . x # *');
  return text;
}

function otherIds(value: unknown): OtherIdentifier[] {
  if (!Array.isArray(value)) throw refuse('otherIds', 'must be a list of { value, issuer, type }');
  const seen = new Set<string>();
  return value.map((item: unknown, i) => {
    const field = `otherIds[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw refuse(field, 'must be an object { value, issuer, type }');
    }
    for (const key of Object.keys(item)) {
      if (!['value', 'issuer', 'type'].includes(key)) throw refuse(`${field}.${key}`, 'unknown field');
    }
    const { value: id, issuer, type } = item as Record<string, unknown>;
    if (id === undefined) throw refuse(`${field}.value`, 'required');
    const identifier = {
      value: longString(`${field}.value`, id),
      issuer: issuer === undefined || issuer === '' ? '' : longString(`${field}.issuer`, issuer),
      type: type === undefined ? 'MR' : identifierType(`${field}.type`, type),
    };
    const key = JSON.stringify([identifier.issuer, identifier.type, identifier.value]);
    if (seen.has(key)) throw refuse(field, 'is listed twice');
    seen.add(key);
    return identifier;
  });
}

/** HL7 v2 table 0203 codes are short upper-case codes (MR, NI, PPN, SS …). */
function identifierType(field: string, value: unknown): string {
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!/^[A-Z0-9]{1,8}$/.test(upper))
    throw refuse(field, 'must be an identifier type code such as MR, NI or PPN');
  return upper;
}
