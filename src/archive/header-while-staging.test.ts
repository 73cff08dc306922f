import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanHeader } from '../lib/dicom/index.js';
import { syntheticCtInstance } from '../../test/support/synthetic-ct.js';
import { HeaderWhileStaging } from './header-while-staging.js';
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

test('the header read while the bytes arrive gives what reading it after staging gives', async () => {
  const early = new HeaderWhileStaging(undefined);
  assert.deepEqual(await drain(early.tap(pieces(ct))), Buffer.from(ct));
  const header = scanHeader(ct);
  const facts = early.result(ct.length);
  assert.ok(facts);
  assert.deepEqual(facts.attributes, readInstanceAttributes(header, ct.length));
  assert.equal(facts.metadata, metadataAtIngest(header, ct.length));
  assert.ok(facts.metadata);
});

test('a file of another size than its pixel data announces gets nothing: the scan after staging decides', async () => {
  const early = new HeaderWhileStaging(undefined);
  const cut = ct.subarray(0, ct.length - 100);
  await drain(early.tap(pieces(cut)));
  assert.equal(early.result(cut.length), undefined);
  // A longer file (elements after the pixel data) is not what the early metadata assumed either.
  assert.equal(early.result(ct.length + 10), undefined);
});

test('bytes that are not DICOM pass through unchanged and give nothing', async () => {
  const early = new HeaderWhileStaging(undefined);
  const junk = Buffer.alloc(40_000, 0x41);
  assert.deepEqual(await drain(early.tap(pieces(junk, 1000))), junk);
  assert.equal(early.result(junk.length), undefined);
});
