/**
 * lib/dimse public API: the DICOM upper layer (PS3.8) and DIMSE services (PS3.7) over net/tls sockets,
 * as an SCP engine (createDimseServer) and an SCU engine (connect). Imports only lib/dicom.
 */
export { createDimseServer, type DimseServer, type DimseServerOptions } from './dimse-server.js';
export { connect, type ConnectOptions, type ProposedPresentationContext } from './dimse-client.js';
export {
  DimseClient,
  type FindOperation,
  type QueryOptions,
  type RetrieveOptions,
  type RetrieveResult,
  type StoreHandler,
} from './scu-operations.js';
export {
  ScpAssociation,
  type ActionRequest,
  type ActionResult,
  type CreateRequest,
  type NormalizedResult,
  type SetRequest,
  type DimseHandlers,
  type EventReportRequest,
  type FindMatch,
  type GetRequest,
  type MoveRequest,
  type QueryRequest,
  type RequestContext,
  type StatusResult,
  type StoreRequest,
  type SubOperationCounts,
  type SubOperationResult,
} from './scp-handlers.js';
export type { EventReport, ResponseStatus, StoreItem } from './sub-operations.js';
export type { AssociationInfo, PresentationContext } from './association.js';
export {
  acceptRoleSelections,
  selectPresentationContexts,
  type AssociationAccept,
  type AssociationReject,
  type AssociationRequest,
  type NegotiationDecision,
  type Negotiator,
  type TransferSyntaxPolicy,
} from './association-negotiation.js';
export {
  AbortReason,
  AbortSource,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  RejectSource,
  type RoleSelection,
  type UserIdentityRequest,
} from './pdu-types.js';
export { Status, statusCategory, type StatusCategory } from './status-codes.js';
export { CommandField, Priority } from './dimse-messages.js';
export { encodeCommand, decodeCommand, type Command } from './command-set.js';
export { DimseError, type DimseErrorCode } from './errors.js';
export type { DataSource, LentChunk, LentDataSet } from './message-sender.js';
