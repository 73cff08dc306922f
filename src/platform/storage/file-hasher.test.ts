import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileHasher } from './file-hasher.js';

const hasher = new FileHasher();
after(() => hasher.close());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const folder = await mkdtemp(join(tmpdir(), 'lantern-file-hasher-'));
let named = 0;
const newFile = () => openSync(join(folder, `f${named++}`), 'w+');

/** Writes `bytes` in steps, telling the job after each; returns the job's digest. */
async function writeAndHash(source: FileHasher, bytes: Uint8Array, step: number): Promise<string> {
  const fd = newFile();
  try {
    const job = source.begin(fd);
    for (let at = 0; at < bytes.length; at += step) {
      writeSync(fd, bytes, at, Math.min(step, bytes.length - at), at);
      job.written(Math.min(at + step, bytes.length));
      if (at % (4 * step) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return await job.digest(bytes.length);
  } finally {
    closeSync(fd);
  }
}

test('files written at once, in steps of any size, get the digests of their bytes', async () => {
  // Past the worker's read buffer and its hint step, and many more records than slots.
  const files = Array.from({ length: 12 }, (_, i) => randomBytes(100_000 + i * 250_000));
  const steps = [1_000, 16_384, 131_072, 3_000_000];
  const keys = await Promise.all(
    files.map((bytes, i) => writeAndHash(hasher, bytes, steps[i % steps.length]!)),
  );
  files.forEach((bytes, i) => assert.equal(keys[i], sha256(bytes)));
});

test('a dropped job leaves the others whole; an empty file has the empty digest', async () => {
  const droppedFd = newFile();
  writeSync(droppedFd, randomBytes(2_000_000));
  const dropped = hasher.begin(droppedFd);
  dropped.written(2_000_000);
  const bytes = randomBytes(300_000);
  const kept = writeAndHash(hasher, bytes, 65_536);
  await dropped.drop();
  closeSync(droppedFd);
  assert.equal(await kept, sha256(bytes));
  assert.equal(await writeAndHash(hasher, new Uint8Array(0), 1), sha256(new Uint8Array(0)));
});

test('a file shorter than the size asked for fails its job, not the next ones', async () => {
  const fd = newFile();
  writeSync(fd, Buffer.from('short'));
  await assert.rejects(hasher.begin(fd).digest(100), /shorter than what was written/);
  closeSync(fd);
  const bytes = randomBytes(50_000);
  assert.equal(await writeAndHash(hasher, bytes, 10_000), sha256(bytes));
});

test('jobs in flight when the worker goes, and later ones, are read back and hashed in line', async () => {
  const closing = new FileHasher();
  const files = Array.from({ length: 4 }, () => randomBytes(1_500_000));
  const inFlight = files.map((bytes) => writeAndHash(closing, bytes, 500_000));
  const closed = closing.close();
  assert.deepEqual(await Promise.all(inFlight), files.map(sha256));
  await closed;
  const later = randomBytes(700_000);
  assert.equal(await writeAndHash(closing, later, 100_000), sha256(later));
});
