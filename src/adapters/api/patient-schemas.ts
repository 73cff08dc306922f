// JSON schemas of the patient REST bodies and query (fastify checks their shape; the patients service,
// which every door calls, checks the rest: lengths, characters, dates, codes, and words every refusal as
// `field: problem`, as fieldErrors words these). Fields as in patients/patient-input.ts and patient-search.ts.

const text = (description: string) => ({ type: 'string', description }) as const;
const nullableText = (description: string) => ({ type: ['string', 'null'], description }) as const;

const PATIENT_FIELDS = {
  patientId: text('Patient ID (0010,0020): the MRN, 1-64 characters, no backslash'),
  issuerOfPatientId: nullableText(
    'Issuer of Patient ID (0010,0021), the assigning authority; empty or null: none',
  ),
  name: {
    type: ['string', 'object', 'null'],
    description: "a DICOM Person Name ('Family^Given^Middle^Prefix^Suffix', '=' groups) or its components",
    additionalProperties: false,
    properties: {
      family: { type: 'string' },
      given: { type: 'string' },
      middle: { type: 'string' },
      prefix: { type: 'string' },
      suffix: { type: 'string' },
    },
  },
  birthDate: nullableText('YYYYMMDD or YYYY-MM-DD, not in the future'),
  sex: nullableText('M, F or O (any case)'),
  address: nullableText('at most 64 characters'),
  phone: nullableText('digits, spaces and + ( ) - . x # *'),
  otherIds: {
    type: ['array', 'null'],
    description: 'other identifiers: MRNs of other authorities, national IDs',
    items: {
      type: 'object',
      required: ['value'],
      additionalProperties: false,
      properties: {
        value: { type: 'string' },
        issuer: { type: 'string' },
        type: { type: 'string', description: 'HL7 v2 table 0203 (MR, NI, PPN, SS …); MR when left out' },
      },
    },
  },
} as const;

/** POST (register) and PUT (replace): a whole registration. */
export const PATIENT_BODY = {
  type: 'object',
  required: ['patientId', 'name'],
  additionalProperties: false,
  properties: PATIENT_FIELDS,
} as const;

/** PATCH: only the fields given change; null clears an optional one. */
export const PATIENT_PATCH = {
  type: 'object',
  additionalProperties: false,
  properties: PATIENT_FIELDS,
} as const;

// Each value is the string the client sent (the service parses numbers and flags itself).
export const PATIENT_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: text("case-insensitive: a prefix of the name or of a component, or a pattern with '*' and '?'"),
    identifier: text("a Patient ID or other identifier; 'issuer|value' pins the issuer"),
    birthDate: text("YYYYMMDD or a range 'a-b', '-b', 'a-'"),
    includeMerged: { type: 'string', enum: ['', 'true', 'false'] },
    updatedFrom: text('ISO 8601 date-time with offset: changed at or after'),
    updatedTo: text('ISO 8601 date-time with offset: changed before'),
    sort: text("comma-separated name, birthDate, updated; '-' for descending"),
    limit: { type: 'string', pattern: '^[0-9]*$', description: 'at most 1000 (default 50)' },
    offset: { type: 'string', pattern: '^[0-9]*$' },
  },
} as const;

const patientRef = { type: ['string', 'integer'], description: 'a patient id' } as const;

/** `{ into }`: the patient in the URL is merged into another; `{ from }`: another is merged into it. */
export const MERGE_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: { into: patientRef, from: patientRef },
} as const;
