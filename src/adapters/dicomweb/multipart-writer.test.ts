import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { MultipartReader } from './multipart-reader.js';
import { multipartRelated, type MultipartPart } from './multipart-writer.js';

const LIMITS = { maxBodyBytes: 4 << 20, maxParts: 100 };

function part(text: string, opened: string[]): MultipartPart {
  return {
    contentType: 'application/dicom',
    size: Buffer.byteLength(text),
    open: () => {
      opened.push(text);
      return Readable.from([Buffer.from(text)]);
    },
  };
}

describe('multipartRelated', () => {
  test('the body reads back as its parts, and its length is announced when every size is known', async () => {
    for (const texts of [[], ['one'], ['first', '', 'third\r\n--not-a-boundary', 'x'.repeat(70_000)]]) {
      const { contentType, body, length } = multipartRelated(
        'application/dicom',
        texts.map((t) => part(t, [])),
      );
      const bytes = await buffer(body);
      assert.equal(length, bytes.byteLength);
      const boundary = /boundary=(\S+)/.exec(contentType)![1]!;
      const reader = new MultipartReader(Readable.from([bytes]), boundary, LIMITS);
      const read: string[] = [];
      for (let p = await reader.nextPart(); p; p = await reader.nextPart()) {
        read.push((await buffer(p.body)).toString());
      }
      assert.deepEqual(read, texts);
    }
  });

  test('no length when a size is unknown; the next part is opened while the current one is sent', async () => {
    const opened: string[] = [];
    const parts = [part('a', opened), { ...part('b', opened), size: undefined }, part('c', opened)];
    const { body, length } = multipartRelated('application/dicom', parts);
    assert.equal(length, undefined);
    const reader = body[Symbol.asyncIterator]();
    await reader.next(); // the first part's header: the first two parts are open by now
    assert.deepEqual(opened, ['a', 'b']);
    await reader.return!(undefined);
  });
});

interface LentLog {
  lent: number;
  released: number;
  releasedChunks?: Buffer[];
}

/** A part of `chunks` lent chunks of `size` bytes ('a', 'b', …), recording what was lent and given back. */
function lentPart(name: string, chunks: number, size: number, log: LentLog) {
  const bytes = Array.from({ length: chunks }, (_, i) => Buffer.alloc(size, `${name}${i}`));
  return {
    contentType: 'application/dicom',
    size: chunks * size,
    open: () => Readable.from(bytes),
    readLent: async function* () {
      for (const chunk of bytes) {
        log.lent++;
        let given = false;
        yield {
          bytes: chunk,
          release: () => {
            assert.equal(given, false, 'released twice');
            given = true;
            log.released++;
            log.releasedChunks?.push(chunk);
          },
        };
      }
    },
    expected: Buffer.concat(bytes),
  };
}

/** A sink that holds every write's callback until `flow()`: a client that stopped reading. */
class StalledSink extends Writable {
  received: Buffer[] = [];
  private held: (() => void)[] = [];
  private flowing = false;
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.received.push(chunk);
    if (this.flowing) callback();
    else this.held.push(callback);
  }
  flow(): void {
    this.flowing = true;
    this.held.splice(0).forEach((callback) => callback());
  }
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('multipartRelated with a sink', () => {
  test('lent buffers go back only once the sink has passed their bytes on; a stalled sink stops the reads', async () => {
    const log = { lent: 0, released: 0 };
    const parts = ['a', 'b', 'c', 'd'].map((name) => lentPart(name, 3, 100_000, log));
    const sink = new StalledSink({ highWaterMark: 16_384 });
    const { contentType, body, length } = multipartRelated('application/dicom', parts, { sink });
    body.pipe(sink);
    await turns(50);
    assert.equal(log.released, 0, 'a buffer went back while the sink still held its bytes');
    assert.ok(log.lent <= 3, `${log.lent} chunks read for a sink that takes nothing`);
    sink.flow();
    await once(sink, 'finish');
    await turns(2);
    assert.equal(log.lent, 12);
    assert.equal(log.released, 12);
    const bytes = Buffer.concat(sink.received);
    assert.equal(bytes.byteLength, length);
    const boundary = /boundary=(\S+)/.exec(contentType)![1]!;
    const reader = new MultipartReader(Readable.from([bytes]), boundary, LIMITS);
    for (const part of parts) assert.deepEqual(await buffer((await reader.nextPart())!.body), part.expected);
    assert.equal(await reader.nextPart(), undefined);
  });

  test('a body destroyed midway (the client went away) closes its parts and gives back nothing still in the sink', async () => {
    const log: LentLog = { lent: 0, released: 0, releasedChunks: [] };
    let closed = 0;
    const parts = ['a', 'b', 'c'].map((name) => {
      const part = lentPart(name, 3, 100_000, log);
      const readLent = part.readLent;
      return {
        ...part,
        readLent: async function* () {
          try {
            yield* readLent();
          } finally {
            closed++;
          }
        },
      };
    });
    const sink = new StalledSink({ highWaterMark: 16_384 });
    const { body } = multipartRelated('application/dicom', parts, { sink });
    body.pipe(sink);
    await turns(20);
    body.destroy();
    await turns(20);
    assert.ok(log.lent > 0);
    // A chunk read ahead and never passed to the sink may go back; none the sink was given.
    const given = log.releasedChunks!.filter((chunk) => sink.received.some((r) => r.buffer === chunk.buffer));
    assert.equal(given.length, 0, 'a buffer the sink still held went back');
    assert.ok(sink.received.length > 0);
    assert.equal(closed, 2, 'the part being sent and the one opened ahead are closed');
  });
});
