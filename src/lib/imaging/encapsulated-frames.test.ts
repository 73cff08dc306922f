import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupFrames, readEncapsulatedItems } from './encapsulated-frames.js';

/** Items as they follow the Pixel Data header: (FFFE,E000) items, then the sequence delimiter. */
function items(...values: number[][]): Uint8Array {
  const parts = values.map((v) => {
    const out = Buffer.alloc(8 + v.length);
    out.writeUInt32LE(0xe000fffe, 0);
    out.writeUInt32LE(v.length, 4);
    Buffer.from(v).copy(out, 8);
    return out;
  });
  const end = Buffer.alloc(8);
  end.writeUInt32LE(0xe0ddfffe, 0);
  return Buffer.concat([...parts, end]);
}

const table = (...offsets: number[]) => offsets.flatMap((o) => [o & 0xff, (o >> 8) & 0xff, 0, 0]);

test('frames follow the Basic Offset Table, spanning several fragments', () => {
  const parsed = readEncapsulatedItems(items(table(0, 20), [1, 2], [3, 4], [5, 6], [7, 8]), 0);
  assert.deepEqual(parsed.basicOffsetTable, [0, 20]);
  const frames = groupFrames(parsed, 2).map((f) => f.map((x) => [...x]));
  assert.deepEqual(frames, [
    [
      [1, 2],
      [3, 4],
    ],
    [
      [5, 6],
      [7, 8],
    ],
  ]);
});

test('without a table: one fragment a frame, all for one frame, or split where a codestream starts', () => {
  const one = readEncapsulatedItems(items([], [1, 2], [3, 4]), 0);
  assert.equal(groupFrames(one, 2).length, 2);
  assert.equal(groupFrames(one, 1)[0]!.length, 2);
  const jpeg = readEncapsulatedItems(
    items([], [0xff, 0xd8, 1, 1], [2, 2], [0xff, 0xd8, 3, 3], [4, 4], [5, 5]),
    0,
  );
  assert.deepEqual(
    groupFrames(jpeg, 2).map((f) => f.length),
    [2, 3],
  );
});
