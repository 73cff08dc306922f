import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PositionedWrites } from './positioned-writes.js';

const folder = () => mkdtemp(join(tmpdir(), 'lantern-writes-'));

test('files written at once, in batches of any size and many pieces, hold their bytes in order, told as written', async () => {
  const dir = await folder();
  const files = Array.from({ length: 6 }, (_, i) => ({
    path: join(dir, `f${i}`),
    bytes: randomBytes(300_000 + i),
  }));
  await Promise.all(
    files.map(async ({ path, bytes }, i) => {
      const fd = openSync(path, 'w');
      const told: number[] = [];
      const writes = new PositionedWrites(fd, (upTo) => {
        // What the callback reports as written is on the file already.
        assert.deepEqual(readFileSync(path).subarray(0, upTo), bytes.subarray(0, upTo));
        told.push(upTo);
      });
      const step = 1000 + i * 777;
      for (let at = 0; at < bytes.length; at += step * 3) {
        const pieces = [0, 1, 2].map((k) => bytes.subarray(at + k * step, at + (k + 1) * step));
        await writes.write(
          pieces,
          pieces.reduce((n, p) => n + p.byteLength, 0),
        );
      }
      await writes.finish();
      closeSync(fd);
      assert.deepEqual(
        told,
        [...told].sort((a, b) => a - b),
      );
      assert.equal(told.at(-1), bytes.length);
    }),
  );
  for (const { path, bytes } of files) assert.deepEqual(readFileSync(path), bytes);
});

test('a batch of more pieces than one system call takes (IOV_MAX) is written whole', async () => {
  const path = join(await folder(), 'many');
  const bytes = randomBytes(7 * 3000);
  const pieces = Array.from({ length: 3000 }, (_, k) => bytes.subarray(k * 7, k * 7 + 7));
  const fd = openSync(path, 'w');
  const writes = new PositionedWrites(fd);
  writes.writeNow(pieces.slice(0, 1500), 7 * 1500);
  await writes.write(pieces.slice(1500), 7 * 1500);
  await writes.finish();
  closeSync(fd);
  assert.deepEqual(readFileSync(path), bytes);
});

test('a write that fails rejects with its reason, and so does every later write', async () => {
  const path = join(await folder(), 'read-only');
  writeFileSync(path, '');
  const fd = openSync(path, 'r');
  const writes = new PositionedWrites(fd);
  await writes.write([Buffer.from('no')], 2);
  await assert.rejects(writes.finish(), /EBADF|bad file descriptor/i);
  await assert.rejects(writes.write([Buffer.from('again')], 5), /EBADF|bad file descriptor/i);
  closeSync(fd);
});
