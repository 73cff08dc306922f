import { Status } from '../../lib/dimse/index.js';
import { toLanternError, type ErrorCode } from '../../platform/errors.js';

// The one place DIMSE statuses are chosen for domain errors (PS3.4 B.2.3 store, C.4.1.1.4 find).
const STORE_STATUS: Record<ErrorCode, number> = {
  invalid: Status.ErrorCannotUnderstand,
  duplicate: Status.DuplicateSopInstance,
  conflict: Status.DataSetDoesNotMatchSopClass,
  unsupported: 0x0122, // Refused: SOP Class not supported
  forbidden: 0x0124, // Refused: not authorized
  unauthenticated: 0x0124,
  'storage-full': Status.RefusedOutOfResources,
  unavailable: Status.RefusedOutOfResources,
  'not-found': Status.ProcessingFailure,
  internal: Status.ProcessingFailure,
};

const QUERY_STATUS: Partial<Record<ErrorCode, number>> = {
  invalid: Status.IdentifierDoesNotMatchSopClass,
  'storage-full': Status.RefusedOutOfResources,
  unavailable: Status.RefusedOutOfResources,
};

/** DICOM limits Error Comment (0000,0902) to 64 characters (LO). */
const comment = (message: string) => message.slice(0, 64);

export function storeFailure(error: unknown): { status: number; errorComment: string } {
  const { code, message } = toLanternError(error);
  return { status: STORE_STATUS[code], errorComment: comment(message) };
}

export function queryFailure(error: unknown): { status: number; errorComment: string } {
  const { code, message } = toLanternError(error);
  return { status: QUERY_STATUS[code] ?? Status.UnableToProcess, errorComment: comment(message) };
}
