import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MultipartError, MultipartReader, isValidBoundary } from './multipart-reader.js';

const LIMITS = { maxBodyBytes: 1024 * 1024, maxParts: 100 };

function body(parts: string[], boundary = 'b-1') {
  return (
    'preamble to ignore\r\n' +
    parts.map((p) => `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n${p}\r\n`).join('') +
    `--${boundary}--\r\nepilogue`
  );
}

/** The body in pieces of `size` bytes, counting how many pieces have been taken. */
function source(text: string | Buffer, size: number) {
  const bytes = Buffer.from(text);
  const state = { pulled: 0 };
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) {
      state.pulled++;
      yield bytes.subarray(i, i + size);
    }
  }
  return { chunks: chunks(), state };
}

async function readAll(reader: MultipartReader): Promise<{ type: string; text: string }[]> {
  const parts = [];
  for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
    const pieces: Buffer[] = [];
    for await (const chunk of part.body) pieces.push(Buffer.from(chunk));
    parts.push({ type: part.mediaType, text: Buffer.concat(pieces).toString() });
  }
  return parts;
}

describe('MultipartReader', () => {
  test('reads the parts whatever the chunk sizes, delimiters split anywhere', async () => {
    const parts = ['first part', '', 'third\r\n--b-2 a near miss\r\n--b-', 'x'.repeat(5000)];
    for (const size of [1, 2, 3, 7, 16, 100, 4096, 100_000]) {
      const reader = new MultipartReader(source(body(parts), size).chunks, 'b-1', LIMITS);
      const read = await readAll(reader);
      assert.deepEqual(
        read.map((p) => p.text),
        parts,
        `chunks of ${size}`,
      );
      assert.ok(read.every((p) => p.type === 'application/dicom'));
    }
  });

  test('reads the parts when the body arrives in two pieces, cut at any byte', async () => {
    const bytes = Buffer.from(body(['one', 'two']));
    for (let cut = 1; cut < bytes.length; cut++) {
      async function* twoPieces() {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      }
      const read = await readAll(new MultipartReader(twoPieces(), 'b-1', LIMITS));
      assert.deepEqual(
        read.map((p) => p.text),
        ['one', 'two'],
        `cut at ${cut}`,
      );
    }
  });

  test('reads the body only as fast as the parts are consumed', async () => {
    const { chunks, state } = source(body(['a'.repeat(64 * 1024), 'b'.repeat(64 * 1024)]), 1024);
    const reader = new MultipartReader(chunks, 'b-1', LIMITS);
    const part = await reader.nextPart();
    const iterator = part!.body[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    assert.ok(state.pulled <= 3, `pulled ${state.pulled} chunks for two`);
  });

  test('a part left unread is skipped by the next one', async () => {
    const reader = new MultipartReader(source(body(['skip me', 'keep me']), 3).chunks, 'b-1', LIMITS);
    await reader.nextPart();
    const second = await reader.nextPart();
    const pieces: Uint8Array[] = [];
    for await (const chunk of second!.body) pieces.push(chunk);
    assert.equal(Buffer.concat(pieces).toString(), 'keep me');
    assert.equal(await reader.nextPart(), undefined);
  });

  test('a body cut short, without delimiters or over a limit fails with a reason', async () => {
    const whole = body(['some bytes', 'more bytes']);
    const failure = async (text: string, limits = LIMITS) => {
      const reader = new MultipartReader(source(text, 5).chunks, 'b-1', limits);
      return readAll(reader).then(
        () => assert.fail('no error'),
        (error: unknown) => error as MultipartError,
      );
    };
    assert.equal((await failure(whole.slice(0, 60))).failure, 'malformed');
    assert.equal((await failure('no delimiter here at all')).failure, 'malformed');
    assert.equal((await failure('')).failure, 'malformed');
    assert.equal((await failure(whole, { maxBodyBytes: 50, maxParts: 10 })).failure, 'body-too-large');
    assert.equal((await failure(whole, { maxBodyBytes: 1000, maxParts: 1 })).failure, 'too-many-parts');
  });

  test('boundaries follow RFC 2046', () => {
    assert.ok(isValidBoundary('simple-boundary'));
    assert.ok(isValidBoundary("with space and '()+_,-./:=?"));
    assert.ok(!isValidBoundary(''));
    assert.ok(!isValidBoundary('ends with space '));
    assert.ok(!isValidBoundary('x'.repeat(71)));
    assert.ok(!isValidBoundary('semi;colon'));
  });
});
