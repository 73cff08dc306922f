import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HashingWriters } from './hashing-writers.js';

const writers = new HashingWriters();
after(() => writers.close());

test('files written at once, in batches of any size, hold their bytes in order and hash to them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-hashing-'));
  const files = Array.from({ length: 6 }, (_, i) => ({
    path: join(dir, `f${i}`),
    bytes: randomBytes(300_000 + i),
  }));
  const keys = await Promise.all(
    files.map(async ({ path, bytes }, i) => {
      const fd = openSync(path, 'w');
      const writing = writers.begin(fd);
      // Batches of uneven sizes, several pieces each, as staging sends them.
      for (let at = 0, step = 1000 + i * 777; at < bytes.length; at += step * 3) {
        await writing.write([
          bytes.subarray(at, at + step),
          bytes.subarray(at + step, at + 2 * step),
          bytes.subarray(at + 2 * step, at + 3 * step),
        ]);
      }
      const key = await writing.finish();
      closeSync(fd);
      return key;
    }),
  );
  files.forEach(({ path, bytes }, i) => {
    assert.equal(keys[i], createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(readFileSync(path), bytes);
  });
});

test('a write that fails rejects finish with the reason, and the writer stays usable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-hashing-'));
  const path = join(dir, 'read-only');
  writeFileSync(path, '');
  const fd = openSync(path, 'r');
  const writing = writers.begin(fd);
  await writing.write([Buffer.from('no')]);
  await assert.rejects(writing.finish(), /EBADF|bad file descriptor/i);
  closeSync(fd);
  const ok = openSync(join(dir, 'ok'), 'w');
  const next = writers.begin(ok);
  await next.write([Buffer.from('yes')]);
  assert.equal(await next.finish(), createHash('sha256').update('yes').digest('hex'));
  closeSync(ok);
});
