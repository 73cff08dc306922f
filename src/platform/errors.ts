// Domain errors with protocol-neutral codes. Each door maps a code to its own wire status in one file
// (DIMSE status, problem+json, HL7 ACK, OperationOutcome); nothing else chooses statuses.

export type ErrorCode =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'duplicate'
  | 'unsupported'
  | 'storage-full'
  | 'unavailable'
  | 'internal';

export class LanternError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LanternError';
  }
}

export const invalid = (message: string, details?: Record<string, unknown>, cause?: unknown) =>
  new LanternError('invalid', message, details, cause === undefined ? undefined : { cause });
export const notFound = (what: string, id: string) =>
  new LanternError('not-found', `${what} ${id} not found`);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new LanternError('conflict', message, details);
export const unsupported = (message: string, details?: Record<string, unknown>) =>
  new LanternError('unsupported', message, details);

/** Any throwable as a LanternError: unknown failures become `internal` with the cause kept. */
export function toLanternError(error: unknown): LanternError {
  if (error instanceof LanternError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LanternError('storage-full', 'storage is full', undefined, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LanternError('internal', message, undefined, { cause: error });
}
