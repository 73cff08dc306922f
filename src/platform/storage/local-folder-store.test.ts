import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, test } from 'node:test';
import { LocalFolderStore } from './local-folder-store.js';
import { stagedLeftovers } from '../../../test/support/staged-leftovers.js';

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));

const opened: LocalFolderStore[] = [];
after(() => Promise.all(opened.map((store) => store.close())));

async function newStore() {
  const root = await mkdtemp(join(tmpdir(), 'lantern-blobs-'));
  const store = await LocalFolderStore.open(root);
  opened.push(store);
  return { root, store };
}

test('a committed blob is named by the SHA-256 of its bytes and reads back whole or by range', async () => {
  const { store } = await newStore();
  const staged = await store.stage(chunks('hello ', 'DICOM ', 'world'));
  const expected = createHash('sha256').update('hello DICOM world').digest('hex');
  assert.equal(staged.key, expected);
  assert.equal(staged.size, 17);
  const key = await store.commit(staged);
  assert.equal((await buffer(store.open(key))).toString(), 'hello DICOM world');
  assert.equal((await buffer(store.open(key, { start: 6, end: 10 }))).toString(), 'DICOM');
  assert.equal(await store.size(key), 17);
  assert.equal(await store.rehash(key), key);
});

test('nothing is visible under a key until commit, and discard leaves no file behind', async () => {
  const { root, store } = await newStore();
  const staged = await store.stage(chunks('unfinished'));
  assert.equal(await store.size(staged.key), undefined);
  await store.discard(staged);
  assert.deepEqual(await stagedLeftovers(root), []);
  const keys = [];
  for await (const key of store.keys()) keys.push(key);
  assert.deepEqual(keys, []);
});

test('an upload over the size limit fails and leaves no temporary file', async () => {
  const { root, store } = await newStore();
  await assert.rejects(store.stage(chunks('0123456789', 'abcdef'), { maxBytes: 12 }), /exceeds the limit/);
  assert.deepEqual(await stagedLeftovers(root), []);
});

test('keys lists every committed blob; a tampered file no longer hashes to its name', async () => {
  const { root, store } = await newStore();
  const a = await store.commit(await store.stage(chunks('first')));
  const b = await store.commit(await store.stage(chunks('second')), { fsync: false });
  const keys = [];
  for await (const key of store.keys()) keys.push(key);
  assert.deepEqual(keys.sort(), [a, b].sort());
  await writeFile(join(root, 'blobs', a.slice(0, 2), a), 'tampered');
  assert.notEqual(await store.rehash(a), a);
  await store.remove(b);
  assert.equal(await store.size(b), undefined);
});

test('a source stream that fails midway leaves nothing staged', async () => {
  const { root, store } = await newStore();
  async function* broken() {
    yield Buffer.from('partial');
    throw new Error('connection reset');
  }
  await assert.rejects(store.stage(broken()), /connection reset/);
  assert.deepEqual(await stagedLeftovers(root), []);
});

test('blobs committed without fsync are flushed as a group, even if one was removed meanwhile', async () => {
  const { store } = await newStore();
  const keys = [];
  for (const text of ['one', 'two', 'three'])
    keys.push(await store.commit(await store.stage(chunks(text)), { fsync: false }));
  await store.remove(keys[1]!);
  await store.flush();
  await store.flush();
  assert.equal(await store.size(keys[0]!), 3);
});

test('many small pieces are stored whole and in order', async () => {
  const { store } = await newStore();
  const pieces = Array.from({ length: 100 }, (_, i) => Buffer.alloc(16 * 1024, i));
  const staged = await store.stage(Readable.from(pieces));
  const key = await store.commit(staged, { fsync: false });
  assert.ok((await buffer(store.open(key))).equals(Buffer.concat(pieces)));
  assert.equal(key, createHash('sha256').update(Buffer.concat(pieces)).digest('hex'));
  assert.equal(staged.size, 100 * 16 * 1024);
});

test('after a crash, blobs the dead process committed but nobody indexed are removed; indexed ones stay', async () => {
  const { root } = await newStore();
  const { writeFile } = await import('node:fs/promises');
  const store = await LocalFolderStore.open(root);
  opened.push(store);
  const indexed = await store.commit(await store.stage(chunks('indexed')), { fsync: false });
  const orphan = await store.commit(await store.stage(chunks('never indexed')), { fsync: false });
  // What a killed process leaves: its journal under a PID that no longer runs.
  await writeFile(join(root, 'commits-999999999.log'), `${indexed}\n${orphan}\n`);
  const removed = await store.recoverInterrupted(async (keys) => new Set(keys.filter((k) => k === indexed)));
  assert.equal(removed, 1);
  assert.equal(await store.size(orphan), undefined);
  assert.equal(await store.size(indexed), 7);
  assert.ok(!(await readdir(root)).includes('commits-999999999.log'));
  // Our own journal is left alone: its blobs may still be on their way into the index.
  assert.equal(await store.recoverInterrupted(async () => new Set()), 0);
  assert.equal(await store.size(indexed), 7);
});

test('more stores at once than files prepared each get a file of their own', async () => {
  const { store } = await newStore();
  const staged = await Promise.all(Array.from({ length: 12 }, (_, i) => store.stage(chunks(`at once ${i}`))));
  assert.equal(new Set(staged.map((s) => s.tempPath)).size, 12);
  const keys = await Promise.all(staged.map((s) => store.commit(s, { fsync: false })));
  for (const [i, key] of keys.entries()) assert.equal(await store.size(key), `at once ${i}`.length);
});

test('stores at once, hashed off this thread, are each named by the SHA-256 of their own bytes', async () => {
  const { store } = await newStore();
  const files = Array.from({ length: 6 }, (_, i) => randomBytes(1_200_000 + i * 70_000));
  const inPieces = (bytes: Buffer) =>
    Readable.from(
      Array.from({ length: Math.ceil(bytes.length / 16_384) }, (_, k) =>
        bytes.subarray(k * 16_384, (k + 1) * 16_384),
      ),
    );
  const staged = await Promise.all(files.map((bytes) => store.stage(inPieces(bytes))));
  for (const [i, blob] of staged.entries()) {
    assert.equal(blob.key, createHash('sha256').update(files[i]!).digest('hex'));
    assert.equal(await store.rehash(await store.commit(blob, { fsync: false })), blob.key);
  }
});

test('files opened ahead of need are used in turn and removed by close', async () => {
  const { root, store } = await newStore();
  const keys = new Set<string>();
  for (let i = 0; i < 10; i++) keys.add(await store.commit(await store.stage(chunks(`blob ${i}`))));
  assert.equal(keys.size, 10);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok((await readdir(join(root, 'tmp'))).length > 0, 'the next staging files are ready');
  await store.close();
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
});
