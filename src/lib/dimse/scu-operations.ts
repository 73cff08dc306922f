/**
 * DIMSE-C, N-ACTION, N-CREATE and N-SET as an SCU on an open association (PS3.7 9.3, 10.3): C-ECHO, C-STORE, C-FIND
 * (pending identifiers as an async iterable), C-MOVE and C-GET with sub-operation counts, and C-CANCEL
 * (PS3.7 9.3.2.3) driven by an AbortSignal.
 */
import type { Association, AssociationInfo, PresentationContext } from './association.js';
import type { Command } from './command-set.js';
import { CommandField, Priority } from './dimse-messages.js';
import { DimseError } from './errors.js';
import type { AssociateAc } from './pdu-types.js';
import type { SubOperationCounts, StoreRequest, StatusResult } from './scp-handlers.js';
import { statusCategory } from './status-codes.js';
import {
  sendEventReport,
  storeOver,
  type EventReport,
  type ResponseStatus,
  type StoreItem,
} from './sub-operations.js';

export interface QueryOptions {
  /** Transfer syntax the identifier is encoded in; default: the first accepted context's. */
  transferSyntaxUid?: string;
  signal?: AbortSignal;
  priority?: number;
}

export interface FindOperation extends AsyncIterable<Uint8Array> {
  /** The final response (Success, Cancel, or a failure, which also makes the iteration throw). */
  readonly final: Promise<ResponseStatus>;
}

export interface RetrieveResult extends SubOperationCounts {
  status: number;
  remaining: number | undefined;
  errorComment: string | undefined;
  command: Command;
}

export type StoreHandler = (request: StoreRequest) => StatusResult | Promise<StatusResult>;

export interface RetrieveOptions extends QueryOptions {
  onPending?: (progress: SubOperationCounts & { remaining: number | undefined }) => void;
}

const MAX_MATCH_BYTES = 1 << 20;

function counts(command: Command): SubOperationCounts & { remaining: number | undefined } {
  return {
    remaining: command.remainingSubOperations,
    completed: command.completedSubOperations ?? 0,
    failed: command.failedSubOperations ?? 0,
    warning: command.warningSubOperations ?? 0,
  };
}

function toStatus(command: Command): ResponseStatus {
  return {
    status: command.status ?? 0xffff,
    errorComment: command.errorComment,
    offendingElement: command.offendingElement,
    command,
  };
}

export class DimseClient {
  /** The store handler of the C-GET in progress (its sub-operations arrive on this association). */
  activeStoreHandler: StoreHandler | undefined;

  constructor(
    readonly association: Association,
    /** The A-ASSOCIATE-AC as received (all context results, user information). */
    readonly associateAc: AssociateAc,
  ) {}

  get info(): AssociationInfo {
    return this.association.info;
  }

  /** Accepted presentation contexts with their transfer syntaxes. */
  get presentationContexts(): PresentationContext[] {
    return this.association.info.presentationContexts;
  }

  get closed(): Promise<DimseError | undefined> {
    return this.association.closed;
  }

  private context(sopClassUid: string, transferSyntaxUid?: string): PresentationContext {
    const context = this.association.findContext(sopClassUid, transferSyntaxUid);
    if (!context)
      throw new DimseError('no-presentation-context', `no accepted presentation context for ${sopClassUid}`);
    return context;
  }

  async echo(sopClassUid = '1.2.840.10008.1.1'): Promise<ResponseStatus> {
    const context = this.context(sopClassUid);
    const command: Command = {
      commandField: CommandField.CEchoRq,
      messageId: this.association.nextMessageId(),
      affectedSopClassUid: sopClassUid,
      hasDataSet: false,
    };
    return toStatus((await this.association.request(context.id, command)).command);
  }

  store(item: StoreItem): Promise<ResponseStatus> {
    return storeOver(this.association, item);
  }

  /** N-EVENT-REPORT to the peer (a storage commitment result on an association we opened, PS3.4 J.3.3). */
  eventReport(report: EventReport): Promise<ResponseStatus> {
    return sendEventReport(this.association, report);
  }

  private cancel(contextId: number, messageId: number): void {
    const command: Command = {
      commandField: CommandField.CCancelRq,
      messageIdBeingRespondedTo: messageId,
      hasDataSet: false,
    };
    this.association.send(contextId, command).catch(() => undefined);
  }

  private query(field: number, sopClassUid: string, options: QueryOptions, extra: Partial<Command> = {}) {
    const context = this.context(sopClassUid, options.transferSyntaxUid);
    const messageId = this.association.nextMessageId();
    const command: Command = {
      commandField: field,
      messageId,
      affectedSopClassUid: sopClassUid,
      priority: options.priority ?? Priority.Medium,
      hasDataSet: true,
      ...extra,
    };
    return { context, messageId, command, cancel: () => this.cancel(context.id, messageId) };
  }

