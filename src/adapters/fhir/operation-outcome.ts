import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { LanternError, toLanternError, type ErrorCode } from '../../platform/errors.js';

// The FHIR door's one status table: every refusal leaves as an OperationOutcome with one of these statuses
// (R4 http.html#2.21.0.3: 400 unparsable or invalid FHIR, 404 unknown, 409 version/state conflict,
// 412 If-Match mismatch, 422 valid FHIR that Lantern's rules refuse).

/** A refusal the door itself makes (validation, If-Match, unsupported interactions), with every issue. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: OperationOutcomeIssue[],
  ) {
    super(issues.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; '));
    this.name = 'FhirError';
  }
}

export const issue = (
  code: OperationOutcomeIssue['code'],
  text: string,
  expression?: string,
  severity: OperationOutcomeIssue['severity'] = 'error',
): OperationOutcomeIssue => ({
  severity,
  code,
  diagnostics: text,
  ...(expression ? { expression: [expression] } : {}),
});

export const fhirError = (
  status: number,
  code: OperationOutcomeIssue['code'],
  text: string,
  expression?: string,
) => new FhirError(status, [issue(code, text, expression)]);

/** How a domain error reads to a FHIR client. `invalid` from a write is a business rule (422). */
const BY_CODE: Record<ErrorCode, { status: number; code: OperationOutcomeIssue['code'] }> = {
  invalid: { status: 400, code: 'invalid' },
  unauthenticated: { status: 401, code: 'login' },
  forbidden: { status: 403, code: 'forbidden' },
  'not-found': { status: 404, code: 'not-found' },
  conflict: { status: 409, code: 'conflict' },
  duplicate: { status: 409, code: 'duplicate' },
  unsupported: { status: 422, code: 'not-supported' },
  'storage-full': { status: 507, code: 'transient' },
  unavailable: { status: 503, code: 'transient' },
  internal: { status: 500, code: 'exception' },
};

export interface OutcomeOptions {
  /** A create or update: the resource was valid FHIR, so a domain `invalid` is a business rule (422). */
  write?: boolean;
  /** Names the FHIR element a domain error's `field` detail stands for, when the door knows it. */
  expressionOf?: (field: string) => string | undefined;
}

/** The status and OperationOutcome of anything thrown while answering a FHIR request. */
export function toOperationOutcome(
  error: unknown,
  options: OutcomeOptions = {},
): { status: number; outcome: OperationOutcome } {
  if (error instanceof FhirError) {
    return { status: error.status, outcome: { resourceType: 'OperationOutcome', issue: error.issues } };
  }
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (!(error instanceof LanternError) && typeof statusCode === 'number' && statusCode < 500) {
    // Fastify's own refusals: unparsable JSON, a body too large, an unsupported media type.
    const reason = error instanceof Error ? error.message : 'bad request';
    // A body over the limit is refused before it is read: say which setting raises it.
    const text = statusCode === 413 ? `${reason} (limit: the setting http.maxJsonBodyBytes)` : reason;
    const code = statusCode === 415 ? 'not-supported' : statusCode === 413 ? 'too-costly' : 'structure';
    return { status: statusCode, outcome: { resourceType: 'OperationOutcome', issue: [issue(code, text)] } };
  }
  const lantern = toLanternError(error);
  const mapped = BY_CODE[lantern.code];
  // A conflict with `stale`: the If-Match version was overtaken inside the change's transaction.
  const stale = lantern.code === 'conflict' && lantern.details?.stale === true;
  const status = stale ? 412 : lantern.code === 'invalid' && options.write ? 422 : mapped.status;
  if (status >= 500) {
    return {
      status,
      outcome: {
        resourceType: 'OperationOutcome',
        issue: [issue(mapped.code, 'The server could not complete the request; see its log.')],
      },
    };
  }
  const field = typeof lantern.details?.field === 'string' ? lantern.details.field : undefined;
  const expression = field === undefined ? undefined : options.expressionOf?.(field);
  return {
    status,
    outcome: {
      resourceType: 'OperationOutcome',
      issue: [
        issue(
          lantern.code === 'invalid' && options.write ? 'business-rule' : mapped.code,
          lantern.message,
          expression,
        ),
      ],
    },
  };
}
