import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { frame, MllpFramer } from './mllp-framer.js';

export interface MllpPeer {
  remoteAddress: string;
  remotePort: number;
  tls: boolean;
}

export interface MllpServerOptions {
  /** TLS options: the listener speaks MLLP over TLS only (no plain connections on the same port). */
  tls?: TlsOptions;
  /** Largest frame accepted; a larger one closes the connection. */
  maxFrameBytes: number;
  /** A connection silent this long is closed (0: never). */
  idleTimeoutMs?: number;
  /** Connections open at once; more are closed at once. */
  maxConnections?: number;
  /**
   * Answers one message. Messages of a connection are handed over one at a time, in the order they came,
   * unless `pipelined`; either way a sender that pipelines gets its ACKs in order. The bytes returned are
   * framed and sent back, undefined sends nothing. A throw closes the connection.
   */
  onMessage(message: Buffer, peer: MllpPeer): Promise<Uint8Array | undefined>;
  /**
   * Hand each message over as soon as it is read, without waiting for the answer to the one before (a
   * sender with several messages in flight then has them stored together); onMessage keeps them in order
   * itself where it matters. The answers still go back in the order the messages came.
   */
  pipelined?: boolean;
  /** A connection ended by a framing error, a throw of onMessage or a socket error. */
  onConnectionError?(error: Error, peer: MllpPeer): void;
}

export interface MllpServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  readonly connectionCount: number;
}

// More frames than this waiting on one connection pause its socket until they are answered.
const PAUSE_AT = 64;

/** An MLLP listener (HL7 v2.5.1 C.4) over TCP or TLS. */
export function createMllpServer(options: MllpServerOptions): MllpServer {
  const sockets = new Set<Socket>();

  const onSocket = (socket: Socket) => {
    const peer: MllpPeer = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      tls: options.tls !== undefined,
    };
    if (options.maxConnections !== undefined && sockets.size >= options.maxConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    if (options.idleTimeoutMs) socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
    const framer = new MllpFramer(options.maxFrameBytes);
    let chain: Promise<void> = Promise.resolve();
    let waiting = 0;
    const fail = (error: Error) => {
      options.onConnectionError?.(error, peer);
      socket.destroy();
    };
    // Answers that are ready in the same tick (a group commit stores many pipelined messages at once) go out
    // in one write: a system call per ACK cost more than building it.
    let corked = false;
    const send = (response: Uint8Array) => {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(frame(response));
    };
    const answer = async (message: Buffer, started?: Promise<Uint8Array | undefined>) => {
      try {
        const response = await (started ?? options.onMessage(message, peer));
        if (response !== undefined && !socket.destroyed) send(response);
      } catch (error) {
        fail(error as Error);
      } finally {
        waiting--;
        if (waiting < PAUSE_AT / 2 && socket.isPaused()) socket.resume();
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const { frames, error } = framer.push(chunk);
      for (const message of frames) {
        waiting++;
        if (options.pipelined) {
          const started = options.onMessage(message, peer);
          // Settled here too, so a failure waiting its turn is not an unhandled rejection.
          started.catch(() => undefined);
          chain = chain.then(() => answer(message, started));
        } else {
          chain = chain.then(() => (socket.destroyed ? undefined : answer(message)));
        }
      }
      if (waiting >= PAUSE_AT) socket.pause();
      // The frames before the error are still answered; then the stream is closed.
      if (error) chain = chain.then(() => fail(error));
    });
    socket.on('error', (error) => options.onConnectionError?.(error, peer));
    socket.on('close', () => sockets.delete(socket));
  };

  const server: Server = options.tls
    ? createTlsServer(options.tls, (socket: TLSSocket) => onSocket(socket))
    : createTcpServer(onSocket);
  // A failed TLS handshake is the client's problem, not a reason to stop listening.
  server.on('tlsClientError', () => undefined);

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
    get connectionCount() {
      return sockets.size;
    },
  };
}
