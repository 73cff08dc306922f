/**
 * An established association (PS3.8 Sta6) seen from either side: accepted presentation contexts, outgoing
 * messages serialized so they never interleave (PS3.7 6.3.1), responses matched to requests by
 * MessageIDBeingRespondedTo, and the release (PS3.8 7.2) and abort (7.3) services.
 */
import type { Command } from './command-set.js';
import { isResponse } from './dimse-messages.js';
import { DimseError } from './errors.js';
import type { IncomingMessage } from './message-assembler.js';
import { sendMessage, type DataSource } from './message-sender.js';
import { encodeReleaseRp, encodeReleaseRq } from './pdu-codec.js';
import {
  AbortReason,
  AbortSource,
  PduType,
  type ControlPdu,
  type RoleSelection,
  type UserIdentityRequest,
} from './pdu-types.js';
import { statusCategory } from './status-codes.js';
import type { UpperLayerConnection } from './upper-layer-connection.js';

export interface PresentationContext {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
}

export interface AssociationInfo {
  callingAeTitle: string;
  calledAeTitle: string;
  remoteAddress: string;
  remotePort: number;
  /** Accepted presentation contexts only. */
  presentationContexts: PresentationContext[];
  /** The peer's maximum P-DATA-TF length (0 = unlimited). */
  peerMaxPduLength: number;
  peerImplementationClassUid: string;
  peerImplementationVersionName: string | undefined;
  /** Role selections as agreed in the A-ASSOCIATE-AC. */
  roleSelections: RoleSelection[];
  userIdentity: UserIdentityRequest | undefined;
}

interface ResponseWaiter {
  onPending: ((message: IncomingMessage) => void) | undefined;
  resolve(message: IncomingMessage): void;
  reject(error: Error): void;
}

const RELEASE_TIMEOUT_MS = 10_000;
const AFTER_RELEASE_ARTIM_MS = 5_000;

export class Association {
  /** Called for each incoming request (anything that is not a response). */
  onRequest: (message: IncomingMessage) => void = () => undefined;
  /** Resolves when the transport is gone: undefined after an orderly release, else why it ended. */
  readonly closed: Promise<DimseError | undefined>;
  private readonly waiters = new Map<number, ResponseWaiter>();
  private sendQueue: Promise<void> = Promise.resolve();
  private messageId = 0;
  private releasing: { resolve(): void; reject(error: Error): void } | undefined;
  private closeError: DimseError | undefined;

  constructor(
    readonly connection: UpperLayerConnection,
    readonly info: AssociationInfo,
    readonly role: 'requestor' | 'acceptor',
  ) {
    connection.established = true;
    connection.setAcceptedContexts(info.presentationContexts.map((context) => context.id));
    let resolveClosed!: (error: DimseError | undefined) => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    connection.events = {
      controlPdu: (pdu) => this.onControlPdu(pdu),
      message: (message) => this.onMessage(message),
      closed: (error) => {
        this.closeError = error ?? new DimseError('closed', 'association released');
        for (const waiter of this.waiters.values()) waiter.reject(this.closeError);
        this.waiters.clear();
        if (this.releasing) {
          if (error) this.releasing.reject(error);
          else this.releasing.resolve();
        }
        resolveClosed(error);
      },
    };
  }

  get isOpen(): boolean {
    return this.connection.isOpen && !this.releasing && !this.connection.released;
  }

  /** An accepted context for the SOP class, preferring the given transfer syntax when present. */
  findContext(abstractSyntax: string, transferSyntax?: string): PresentationContext | undefined {
    const matching = this.info.presentationContexts.filter((c) => c.abstractSyntax === abstractSyntax);
    if (transferSyntax === undefined) return matching[0];
    return matching.find((c) => c.transferSyntax === transferSyntax);
  }

  contextById(id: number): PresentationContext | undefined {
    return this.info.presentationContexts.find((c) => c.id === id);
  }

  nextMessageId(): number {
    this.messageId = (this.messageId % 0xffff) + 1;
    return this.messageId;
  }

