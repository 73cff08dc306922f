import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { elementsFollowEncapsulated, encapsulatedFragments } from './encapsulated-fragments.js';

function item(tag: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(tag, 0);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

const ITEM = 0xe000fffe;
const DELIMITER = 0xe0ddfffe;
const encapsulated = Buffer.concat([
  item(ITEM, Buffer.from([0, 0, 0, 0])), // Basic Offset Table with one entry
  item(ITEM, Buffer.from('frame-one')),
  item(ITEM, Buffer.from('frame-two!')),
  item(DELIMITER, Buffer.alloc(0)),
  Buffer.from([0xfc, 0xff, 0xfc, 0xff]), // what follows the pixel data is not read
]);

test('fragment values are streamed without the offset table, whatever the chunk boundaries', async () => {
  for (const size of [1, 3, 7, 8, 13, encapsulated.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < encapsulated.length; i += size) chunks.push(encapsulated.subarray(i, i + size));
    const out = await buffer(encapsulatedFragments(Readable.from(chunks)));
    assert.equal(out.toString(), 'frame-oneframe-two!', `chunks of ${size}`);
  }
});

test('a truncated or malformed value is an error, not a short answer', async () => {
  await assert.rejects(
    buffer(encapsulatedFragments(Readable.from([encapsulated.subarray(0, 20)]))),
    /truncated/,
  );
  await assert.rejects(buffer(encapsulatedFragments(Readable.from([Buffer.alloc(16, 1)]))), /not an item/);
});

test('elements after encapsulated pixel data are noticed; the delimiter of a trailing sequence is not the end', async () => {
  const readAt = (bytes: Buffer) => async (start: number, length: number) =>
    bytes.subarray(start, start + length);
  const pixels = encapsulated.subarray(0, encapsulated.length - 4);
  const prefix = Buffer.alloc(20, 7);
  const at = (bytes: Buffer) => elementsFollowEncapsulated(readAt(bytes), prefix.length, bytes.length);
  assert.equal(await at(Buffer.concat([prefix, pixels])), false);
  assert.equal(
    await at(Buffer.concat([prefix, pixels, Buffer.from([0xfc, 0xff, 0xfc, 0xff, 0, 0, 0, 0])])),
    true,
  );
  // (FFFA,FFFA) Digital Signatures Sequence of undefined length: the file ends with a sequence delimiter too.
  const signatures = Buffer.concat([
    Buffer.from([0xfa, 0xff, 0xfa, 0xff, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff]),
    item(DELIMITER, Buffer.alloc(0)),
  ]);
  assert.equal(await at(Buffer.concat([prefix, pixels, signatures])), true);
  assert.equal(await at(Buffer.concat([prefix, pixels.subarray(0, 30)])), true, 'malformed: read it all');
});
