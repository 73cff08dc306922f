import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanHeader } from '../lib/dicom/index.js';
import { syntheticCtInstance } from '../../test/support/synthetic-ct.js';
import { readHeaderFacts } from './header-facts.js';
import { HeaderFactsWorker } from './header-facts-worker-pool.js';
import { HeaderWhileStaging, type HeaderReader } from './header-while-staging.js';
import { readInstanceAttributes } from './instance-attributes.js';
import { metadataAtIngest } from './instance-metadata.js';

/** The bytes in pieces of `size`, as a network peer delivers them. */
async function* pieces(bytes: Uint8Array, size = 16 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(chunk);
  return Buffer.concat(parts);
}

const ct = syntheticCtInstance({ seed: 7, rows: 128, columns: 128 });
const inLine: HeaderReader = async (prefix, transferSyntaxUid) => readHeaderFacts(prefix, transferSyntaxUid);

test('the header read while the bytes arrive gives what reading it after staging gives', async () => {
  const early = new HeaderWhileStaging(undefined, inLine);
  assert.deepEqual(await drain(early.tap(pieces(ct))), Buffer.from(ct));
  const header = scanHeader(ct);
  const facts = await early.result(ct.length);
  assert.ok(facts);
  assert.deepEqual(facts.attributes, readInstanceAttributes(header, ct.length));
  assert.equal(facts.metadata, metadataAtIngest(header, ct.length));
  assert.ok(facts.metadata);
});

test('a file of another size than its pixel data announces gets nothing: the scan after staging decides', async () => {
  const early = new HeaderWhileStaging(undefined, inLine);
  const cut = ct.subarray(0, ct.length - 100);
  await drain(early.tap(pieces(cut)));
  assert.equal(await early.result(cut.length), undefined);
  // A longer file (elements after the pixel data) is not what the early metadata assumed either.
  assert.equal(await early.result(ct.length + 10), undefined);
});

test('bytes that are not DICOM pass through unchanged and give nothing', async () => {
  const early = new HeaderWhileStaging(undefined, inLine);
  const junk = Buffer.alloc(40_000, 0x41);
  assert.deepEqual(await drain(early.tap(pieces(junk, 1000))), junk);
  assert.equal(await early.result(junk.length), undefined);
});

test('the header worker reads what the thread itself reads, for every piece size and file size', async () => {
  const worker = new HeaderFactsWorker();
  try {
    assert.equal(await worker.whenReady(), true);
    const reader: HeaderReader = (prefix, transferSyntaxUid) => worker.read(prefix, transferSyntaxUid);
    const small = syntheticCtInstance({ seed: 8, rows: 16, columns: 16 });
    for (const bytes of [ct, small]) {
      const header = scanHeader(bytes);
      for (const size of [100, 4096, 65_536, bytes.length]) {
        const early = new HeaderWhileStaging(undefined, reader);
        assert.deepEqual(await drain(early.tap(pieces(bytes, size))), Buffer.from(bytes));
        const facts = await early.result(bytes.length);
        assert.ok(facts, `pieces of ${size}`);
        assert.deepEqual(facts.attributes, readInstanceAttributes(header, bytes.length));
        assert.equal(facts.metadata, metadataAtIngest(header, bytes.length));
      }
    }
    const junk = new HeaderWhileStaging(undefined, reader);
    await drain(junk.tap(pieces(Buffer.alloc(300_000, 0x41), 65_536)));
    assert.equal(await junk.result(300_000), undefined);
  } finally {
    await worker.close();
  }
});

test('a header longer than the first reading is read again with more bytes', async () => {
  const sizes: number[] = [];
  const counting: HeaderReader = async (prefix, transferSyntaxUid) => {
    sizes.push(prefix.length);
    return readHeaderFacts(prefix, transferSyntaxUid);
  };
  // A long private value puts the pixel data past the first 16 KiB.
  const long = syntheticCtInstance({
    seed: 9,
    rows: 64,
    columns: 64,
    studyDescription: 'x'.repeat(40_000),
  });
  const early = new HeaderWhileStaging(undefined, counting);
  await drain(early.tap(pieces(long, 4096)));
  assert.ok(await early.result(long.length));
  assert.ok(sizes.length >= 2 && sizes[0]! < 40_000, `readings of ${sizes.join(', ')} bytes`);
});
