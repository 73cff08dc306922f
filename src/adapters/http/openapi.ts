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
        schema: propertyOf(schema.params, m[1]!) ?? { type: 'string' },
      })),
      ...Object.entries(propertiesOf(schema.querystring)).map(([name, property]) => ({
        name,
        in: 'query',
        required: requiredOf(schema.querystring).includes(name),
        schema: property,
      })),
    ];
    const operation: Record<string, unknown> = {
      operationId: `${route.method} ${route.url}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(schema.body ? { requestBody: { content: { 'application/json': { schema: schema.body } } } } : {}),
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
  const declared = Object.entries((response as Schema | undefined) ?? {}).map(([status, schema]) => [
    status,
    { description: `status ${status}`, content: { 'application/json': { schema } } },
  ]);
  return declared.length > 0
    ? { ...Object.fromEntries(declared), default: problem }
    : { '200': { description: 'success' }, default: problem };
}
