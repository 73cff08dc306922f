import type { HumanName, Identifier, Patient as FhirPatient, Resource } from '@medplum/fhirtypes';
import type { Patient, Patients } from '../../patients/index.js';
import type { RequestContext } from '../../platform/context.js';
import { V2_0203 } from './coding-systems.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler, SearchQuery } from './resource-handler.js';
import { alternatives, dateRange, fhirDate, token, updatedAtOf, versionOf } from './search-values.js';

// Patient ↔ patients/. Lantern keeps: one Patient ID under its issuer (the identifier typed MR, or the
// first), other identifiers with their type and issuer, one name, birth date, gender, one address line and
// one phone number. The rest of a FHIR Patient is not stored (docs/fhir-conformance.md).

const GENDER_TO_SEX: Record<string, string | null> = { male: 'M', female: 'F', other: 'O', unknown: null };
const SEX_TO_GENDER: Record<string, FhirPatient['gender']> = { M: 'male', F: 'female', O: 'other' };

const identifierOf = (value: string, issuer: string, type: string): Identifier => ({
  ...(type === 'MR' ? { use: 'usual' as const } : {}),
  type: { coding: [{ system: V2_0203, code: type }] },
  ...(issuer ? { system: issuer } : {}),
  value,
});

export function toFhirPatient(patient: Patient): FhirPatient {
  const name = patient.name;
  const given = [name?.given, ...(name?.middle ? name.middle.split(' ') : [])].filter(
    (g): g is string => !!g,
  );
  const humanName: HumanName | undefined = name && {
    use: 'official',
    text: name.dicom.split('=')[0]!.replace(/\^+/g, ' ').trim(),
    ...(name.family ? { family: name.family } : {}),
    ...(given.length ? { given } : {}),
    ...(name.prefix ? { prefix: [name.prefix] } : {}),
    ...(name.suffix ? { suffix: [name.suffix] } : {}),
  };
  return {
    resourceType: 'Patient',
    id: String(patient.id),
    meta: { versionId: versionOf(patient.updatedAt), lastUpdated: patient.updatedAt },
    identifier: [
      identifierOf(patient.patientId, patient.issuerOfPatientId, 'MR'),
      ...patient.otherIds.map((o) => identifierOf(o.value, o.issuer, o.type)),
    ],
    active: patient.mergedInto === undefined,
    ...(humanName ? { name: [humanName] } : {}),
    ...(patient.phone ? { telecom: [{ system: 'phone' as const, value: patient.phone }] } : {}),
    ...(patient.sex && SEX_TO_GENDER[patient.sex] ? { gender: SEX_TO_GENDER[patient.sex] } : {}),
    ...(patient.birthDate ? { birthDate: fhirDate(patient.birthDate) } : {}),
    ...(patient.address ? { address: [{ text: patient.address }] } : {}),
    ...(patient.mergedInto !== undefined
      ? { link: [{ other: { reference: `Patient/${patient.mergedInto}` }, type: 'replaced-by' as const }] }
      : {}),
  };
}

const typeCode = (identifier: Identifier) =>
  identifier.type?.coding?.find((c) => c.system === V2_0203 || c.system === undefined)?.code;

/** The registration the patients service takes, from a FHIR Patient; what Lantern cannot keep is refused. */
export function fromFhirPatient(resource: FhirPatient): Record<string, unknown> {
  const identifiers = (resource.identifier ?? []).filter((i) => i.value !== undefined);
  const primaryIndex = Math.max(
    0,
    identifiers.findIndex((i) => typeCode(i) === 'MR'),
  );
  const primary = identifiers[primaryIndex];
  if (!primary) {
    throw fhirError(
      422,
      'business-rule',
      'Lantern needs an identifier (the Patient ID images carry)',
      'Patient.identifier',
    );
  }
  const official =
    resource.name?.find((n) => n.use === 'official') ??
    resource.name?.find((n) => n.use !== 'old') ??
    resource.name?.[0];
  if (!official) throw fhirError(422, 'business-rule', 'Lantern needs a name', 'Patient.name');
  const [given, ...middle] = official.given ?? [];
  const name = {
    ...(official.family ? { family: official.family } : {}),
    ...(given ? { given } : {}),
    ...(middle.length ? { middle: middle.join(' ') } : {}),
    ...(official.prefix?.length ? { prefix: official.prefix.join(' ') } : {}),
    ...(official.suffix?.length ? { suffix: official.suffix.join(' ') } : {}),
  };
  if (Object.keys(name).length === 0) {
    throw fhirError(422, 'business-rule', 'Lantern needs a family or given name', 'Patient.name');
  }
  const address = resource.address?.[0];
  const addressText =
    address?.text ??
    (address
      ? [...(address.line ?? []), address.city, address.postalCode, address.country]
          .filter(Boolean)
          .join(', ')
      : undefined);
  const phone = resource.telecom?.find((t) => t.system === 'phone')?.value;
  return {
    patientId: primary.value,
    issuerOfPatientId: primary.system ?? '',
    name,
    birthDate: resource.birthDate ?? null,
    sex: resource.gender === undefined ? null : (GENDER_TO_SEX[resource.gender] ?? null),
    address: addressText || null,
    phone: phone ?? null,
    otherIds: identifiers
      .filter((_, i) => i !== primaryIndex)
      .map((i) => ({ value: i.value, issuer: i.system ?? '', type: typeCode(i) ?? 'MR' })),
  };
}

