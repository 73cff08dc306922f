// A burst of ADT messages over MLLP, as an EMR's interface engine sends them: each connection sends its
// share in order, keeping up to `window` messages in flight (1: wait for each ACK before the next; more:
// pipelined, the listener answers in order). Shared by the kill -9 test and bench/hl7.
import { connect, type Socket } from 'node:net';
import { MllpFramer, decodeMessage, frame } from '../../src/lib/hl7v2/index.js';

export interface BurstOptions {
  port: number;
  /** Messages in all (numbered 0 … count-1). */
  count: number;
  connections: number;
  /** Messages in flight per connection. */
  window?: number;
  /** ER7 of message i. */
  message: (i: number) => string;
  /** Called with each ACK as it arrives. */
  onAck?: (i: number, code: string) => void;
}

export interface BurstResult {
  /** ACK code per message index; undefined: no ACK came (the connection ended first). */
  acks: (string | undefined)[];
  seconds: number;
}

/** An ADT^A04 (or A08) of patient `mrn`, original acknowledgment mode unless `enhanced`. */
export function adtMessage(
  control: string,
  mrn: string,
  options: { trigger?: string; family?: string; enhanced?: boolean } = {},
): string {
  const trigger = options.trigger ?? 'A04';
  const ack = options.enhanced ? '|||AL|NE' : '';
  return (
    [
      `MSH|^~\\&|BURST|HOSP|LANTERN|RAD|20240501120000||ADT^${trigger}^ADT_A01|${control}|P|2.5.1${ack}`,
      `EVN|${trigger}|20240501120000`,
      `PID|1||${mrn}^^^HOSP^MR||${options.family ?? 'Burst'}^Patient^${control}||19800101|F|||1 Main St^^Town^^12345||555 0100`,
      'PV1|1|O',
    ].join('\r') + '\r'
  );
}

/** Sends the burst; resolves when every connection got all its ACKs or ended. */
export async function sendBurst(options: BurstOptions): Promise<BurstResult> {
  const acks: (string | undefined)[] = new Array<string | undefined>(options.count).fill(undefined);
  const window = options.window ?? 1;
  const started = performance.now();
  const shares = Array.from({ length: options.connections }, (_, c) => {
    const indexes: number[] = [];
    for (let i = c; i < options.count; i += options.connections) indexes.push(i);
    return indexes;
  });
  await Promise.all(
    shares.map(
      (indexes) =>
        new Promise<void>((resolve) => {
          const socket: Socket = connect(options.port, '127.0.0.1');
          socket.setNoDelay(true);
          const framer = new MllpFramer(1 << 20);
          let next = 0;
          let acked = 0;
          const fill = () => {
            while (next < indexes.length && next - acked < window) {
              socket.write(frame(Buffer.from(options.message(indexes[next]!), 'utf8')));
              next++;
            }
          };
          socket.on('connect', fill);
          socket.on('data', (chunk: Buffer) => {
            for (const bytes of framer.push(chunk).frames) {
              const i = indexes[acked++]!;
              const code = decodeMessage(bytes).segment('MSA')?.value(1) ?? '';
              acks[i] = code;
              options.onAck?.(i, code);
            }
            if (acked === indexes.length) socket.end();
            else fill();
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
        }),
    ),
  );
  return { acks, seconds: (performance.now() - started) / 1000 };
}
