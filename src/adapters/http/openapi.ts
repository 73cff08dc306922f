import type { FastifyInstance, RouteOptions } from 'fastify';

type Schema = Record<string, unknown>;

interface DescribedRoute {
  method: string;
  url: string;
  schema: RouteOptions['schema'];
}

const DESCRIBED_PREFIXES = ['/api/', '/health'];

/**
 * The REST API described as OpenAPI 3.0, built from the routes and JSON schemas the doors register (so the
 * description cannot drift from what is enforced), served at GET /api/openapi.json. Must be installed before
 * any route is registered.
 */
export function installOpenApi(app: FastifyInstance, info: { title: string; version: string }): void {
  const routes: DescribedRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (!DESCRIBED_PREFIXES.some((prefix) => route.url.startsWith(prefix))) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema });
    }
  });
  app.get('/api/openapi.json', async () => openApiDocument(routes, info));
}

export function openApiDocument(routes: DescribedRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const schema = (route.schema ?? {}) as Schema;
    const parameters = [
      ...[...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: toOpenApiSchema(propertyOf(schema.params, m[1]!) ?? { type: 'string' }),
      })),
      ...Object.entries(propertiesOf(schema.querystring)).map(([name, property]) => ({
        name,
        in: 'query',
        required: requiredOf(schema.querystring).includes(name),
        schema: toOpenApiSchema(property),
      })),
    ];
    const operation: Record<string, unknown> = {
      operationId: `${route.method} ${route.url}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(schema.body
        ? { requestBody: { content: { 'application/json': { schema: toOpenApiSchema(schema.body) } } } }
        : {}),
      responses: responsesOf(schema.response),
    };
    (paths[path] ??= {})[route.method] = operation;
  }
  return { openapi: '3.0.3', info, paths };
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  return ((schema as Schema | undefined)?.properties as Record<string, unknown> | undefined) ?? {};
}

function propertyOf(schema: unknown, name: string): unknown {
  return propertiesOf(schema)[name];
}

function requiredOf(schema: unknown): string[] {
  return ((schema as Schema | undefined)?.required as string[] | undefined) ?? [];
}

function responsesOf(response: unknown): Record<string, unknown> {
  const problem = {
    description: 'refused: an application/problem+json body says why',
    content: { 'application/problem+json': { schema: { type: 'object' } } },
  };
  const declared = Object.entries((response as Schema | undefined) ?? {}).map(([status, schema]) => {
    const description = ((schema as Schema).description as string | undefined) ?? `status ${status}`;
    // A body-less answer (204, or a schema of type null) has no content to describe.
    if (status === '204' || (schema as Schema).type === 'null') return [status, { description }];
    return [status, { description, content: { 'application/json': { schema: toOpenApiSchema(schema) } } }];
  });
  const success = declared.some(([status]) => String(status).startsWith('2'));
  return {
    ...(success ? {} : { '200': { description: 'success' } }),
    ...Object.fromEntries(declared),
    default: problem,
  };
}

// Keywords that belong to one JSON type, moved into that type's branch when a type list is split.
const KEYWORDS_OF_TYPE: Record<string, readonly string[]> = {
  object: ['properties', 'additionalProperties', 'required', 'minProperties', 'maxProperties'],
  array: ['items', 'minItems', 'maxItems'],
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  integer: ['minimum', 'maximum'],
  number: ['minimum', 'maximum'],
};

/**
 * A route's JSON Schema (what fastify's Ajv enforces) as an OpenAPI 3.0 Schema Object, which has no type
 * lists and no null type: `type: [T, 'null']` becomes `type: T, nullable: true`, several types an `anyOf`,
 * and an `anyOf`/`oneOf` branch `{ type: 'null' }` becomes `nullable: true`.
 */
export function toOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, p]) => [name, toOpenApiSchema(p)]));
    } else {
      out[key] = key === 'enum' || key === 'required' ? value : toOpenApiSchema(value);
    }
  }
  for (const combinator of ['anyOf', 'oneOf']) {
    const branches = out[combinator];
    if (!Array.isArray(branches)) continue;
    const others = branches.filter((b) => (b as Schema | null)?.type !== 'null');
    if (others.length < branches.length) Object.assign(out, { [combinator]: others, nullable: true });
  }
  if (!Array.isArray(out.type)) return out;
  const types = (out.type as string[]).filter((t) => t !== 'null');
  const nullable = types.length < (out.type as string[]).length ? { nullable: true } : {};
  if (types.length === 1) return { ...out, type: types[0], ...nullable };
  const shared = { ...out };
  delete shared.type;
  const branches = types.map((type) => {
    const branch: Schema = { type };
    for (const keyword of KEYWORDS_OF_TYPE[type] ?? []) {
      if (keyword in shared) branch[keyword] = shared[keyword];
    }
    return branch;
  });
  for (const keyword of Object.values(KEYWORDS_OF_TYPE).flat()) delete shared[keyword];
  return { ...shared, anyOf: branches, ...nullable };
}
