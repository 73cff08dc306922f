// Code systems both ways: DICOM Coding Scheme Designators (PS3.16 8) ↔ FHIR system URIs (R4 terminologies-systems).

const SYSTEM_OF_SCHEME: Record<string, string> = {
  LN: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  RADLEX: 'http://www.radlex.org',
  C4: 'http://www.ama-assn.org/go/cpt',
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
  ICD10: 'http://hl7.org/fhir/sid/icd-10',
};
const SCHEME_OF_SYSTEM = new Map(Object.entries(SYSTEM_OF_SCHEME).map(([k, v]) => [v, k]));
/** Schemes without a published URI (local 99… designators) travel under this prefix. */
const LOCAL_PREFIX = 'urn:lantern:coding-scheme:';

export const systemOfScheme = (scheme: string) =>
  SYSTEM_OF_SCHEME[scheme] ?? `${LOCAL_PREFIX}${encodeURIComponent(scheme)}`;

export const schemeOfSystem = (system: string): string | undefined =>
  SCHEME_OF_SYSTEM.get(system) ??
  (system.startsWith(LOCAL_PREFIX) ? decodeURIComponent(system.slice(LOCAL_PREFIX.length)) : undefined);

export const DICOM_UID_SYSTEM = 'urn:dicom:uid';
export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
export const DCM_SYSTEM = SYSTEM_OF_SCHEME.DCM!;
/** Lantern's own namespace for identifiers it issues (accession numbers) and its extensions. */
export const ACCESSION_SYSTEM = 'urn:lantern:accession-number';
export const ORDER_STATUS_EXTENSION = 'urn:lantern:fhir:extension:order-status';
