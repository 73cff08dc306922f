// JSON schemas of the RIS REST bodies and parameters (fastify validates; the services check the rules).

const id = { type: 'integer', minimum: 1 } as const;
export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id },
} as const;

const text = { type: 'string' } as const;
const weekday = { type: 'integer', minimum: 1, maximum: 7 } as const;

/** A charge line: in the catalogue (a procedure's charges) and on an order (its charge lines). */
export const CHARGE_LINE = {
  type: 'object',
  required: ['code', 'codingScheme'],
  additionalProperties: false,
  properties: {
    code: text,
    codingScheme: text,
    modifiers: { type: 'array', items: text },
    quantity: { type: 'integer' },
  },
} as const;

export const PROCEDURE_BODY = {
  type: 'object',
  required: ['code', 'codingScheme', 'meaning', 'modality', 'durationMinutes'],
  additionalProperties: false,
  properties: {
    code: text,
    codingScheme: text,
    meaning: text,
    modality: text,
    bodyPart: { type: ['string', 'null'] },
    durationMinutes: { type: 'integer' },
    charges: {
      type: 'array',
      items: CHARGE_LINE,
    },
  },
} as const;

export const ORDER_BODY = {
  type: 'object',
  required: ['patientRef', 'procedureId'],
  additionalProperties: false,
  properties: {
    patientRef: id,
    procedureId: id,
    accessionNumber: text,
    placerOrderNumber: text,
    priority: { type: 'string', enum: ['STAT', 'URGENT', 'ROUTINE'] },
    reason: text,
    orderingProvider: {
      type: 'object',
      additionalProperties: false,
      properties: { id: text, name: text },
    },
  },
} as const;

export const ORDER_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'array', items: text },
    patientRef: id,
    accessionNumber: text,
    orderedFrom: text,
    orderedTo: text,
    scheduledFrom: text,
    scheduledTo: text,
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

export const TRANSITION_BODY = {
  type: 'object',
  required: ['to'],
  additionalProperties: false,
  properties: { to: text, reason: text },
} as const;

export const RESOURCE_BODY = {
  type: 'object',
  required: ['name', 'aeTitle', 'modality', 'openingHours'],
  additionalProperties: false,
  properties: {
    name: text,
    aeTitle: text,
    modality: text,
    stationName: text,
    timeZone: text,
    openingHours: {
      type: 'array',
      items: {
        type: 'object',
        required: ['weekday', 'opens', 'closes'],
        additionalProperties: false,
        properties: { weekday, opens: text, closes: text },
      },
    },
  },
} as const;

export const SLOT_QUERY = {
  type: 'object',
  required: ['date'],
  additionalProperties: false,
  properties: { date: text, durationMinutes: { type: 'integer' }, procedureId: id },
} as const;

export const BOOKING_BODY = {
  type: 'object',
  required: ['orderId', 'resourceId', 'start'],
  additionalProperties: false,
  properties: { orderId: id, resourceId: id, start: text },
} as const;

export const RESCHEDULE_BODY = {
  type: 'object',
  required: ['start'],
  additionalProperties: false,
  properties: { start: text, resourceId: id },
} as const;

export const CANCEL_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: text },
} as const;