  find(sopClassUid: string, identifier: Uint8Array, options: QueryOptions = {}): FindOperation {
    const { context, command, cancel } = this.query(CommandField.CFindRq, sopClassUid, options);
    const queue: Promise<Uint8Array>[] = [];
    let wake: (() => void) | undefined;
    let settled = false;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    const response = this.association.request(context.id, command, identifier, (pending) => {
      const match = pending.data ? pending.data.collect(MAX_MATCH_BYTES) : Promise.resolve(new Uint8Array(0));
      match.catch(() => undefined);
      queue.push(match);
      notify();
    });
    const final = response.then((message) => toStatus(message.command));
    final.catch(() => undefined);
    void final
      .finally(() => {
        settled = true;
        notify();
      })
      .catch(() => undefined);
    options.signal?.addEventListener('abort', cancel, { once: true });
    async function* iterate(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          const next = queue.shift();
          if (next) {
            yield await next;
            continue;
          }
          if (settled) {
            const { status } = await final;
            if (statusCategory(status) === 'failure')
              throw new DimseError('status', `C-FIND failed: status 0x${status.toString(16)}`, { status });
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        options.signal?.removeEventListener('abort', cancel);
        if (!settled) cancel();
      }
    }
    return { final, [Symbol.asyncIterator]: iterate };
  }

  private async retrieve(
    field: number,
    sopClassUid: string,
    identifier: Uint8Array,
    options: RetrieveOptions,
    extra: Partial<Command>,
  ): Promise<RetrieveResult> {
    const { context, command, cancel } = this.query(field, sopClassUid, options, extra);
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const final = await this.association.request(context.id, command, identifier, (pending) => {
        pending.data?.discard();
        options.onPending?.(counts(pending.command));
      });
      final.data?.discard();
      return {
        ...counts(final.command),
        status: final.command.status ?? 0xffff,
        errorComment: final.command.errorComment,
        command: final.command,
      };
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  /** C-MOVE: the peer stores the matches to `destination` over its own association. */
  move(
    sopClassUid: string,
    destination: string,
    identifier: Uint8Array,
    options: RetrieveOptions = {},
  ): Promise<RetrieveResult> {
    return this.retrieve(CommandField.CMoveRq, sopClassUid, identifier, options, {
      moveDestination: destination,
    });
  }

  /**
   * C-GET: the matches come back as C-STORE requests on this association (propose the storage classes with
   * role selection scpRole: true); each goes to `onStore` as a stream, and its status is sent back.
   */
  async get(
    sopClassUid: string,
    identifier: Uint8Array,
    options: RetrieveOptions & { onStore: StoreHandler },
  ): Promise<RetrieveResult> {
    if (this.activeStoreHandler) throw new DimseError('protocol', 'one C-GET at a time per association');
    this.activeStoreHandler = options.onStore;
    try {
      return await this.retrieve(CommandField.CGetRq, sopClassUid, identifier, options, {});
    } finally {
      this.activeStoreHandler = undefined;
    }
  }

  /** N-ACTION (e.g. storage commitment request, PS3.4 J.3.2). */
  async action(request: {
    sopClassUid: string;
    sopInstanceUid: string;
    actionTypeId: number;
    actionInformation?: Uint8Array;
  }): Promise<ResponseStatus & { reply: Uint8Array | undefined }> {
    const context = this.context(request.sopClassUid);
    const command: Command = {
      commandField: CommandField.NActionRq,
      messageId: this.association.nextMessageId(),
      requestedSopClassUid: request.sopClassUid,
      requestedSopInstanceUid: request.sopInstanceUid,
      actionTypeId: request.actionTypeId,
      hasDataSet: request.actionInformation !== undefined,
    };
    const response = await this.association.request(context.id, command, request.actionInformation);
    const reply = response.data ? await response.data.collect(MAX_MATCH_BYTES) : undefined;
    return { ...toStatus(response.command), reply };
  }

  /** N-CREATE (e.g. MPPS IN PROGRESS, PS3.4 F.7.2.1); without `sopInstanceUid` the SCP chooses it. */
  async create(request: {
    sopClassUid: string;
    sopInstanceUid?: string;
    attributes?: Uint8Array;
  }): Promise<ResponseStatus & { sopInstanceUid: string | undefined; attributes: Uint8Array | undefined }> {
    const context = this.context(request.sopClassUid);
    const command: Command = {
      commandField: CommandField.NCreateRq,
      messageId: this.association.nextMessageId(),
      affectedSopClassUid: request.sopClassUid,
      affectedSopInstanceUid: request.sopInstanceUid,
      hasDataSet: request.attributes !== undefined,
    };
    const response = await this.association.request(context.id, command, request.attributes);
    const attributes = response.data ? await response.data.collect(MAX_MATCH_BYTES) : undefined;
    return {
      ...toStatus(response.command),
      sopInstanceUid: response.command.affectedSopInstanceUid,
      attributes,
    };
  }

  /** N-SET (e.g. MPPS COMPLETED, PS3.4 F.7.2.2). */
  async set(request: {
    sopClassUid: string;
    sopInstanceUid: string;
    modifications: Uint8Array;
  }): Promise<ResponseStatus & { attributes: Uint8Array | undefined }> {
    const context = this.context(request.sopClassUid);
    const command: Command = {
      commandField: CommandField.NSetRq,
      messageId: this.association.nextMessageId(),
      requestedSopClassUid: request.sopClassUid,
      requestedSopInstanceUid: request.sopInstanceUid,
      hasDataSet: true,
    };
    const response = await this.association.request(context.id, command, request.modifications);
    const attributes = response.data ? await response.data.collect(MAX_MATCH_BYTES) : undefined;
    return { ...toStatus(response.command), attributes };
  }

  release(): Promise<void> {
    return this.association.release();
  }

  abort(): void {
    this.association.abort();
  }
}
