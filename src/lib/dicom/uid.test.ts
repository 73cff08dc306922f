import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateUid, isValidUid, uuidToUid } from './index.js';

test('generateUid gives distinct valid 2.25 UIDs (PS3.5 B.2)', () => {
  const a = generateUid();
  assert.match(a, /^2\.25\.[1-9][0-9]*$/);
  assert.ok(isValidUid(a) && a.length <= 64);
  assert.notEqual(a, generateUid());
  assert.equal(uuidToUid('00000000-0000-0000-0000-000000000001'), '2.25.1');
  assert.equal(uuidToUid('ffffffff-ffff-ffff-ffff-ffffffffffff'), `2.25.${2n ** 128n - 1n}`);
});

test('isValidUid follows PS3.5 9.1', () => {
  for (const ok of ['1.2.840.10008.1.2', '0.1', '2.25.0']) assert.ok(isValidUid(ok), ok);
  for (const bad of ['', '1..2', '1.02', '1.2.', 'a.b', '1.2 ', `1.${'1'.repeat(63)}`])
    assert.ok(!isValidUid(bad), bad);
});
