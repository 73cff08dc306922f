import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticCtInstance } from '../../../test/support/synthetic-ct.js';
import { decodeFrame } from './frame-decoder.js';
import { canTranscodeFrame, frameInSyntax } from './frame-transcoding.js';
import { ImagingError } from './imaging-error.js';
import { openStoredPixels } from './stored-pixels.js';

const LOSSLESS = [
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.4.70',
];

test('a native CT frame encoded losslessly decodes to the same samples', async () => {
  const pixels = openStoredPixels(syntheticCtInstance({ seed: 7, rows: 64, columns: 96 }));
  const original = pixels.frame(1);
  for (const ts of LOSSLESS) {
    const encoded = await frameInSyntax(pixels, 1, ts);
    assert.ok(encoded.length < original.length, `${ts} compresses`);
    const decoded = await decodeFrame(encoded, pixels.description, ts);
    assert.deepEqual(Buffer.from(decoded.pixels), Buffer.from(original), ts);
  }
});

test('12-bit samples cannot become JPEG baseline; unknown syntaxes are refused', async () => {
  const pixels = openStoredPixels(syntheticCtInstance({ seed: 7, rows: 16, columns: 16 }));
  await assert.rejects(frameInSyntax(pixels, 1, '1.2.840.10008.1.2.4.50'), ImagingError);
  assert.equal(canTranscodeFrame('1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.100'), false);
  assert.equal(canTranscodeFrame('1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.1'), false);
  assert.throws(
    () => pixels.frame(2),
    (e: ImagingError) => e.kind === 'not-found',
  );
});
