import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { MllpError } from './errors.js';
import { frame, MllpFramer } from './mllp-framer.js';

export interface MllpClientOptions {
  host: string;
  port: number;
  /** TLS options, or true for the defaults. */
  tls?: ConnectionOptions | boolean;
  /** How long to wait for the connection and for each answer (default 30 s). */
  timeoutMs?: number;
  /** Largest answer accepted (default 16 MiB). */
  maxFrameBytes?: number;
}

/** One MLLP connection that sends a message and waits for the answer (its ACK), one at a time. */
export interface MllpClient {
  /** Sends one message and resolves with the next frame the peer sends back. */
  send(message: Uint8Array): Promise<Buffer>;
  /** Writes bytes as they are, unframed: for tests of a listener's robustness. */
  writeRaw(bytes: Uint8Array): void;
  close(): Promise<void>;
  readonly closed: boolean;
}

export function connectMllp(options: MllpClientOptions): Promise<MllpClient> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const tls = options.tls === true ? {} : options.tls || undefined;
    const socket: Socket = tls
      ? connectTls({ ...tls, host: options.host, port: options.port })
      : connectTcp({ host: options.host, port: options.port });
    const framer = new MllpFramer(options.maxFrameBytes ?? 16 * 1024 * 1024);
    const answers: Buffer[] = [];
    let waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
    let closedError: Error | undefined;
    let queue: Promise<unknown> = Promise.resolve();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new MllpError(`no connection to ${options.host}:${options.port} within ${timeoutMs} ms`, 'timeout'),
      );
    }, timeoutMs);

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const { frames, error } = framer.push(chunk);
      answers.push(...frames);
      while (waiter && answers.length > 0) {
        const w = waiter;
        waiter = undefined;
        w.resolve(answers.shift()!);
      }
      if (error) socket.destroy(error);
    });
    socket.on('error', (error) => {
      closedError ??= error;
    });
    socket.on('close', () => {
      closedError ??= new MllpError('the peer closed the connection', 'closed');
      clearTimeout(timer);
      waiter?.reject(closedError);
      waiter = undefined;
      reject(closedError);
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      const nextAnswer = () =>
        new Promise<Buffer>((resolveAnswer, rejectAnswer) => {
          if (answers.length > 0) return resolveAnswer(answers.shift()!);
          if (closedError) return rejectAnswer(closedError);
          const answerTimer = setTimeout(() => {
            waiter = undefined;
            rejectAnswer(new MllpError(`no answer within ${timeoutMs} ms`, 'timeout'));
            socket.destroy();
          }, timeoutMs);
          waiter = {
            resolve: (b) => (clearTimeout(answerTimer), resolveAnswer(b)),
            reject: (e) => (clearTimeout(answerTimer), rejectAnswer(e)),
          };
        });
      const client: MllpClient = {
        send: (message) => {
          const result = queue.then(() => {
            if (closedError) throw closedError;
            socket.write(frame(message));
            return nextAnswer();
          });
          queue = result.catch(() => undefined);
          return result;
        },
        writeRaw: (bytes) => void socket.write(bytes),
        close: () =>
          new Promise((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.end();
            setTimeout(() => socket.destroy(), 1000).unref();
          }),
        get closed() {
          return socket.destroyed || closedError !== undefined;
        },
      };
      resolve(client);
    });
  });
}