const FIELD_PATHS: Record<string, string> = {
  patientId: 'Patient.identifier[0].value',
  issuerOfPatientId: 'Patient.identifier[0].system',
  name: 'Patient.name[0]',
  birthDate: 'Patient.birthDate',
  sex: 'Patient.gender',
  address: 'Patient.address[0]',
  phone: 'Patient.telecom',
  otherIds: 'Patient.identifier',
};

/** _sort keys → the patients search's sort keys. */
const PATIENT_SORT: Record<string, string> = {
  name: 'name',
  family: 'name',
  birthdate: 'birthDate',
  _lastUpdated: 'updated',
};

export function patientHandler(patients: Patients): ResourceHandler {
  const search = async (ctx: RequestContext, query: SearchQuery) => {
    const p = query.params;
    const ids = p.has('_id') ? alternatives(p.get('_id')!) : undefined;
    if (ids) {
      const found = await Promise.all(
        ids.map((id) => patients.read(ctx, id).then(toFhirPatient, () => undefined)),
      );
      const resources = found.filter((r): r is FhirPatient => r !== undefined);
      return {
        total: resources.length,
        resources: resources.slice(query.offset, query.offset + query.count),
      };
    }
    const identifier = p.get('identifier')?.[0];
    let identifierSearch: string | undefined;
    if (identifier) {
      const t = token(identifier);
      identifierSearch = t.system === undefined ? t.code : `${t.system}|${t.code}`;
    }
    const birth = p.has('birthdate') ? dateRange(p.get('birthdate')!, 'birthdate') : undefined;
    const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');
    const birthDate = birth
      ? `${birth.from ? day(birth.from) : ''}-${birth.to ? day(new Date(birth.to.getTime() - 1)) : ''}`
      : undefined;
    const updated = p.has('_lastUpdated') ? dateRange(p.get('_lastUpdated')!, '_lastUpdated') : undefined;
    const result = await patients.search(ctx, {
      ...(updated?.from ? { updatedFrom: updated.from.toISOString() } : {}),
      ...(updated?.to ? { updatedTo: updated.to.toISOString() } : {}),
      ...(identifierSearch ? { identifier: identifierSearch } : {}),
      ...(p.get('name')?.[0]
        ? { name: p.get('name')![0] }
        : p.get('family')?.[0]
          ? { name: p.get('family')![0] }
          : {}),
      ...(birthDate ? { birthDate } : {}),
      ...(p.get('active')?.[0] === 'false' ? { includeMerged: 'true' } : {}),
      ...(query.sort
        ? { sort: query.sort.map((s) => `${s.descending ? '-' : ''}${PATIENT_SORT[s.key]}`).join(',') }
        : {}),
      limit: String(query.count),
      offset: String(query.offset),
    });
    return { total: result.total, resources: result.patients.map(toFhirPatient) };
  };
  return {
    type: 'Patient',
    read: async (ctx, id) => toFhirPatient(await patients.read(ctx, id)),
    search: {
      params: {
        _id: { type: 'token', documentation: 'the patient key' },
        _lastUpdated: {
          type: 'date',
          documentation: 'when the registration last changed (meta.lastUpdated)',
        },
        identifier: {
          type: 'token',
          documentation: 'Patient ID or other identifier; system|value pins the issuer',
        },
        name: {
          type: 'string',
          documentation: 'prefix of the name or of any part, case-insensitive; * and ? wildcards',
        },
        family: { type: 'string', documentation: 'as name' },
        birthdate: { type: 'date', documentation: 'day precision; eq, ge, gt, le, lt' },
        active: { type: 'token', documentation: 'false includes patients merged into others' },
      },
      sorts: Object.keys(PATIENT_SORT).flatMap((k) => [k, `-${k}`]),
      run: search,
    },
    create: async (ctx, resource) =>
      toFhirPatient(await patients.register(ctx, fromFhirPatient(resource as FhirPatient))),
    update: async (ctx, id, resource, _env, ifMatch) =>
      toFhirPatient(
        await patients.update(
          ctx,
          id,
          fromFhirPatient(resource as FhirPatient),
          'replace',
          ifMatch === undefined ? {} : { expectedUpdatedAt: updatedAtOf(ifMatch) },
        ),
      ),
    references: {
      link: (r: Resource) => ((r as FhirPatient).link ?? []).map((l) => l.other.reference),
    },
    expressionOf: (field) => FIELD_PATHS[field.split(/[.[]/)[0]!],
  };
}
