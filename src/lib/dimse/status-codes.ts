/**
 * DIMSE status codes (PS3.7 Annex C and the service-specific statuses of PS3.4). Classify with
 * statusCategory, because several ranges (A7xx, A9xx, Cxxx) are defined as families.
 */
export const Status = {
  Success: 0x0000,
  /** Pending: matches are continuing (PS3.4 C.4.1.1.4). */
  Pending: 0xff00,
  /** Pending: matches continue but optional keys were not supported. */
  PendingWarning: 0xff01,
  Cancel: 0xfe00,
  /** Warning: sub-operations complete, one or more failures or warnings (C-MOVE/C-GET). */
  SubOperationsCompleteWithFailures: 0xb000,
  CoercionOfDataElements: 0xb000,
  ElementsDiscarded: 0xb006,
  DataSetDoesNotMatchSopClassWarning: 0xb007,
  RefusedOutOfResources: 0xa700,
  /** C-MOVE/C-GET: unable to calculate number of matches. */
  RefusedOutOfResourcesMatches: 0xa701,
  /** C-MOVE/C-GET: unable to perform sub-operations. */
  RefusedOutOfResourcesSubOperations: 0xa702,
  MoveDestinationUnknown: 0xa801,
  IdentifierDoesNotMatchSopClass: 0xa900,
  DataSetDoesNotMatchSopClass: 0xa900,
  ErrorCannotUnderstand: 0xc000,
  UnableToProcess: 0xc001,
  // General statuses (PS3.7 C.4 / C.5).
  /** Warning: some attributes of an N-CREATE/N-SET were not stored (PS3.7 C.4.2). */
  AttributeListError: 0x0107,
  AttributeValueOutOfRange: 0x0116,
  NoSuchAttribute: 0x0105,
  InvalidAttributeValue: 0x0106,
  MissingAttribute: 0x0120,
  MissingAttributeValue: 0x0121,
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  NoSuchSopInstance: 0x0112,
  NoSuchEventType: 0x0113,
  NoSuchArgument: 0x0114,
  InvalidArgumentValue: 0x0115,
  InvalidObjectInstance: 0x0117,
  NoSuchSopClass: 0x0118,
  ClassInstanceConflict: 0x0119,
  DuplicateInvocation: 0x0210,
  UnrecognizedOperation: 0x0211,
  MistypedArgument: 0x0212,
  ResourceLimitation: 0x0213,
  NoSuchActionType: 0x0123,
  SopClassNotSupported: 0x0122,
  NotAuthorized: 0x0124,
} as const;

export type StatusCategory = 'success' | 'pending' | 'cancel' | 'warning' | 'failure';

/** PS3.7 C.1: Warning = 0001, Bxxx and 0107/0116; Pending = FF00/FF01; Cancel = FE00; everything else fails. */
export function statusCategory(status: number): StatusCategory {
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000)
    return 'warning';
  return 'failure';
}
