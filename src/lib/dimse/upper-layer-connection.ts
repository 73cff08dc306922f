/**
 * One transport connection of the DICOM upper layer (PS3.8 9.2): reads PDUs, writes each PDU in a single
 * socket write, runs the ARTIM and idle timers, and turns every way a peer can misbehave into exactly one
 * `closed` event instead of an exception.
 */
import type { Socket } from 'node:net';
import { DimseError } from './errors.js';
import { MessageAssembler, type IncomingMessage } from './message-assembler.js';
import { encodeAbort } from './pdu-codec.js';
import { PduReader } from './pdu-reader.js';
import { AbortReason, AbortSource, type ControlPdu } from './pdu-types.js';

export interface ConnectionOptions {
  /** Our maximum P-DATA-TF length, as announced in the A-ASSOCIATE user information. */
  maxPduLength: number;
  /** Close after this long without any traffic (0 = never). */
  idleMs: number;
  /** Bytes of an incoming data set buffered for a slow consumer before the socket is paused. */
  dataHighWaterMark: number;
}

export interface ConnectionEvents {
  controlPdu(pdu: ControlPdu): void;
  message(message: IncomingMessage): void;
  /** Exactly once; `error` is undefined after an orderly release. */
  closed(error: DimseError | undefined): void;
}

const noop = (): void => undefined;

// Bytes a connection may have waiting for the socket before its writer waits: large enough that a burst of
// C-FIND responses or the PDUs of a 1 MiB read go out in one call, small enough to bound memory per peer.
const WRITE_BUFFER_BYTES = 2 * 1024 * 1024;
const NOTHING = Buffer.alloc(0);

export class UpperLayerConnection {
  /** Set once A-ASSOCIATE-AC was sent or received; P-DATA-TF before that is an unexpected PDU. */
  established = false;
  /** Set by the owner after an orderly A-RELEASE, so that the transport close is not an error. */
  released = false;
  private ended = false;
  private closeError: DimseError | undefined;
  private artim: NodeJS.Timeout | undefined;
  private readonly reader: PduReader;
  private readonly assembler: MessageAssembler;
  private accepted: ReadonlySet<number> = new Set();
  events: ConnectionEvents = { controlPdu: noop, message: noop, closed: noop };

  constructor(
    readonly socket: Socket,
    options: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    this.assembler = new MessageAssembler(
      (message) => this.events.message(message),
      { pause: () => socket.pause(), resume: () => socket.resume() },
      options.dataHighWaterMark,
      (id) => this.accepted.has(id),
    );
    this.reader = new PduReader(
      {
        controlPdu: (pdu) => this.events.controlPdu(pdu),
        pdvPiece: (piece) => {
          if (!this.established) {
            throw new DimseError('protocol', 'P-DATA-TF before association', {
              abortSource: AbortSource.ServiceProvider,
              abortReason: AbortReason.UnexpectedPdu,
            });
          }
          this.assembler.piece(piece);
        },
      },
      { maxPduLength: options.maxPduLength },
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      this.closeError ??= new DimseError('closed', `transport error: ${error.message}`, { cause: error });
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => this.finish());
    if (options.idleMs > 0) {
      socket.setTimeout(options.idleMs, () =>
        this.abort(
          AbortReason.NotSpecified,
          new DimseError('timeout', `no traffic for ${options.idleMs} ms`),
        ),
      );
    }
  }

  /** Presentation context ids on which P-DATA is allowed (the accepted ones). */
  setAcceptedContexts(ids: Iterable<number>): void {
    this.accepted = new Set(ids);
  }

  get isOpen(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    try {
      this.reader.push(chunk);
    } catch (error) {
      const failure =
        error instanceof DimseError
          ? error
          : new DimseError('protocol', `handler failed: ${String(error)}`, { cause: error });
      this.abort(failure.abortReason ?? AbortReason.NotSpecified, failure);
    }
  }

  /**
   * Writes one PDU, never split across socket calls, so header and PDV value never leave in separate TCP
   * segments. Resolves when the socket can take more.
   */
  writePdu(parts: readonly Uint8Array[]): Promise<void> {
    return this.writePdus([parts]);
  }

  /**
   * Writes whole PDUs. Everything written until the current burst of work settles goes out in one socket
   * call: a C-FIND's pending responses, or a response and the next request, cost one system call, not one
   * each (each costs 0.1-0.2 ms on loopback, as the kernel hands the bytes to the peer at once).
   * `onWritten` runs once the socket has passed every byte of these PDUs on (not when the write fails).
   */
  async writePdus(pdus: readonly (readonly Uint8Array[])[], onWritten?: () => void): Promise<void> {
    if (!this.isOpen) throw this.closeError ?? new DimseError('closed', 'association closed');
    const socket = this.socket;
    this.corkUntilSettled();
    for (const parts of pdus) for (const part of parts) socket.write(part);
    // Writes complete in order: once this empty one has, the socket holds none of the bytes above.
    if (onWritten) socket.write(NOTHING, (error) => error || onWritten());
    if (socket.writableLength > WRITE_BUFFER_BYTES) await this.drained();
  }

  private corked = false;

  private corkUntilSettled(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    // nextTick runs once the promise jobs queued meanwhile have run: the end of this burst of work.
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        if (this.socket.destroyed) reject(this.closeError ?? new DimseError('closed', 'association closed'));
        else resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** PS3.8 9.1.5: after A-ASSOCIATE-RJ, A-RELEASE-RP or A-ABORT, wait this long for the peer to close. */
  startArtim(ms: number, onExpire?: () => void): void {
    this.stopArtim();
    this.artim = setTimeout(() => {
      this.artim = undefined;
      if (onExpire) onExpire();
      else this.socket.destroy();
    }, ms);
    this.artim.unref();
  }

  stopArtim(): void {
    if (this.artim) clearTimeout(this.artim);
    this.artim = undefined;
  }

  /** Sends A-ABORT (best effort) and closes; `error` is what pending operations fail with. */
  abort(
    reason: number = AbortReason.NotSpecified,
    error?: DimseError,
    source: number = AbortSource.ServiceProvider,
  ): void {
    if (this.ended) return;
    this.closeError ??=
      error ??
      new DimseError('aborted', 'association aborted locally', { abortSource: source, abortReason: reason });
    if (!this.socket.destroyed && this.socket.writable) {
      this.socket.end(encodeAbort({ source, reason }));
      // PS3.8 AA-1: start ARTIM and close the transport when the peer does not.
      this.startArtim(1000);
    } else {
      this.socket.destroy();
    }
    this.failMessages();
  }

  /** Closes the transport after an orderly release or a rejection. */
  close(): void {
    if (!this.socket.destroyed) this.socket.end();
    this.startArtim(1000);
  }

  /** Records why the association ended (e.g. a received A-ABORT) before the socket closes. */
  failWith(error: DimseError): void {
    this.closeError ??= error;
    this.failMessages();
  }

  private failMessages(): void {
    this.assembler.fail(this.closeError ?? new DimseError('closed', 'association closed'));
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopArtim();
    if (!this.released && !this.closeError) {
      this.closeError = new DimseError(
        'closed',
        this.reader.atPduBoundary ? 'peer closed the connection' : 'peer closed the connection inside a PDU',
      );
    }
    const error = this.released && !this.closeError ? undefined : this.closeError;
    this.assembler.fail(error ?? new DimseError('closed', 'association closed'));
    this.events.closed(error);
  }
}
