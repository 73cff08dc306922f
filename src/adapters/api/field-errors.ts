import type { FastifySchemaValidationError } from 'fastify';
import { invalid } from '../../platform/errors.js';

/**
 * Words a request that failed its JSON schema the way the services word their refusals, `field: problem`
 * (`otherIds[0].value: required`), so a client reads one style whichever check caught it. For routes whose
 * service promises field-named refusals (patients); fastify's schemaErrorFormatter route option.
 */
export function fieldErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const error = errors[0];
  if (!error) return invalid(`${dataVar}: invalid`);
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const within = (name: string) => (path ? `${path}.${name}` : name);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return invalid(`${within(String(params.missingProperty))}: required`, {
        field: within(String(params.missingProperty)),
      });
    case 'additionalProperties':
      return invalid(`${within(String(params.additionalProperty))}: unknown field`, {
        field: within(String(params.additionalProperty)),
      });
    case 'type':
      return invalid(`${path || dataVar}: must be ${String(params.type).replace(/,/g, ' or ')}`, {
        field: path,
      });
    default:
      return invalid(`${path || dataVar}: ${error.message ?? 'invalid'}`, { field: path });
  }
}
