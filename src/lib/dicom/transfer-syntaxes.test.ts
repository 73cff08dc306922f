import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isBigEndian,
  isDeflated,
  isEncapsulated,
  isImplicitVr,
  keywordForTag,
  tagForKeyword,
  tags,
  transferSyntaxName,
} from './index.js';

test('transfer syntax properties (PS3.5 10, A.4)', () => {
  assert.ok(isImplicitVr('1.2.840.10008.1.2') && !isEncapsulated('1.2.840.10008.1.2'));
  assert.ok(isBigEndian('1.2.840.10008.1.2.2') && !isImplicitVr('1.2.840.10008.1.2.2'));
  assert.ok(isDeflated('1.2.840.10008.1.2.1.99') && !isEncapsulated('1.2.840.10008.1.2.1.99'));
  assert.ok(isEncapsulated('1.2.840.10008.1.2.4.80') && isEncapsulated('1.2.840.10008.1.2.5'));
  assert.equal(transferSyntaxName('1.2.840.10008.1.2.4.90'), 'JPEG 2000 Image Compression (Lossless Only)');
  // An unknown UID is assumed explicit VR little endian, encapsulated (PS3.5 A.4).
  assert.ok(isEncapsulated('1.2.3.4') && !isImplicitVr('1.2.3.4') && !isBigEndian('1.2.3.4'));
});

test('tags and the dictionary agree', () => {
  assert.equal(tags.PatientName, '00100010');
  assert.equal(tags.PixelData, '7FE00010');
  for (const [keyword, tag] of Object.entries(tags)) {
    assert.equal(tagForKeyword(keyword), tag, keyword);
    assert.equal(keywordForTag(tag), keyword, tag);
  }
  assert.equal(tagForKeyword('NoSuchKeyword'), undefined);
  assert.equal(keywordForTag('00091001'), undefined);
});
