import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReadBufferPool, readLent } from './lent-reads.js';

async function fileOf(bytes: Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'lantern-lent-')), 'file');
  await writeFile(path, bytes);
  return path;
}

/** This process's file descriptors open on `path` (Linux). */
const openOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // the descriptor of the listing itself, closed by now
    }
  }).length;

test('a range reads back in chunks no larger than the buffers, which are reused once released', async () => {
  const bytes = randomBytes(10_000);
  const path = await fileOf(bytes);
  const pool = new ReadBufferPool(4096, 4);
  for (const [start, end] of [
    [0, 9_999],
    [1, 4096],
    [4096, 8191],
    [9_999, 9_999],
  ] as const) {
    const parts: Buffer[] = [];
    for await (const chunk of readLent(path, start, end, pool)) {
      assert.ok(chunk.bytes.byteLength <= 4096);
      parts.push(Buffer.from(chunk.bytes));
      chunk.release();
    }
    assert.deepEqual(Buffer.concat(parts), bytes.subarray(start, end + 1));
  }
  // Released buffers come back: the next read fills the same memory.
  const first = await readLent(path, 0, 99, pool).next();
  const lent = first.value!;
  const memory = lent.bytes.buffer;
  lent.release();
  lent.release(); // a second release changes nothing
  const again = (await readLent(path, 0, 99, pool).next()).value!;
  assert.equal(again.bytes.buffer, memory);
  const other = (await readLent(path, 0, 99, pool).next()).value!;
  assert.notEqual(other.bytes.buffer, memory, 'a buffer released twice was lent twice');
});

test('an empty range yields nothing; a file shorter than the range is an error, not a short read', async () => {
  const path = await fileOf(randomBytes(100));
  const pool = new ReadBufferPool(64, 2);
  const none = [];
  for await (const chunk of readLent(path, 0, -1, pool)) none.push(chunk);
  assert.equal(none.length, 0);
  await assert.rejects(async () => {
    for await (const chunk of readLent(path, 0, 199, pool)) chunk.release();
  }, /ends at byte 100, before the 200 expected/);
  await assert.rejects(readLent(join(path, '..', 'missing'), 0, 9, pool).next(), { code: 'ENOENT' });
});

test('a reader stopped early, or failing, closes its file', async () => {
  const path = await fileOf(randomBytes(10_000));
  const pool = new ReadBufferPool(1000, 2);
  for (let i = 0; i < 20; i++) {
    for await (const chunk of readLent(path, 0, 9_999, pool)) {
      chunk.release();
      break;
    }
    const reader = readLent(path, 0, 9_999, pool);
    (await reader.next()).value?.release();
    await reader.return();
    await assert.rejects(async () => {
      for await (const chunk of readLent(path, 0, 20_000, pool)) chunk.release();
    }, /ends at byte 10000/);
  }
  assert.equal(openOn(path), 0);
});
