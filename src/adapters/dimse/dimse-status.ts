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
  forbidden: Status.NotAuthorized, // 0124H Refused: Not authorized (PS3.7 Annex C)
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

// PS3.4 F.7.2 with the general statuses of PS3.7 C.4: the RIS names why an MPPS was refused.
const MPPS_REFUSAL: Record<string, number> = {
  'missing-attribute': Status.MissingAttribute,
  'missing-value': Status.MissingAttributeValue,
  'invalid-value': Status.InvalidAttributeValue,
};
/** Error ID (0000,0903) of "Performed Procedure Step Object may no longer be updated" (PS3.4 F.7.2.2). */
const MAY_NO_LONGER_BE_UPDATED = 0xa710;

export function mppsFailure(error: unknown): {
  status: number;
  errorComment: string;
  errorId?: number;
  offendingElement?: number[];
} {
  const { code, message, details } = toLanternError(error);
  const errorComment = comment(message);
  const attribute =
    typeof details?.attribute === 'string' ? [Number.parseInt(details.attribute, 16)] : undefined;
  switch (code) {
    case 'invalid':
      return {
        status: MPPS_REFUSAL[String(details?.mpps)] ?? Status.InvalidAttributeValue,
        errorComment,
        ...(attribute ? { offendingElement: attribute } : {}),
      };
    case 'duplicate':
      return { status: Status.DuplicateSopInstance, errorComment };
    case 'not-found':
      return { status: Status.NoSuchSopInstance, errorComment };
    case 'forbidden':
    case 'unauthenticated':
      return { status: Status.NotAuthorized, errorComment };
    case 'conflict':
      return details?.mpps === 'final'
        ? { status: Status.ProcessingFailure, errorComment, errorId: MAY_NO_LONGER_BE_UPDATED }
        : { status: Status.ProcessingFailure, errorComment };
    default:
      return { status: Status.ProcessingFailure, errorComment };
  }
}

export function queryFailure(error: unknown): { status: number; errorComment: string } {
  const { code, message } = toLanternError(error);
  return { status: QUERY_STATUS[code] ?? Status.UnableToProcess, errorComment: comment(message) };
}

/** A refusal of policy (authorize): answered with 0124H "Refused: Not authorized" (PS3.7 Annex C). */
export const isForbidden = (error: unknown): boolean => toLanternError(error).code === 'forbidden';
