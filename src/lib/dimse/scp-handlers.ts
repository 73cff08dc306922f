/**
 * The handler table an SCP provides (one optional function per DIMSE service) and what each handler
 * receives (N-CREATE and N-SET: scp-normalized.ts). Handlers return statuses (status-codes.ts); a handler that throws is answered with
 * ProcessingFailure (0x0110, PS3.7 C.4) and the association stays open.
 */
import type { Association, AssociationInfo } from './association.js';
import {
  sendEventReport,
  storeOver,
  type EventReport,
  type ResponseStatus,
  type StoreItem,
} from './sub-operations.js';

/** The association as handlers see it: negotiation results and the requests the SCP may send back. */
export class ScpAssociation {
  constructor(private readonly association: Association) {}

  get info(): AssociationInfo {
    return this.association.info;
  }

  get isOpen(): boolean {
    return this.association.isOpen;
  }

  /** C-STORE to the requestor on this association (C-GET, PS3.4 C.4.3; needs the SCP role it proposed). */
  store(item: StoreItem): Promise<ResponseStatus> {
    return storeOver(this.association, item);
  }

  /** N-EVENT-REPORT to the requestor on this association (storage commitment result, PS3.4 J.3.3). */
  sendEventReport(report: EventReport): Promise<ResponseStatus> {
    return sendEventReport(this.association, report);
  }

  abort(): void {
    this.association.abort();
  }
}

/** What every request handler gets. */
export interface RequestContext {
  association: ScpAssociation;
  /** Presentation context of the request, with its negotiated transfer syntax. */
  contextId: number;
  transferSyntaxUid: string;
  messageId: number;
  /** Aborted on C-CANCEL (find, move, get) or when the association ends. */
  signal: AbortSignal;
}

export type StatusResult = number | { status: number; errorComment?: string };

export interface StoreRequest extends RequestContext {
  sopClassUid: string;
  sopInstanceUid: string;
  priority: number;
  moveOriginator: { aeTitle: string; messageId: number } | undefined;
  /** The data set fragments as they arrive (never buffered whole); read it once. */
  data: AsyncIterable<Uint8Array>;
}

export interface QueryRequest extends RequestContext {
  sopClassUid: string;
  priority: number;
  /** The identifier data set, in `transferSyntaxUid`. */
  identifier: Uint8Array;
}

/** A C-FIND match: identifier bytes (pending 0xFF00) or with an explicit pending status (0xFF01). */
export type FindMatch = Uint8Array | { identifier: Uint8Array; status: number };

export interface SubOperationCounts {
  completed: number;
  failed: number;
  warning: number;
}

export interface SubOperationResult extends Partial<SubOperationCounts> {
  /** Overrides the status the engine derives from the counts (e.g. 0xA801, 0xA900). */
  status?: number;
  errorComment?: string;
}

export interface MoveRequest extends QueryRequest {
  destination: string;
  /** Sends a pending C-MOVE-RSP with these counts (PS3.4 C.4.2.1.4). */
  report(progress: SubOperationCounts & { remaining: number }): void;
}

export interface GetRequest extends QueryRequest {
  /** Declares how many sub-operations will follow, so pending responses carry Remaining. */
  setRemaining(total: number): void;
  /** Sends one C-STORE sub-operation to the requestor; counted and reported by the engine. */
  store(item: StoreItem): Promise<ResponseStatus>;
}

export interface ActionRequest extends RequestContext {
  sopClassUid: string;
  sopInstanceUid: string;
  actionTypeId: number;
  /** Action information data set, if sent. */
  actionInformation: Uint8Array | undefined;
}

export interface EventReportRequest extends RequestContext {
  sopClassUid: string;
  sopInstanceUid: string;
  eventTypeId: number;
  eventInformation: Uint8Array | undefined;
}

/** N-ACTION-RSP status with an optional action reply data set. */
export type ActionResult = number | { status: number; errorComment?: string; reply?: Uint8Array };

export interface CreateRequest extends RequestContext {
  sopClassUid: string;
  /** The instance the requestor names; undefined when it leaves the choice to the SCP (PS3.7 10.1.5.1.3). */
  sopInstanceUid: string | undefined;
  /** The Attribute List data set, if sent. */
  attributes: Uint8Array | undefined;
}

export interface SetRequest extends RequestContext {
  sopClassUid: string;
  sopInstanceUid: string;
  /** The Modification List data set, if sent. */
  modifications: Uint8Array | undefined;
}

/**
 * N-CREATE-RSP / N-SET-RSP: a status, or a status with an Error Comment, Error ID (PS3.7 C.4), offending
 * elements, the instance UID the SCP chose (N-CREATE) and an Attribute List data set.
 */
export type NormalizedResult =
  | number
  | {
      status: number;
      errorComment?: string;
      errorId?: number;
      offendingElement?: number[];
      sopInstanceUid?: string;
      attributes?: Uint8Array;
    };

export interface DimseHandlers {
  /** Default: Success. */
  echo?: (request: RequestContext) => StatusResult | Promise<StatusResult>;
  store?: (request: StoreRequest) => StatusResult | Promise<StatusResult>;
  find?: (
    request: QueryRequest,
  ) =>
    AsyncIterable<FindMatch> | Iterable<FindMatch> | Promise<AsyncIterable<FindMatch> | Iterable<FindMatch>>;
  move?: (request: MoveRequest) => Promise<SubOperationResult>;
  get?: (request: GetRequest) => Promise<SubOperationResult | void>;
  action?: (request: ActionRequest) => ActionResult | Promise<ActionResult>;
  /** N-CREATE (e.g. MPPS, PS3.4 F.7.2.1). Default: No such SOP Class. */
  create?: (request: CreateRequest) => NormalizedResult | Promise<NormalizedResult>;
  /** N-SET (e.g. MPPS, PS3.4 F.7.2.2). Default: No such SOP Class. */
  set?: (request: SetRequest) => NormalizedResult | Promise<NormalizedResult>;
  /** N-EVENT-REPORT received (an SCU receiving storage commitment results on its association). */
  eventReport?: (request: EventReportRequest) => StatusResult | Promise<StatusResult>;
}