  /** Sends one message after every earlier one has been written completely. */
  send(contextId: number, command: Command, data?: DataSource): Promise<void> {
    const run = this.sendQueue.then(() => {
      if (this.closeError) throw this.closeError;
      return sendMessage(this.connection, this.info.peerMaxPduLength, contextId, command, data);
    });
    this.sendQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends a request and resolves with its final response. Pending responses (PS3.7 9.1.2.1.6 FF00/FF01)
   * go to onPending; their data set, if not consumed there, is discarded.
   */
  request(
    contextId: number,
    command: Command,
    data?: DataSource,
    onPending?: (message: IncomingMessage) => void,
  ): Promise<IncomingMessage> {
    const messageId = command.messageId ?? 0;
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      if (this.closeError) return reject(this.closeError);
      this.waiters.set(messageId, { onPending, resolve, reject });
    });
    response.catch(() => undefined);
    this.send(contextId, command, data).catch((error: Error) => {
      const waiter = this.waiters.get(messageId);
      this.waiters.delete(messageId);
      waiter?.reject(error);
    });
    return response;
  }

  private onMessage(message: IncomingMessage): void {
    if (!isResponse(message.command)) {
      this.onRequest(message);
      return;
    }
    const id = message.command.messageIdBeingRespondedTo ?? -1;
    const waiter = this.waiters.get(id);
    if (!waiter) {
      // A response to nothing we asked: PS3.7 leaves it to the implementation; dropping it keeps us in step.
      message.data?.discard();
      return;
    }
    const pending = statusCategory(message.command.status ?? 0) === 'pending';
    if (pending) {
      if (waiter.onPending) waiter.onPending(message);
      else message.data?.discard();
      return;
    }
    this.waiters.delete(id);
    waiter.resolve(message);
  }

  private onControlPdu(pdu: ControlPdu): void {
    switch (pdu.type) {
      case PduType.ReleaseRq:
        // PS3.8 AR-2/AR-4: answer after everything already queued has been written, then wait for the close.
        this.connection.released = true;
        void this.sendQueue.then(async () => {
          await this.connection.writePdu([encodeReleaseRp()]).catch(() => undefined);
          if (this.role === 'requestor') this.connection.close();
          else this.connection.startArtim(AFTER_RELEASE_ARTIM_MS);
        });
        return;
      case PduType.ReleaseRp:
        if (!this.releasing) {
          this.connection.abort(AbortReason.UnexpectedPdu);
          return;
        }
        this.connection.released = true;
        this.connection.close();
        return;
      case PduType.Abort:
        this.connection.failWith(
          new DimseError(
            'aborted',
            `peer aborted the association (source ${pdu.source}, reason ${pdu.reason})`,
            {
              abortSource: pdu.source,
              abortReason: pdu.reason,
            },
          ),
        );
        this.connection.socket.destroy();
        return;
      default:
        this.connection.abort(AbortReason.UnexpectedPdu);
    }
  }

  /** A-RELEASE (PS3.8 7.2): resolves when the peer confirmed and the transport closed. */
  release(): Promise<void> {
    if (this.closeError) return Promise.resolve();
    if (this.releasing) return this.closed.then(() => undefined);
    const done = new Promise<void>((resolve, reject) => (this.releasing = { resolve, reject }));
    done.catch(() => undefined);
    void this.sendQueue.then(async () => {
      try {
        await this.connection.writePdu([encodeReleaseRq()]);
        this.connection.startArtim(RELEASE_TIMEOUT_MS, () =>
          this.connection.abort(AbortReason.NotSpecified, new DimseError('timeout', 'no A-RELEASE-RP')),
        );
      } catch {
        // closed meanwhile: the closed handler settles `done`
      }
    });
    return done;
  }

  /** A-ABORT from the service user (PS3.8 7.3): pending operations fail at once. */
  abort(): void {
    this.connection.abort(
      AbortReason.NotSpecified,
      new DimseError('aborted', 'association aborted locally', {
        abortSource: AbortSource.ServiceUser,
        abortReason: 0,
      }),
      AbortSource.ServiceUser,
    );
  }
}
