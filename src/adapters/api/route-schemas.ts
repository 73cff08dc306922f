// Schemas the REST route files share: the success answers that are not a plain 200, and the body of a POST
// that takes none. Fastify enforces them and openapi.ts describes them (adapters/http/openapi.ts).

/**
 * 201 with the created resource as JSON. Its properties are the route's own and pass through unchanged
 * (`additionalProperties: true`: the serializer drops nothing and coerces nothing).
 */
export const CREATED = {
  201: { description: 'created', type: 'object', additionalProperties: true },
} as const;

/** 204: done, without a body. */
export const NO_CONTENT = { 204: { description: 'done; no body', type: 'null' } } as const;

/** The body of a POST that acts on its URL alone: none at all (fastify validates it as null) or `{}`. */
export const NO_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  maxProperties: 0,
  description: 'no body (or an empty object)',
} as const;
