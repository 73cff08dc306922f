import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { encapsulatedFragments } from './encapsulated-fragments.js';

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
