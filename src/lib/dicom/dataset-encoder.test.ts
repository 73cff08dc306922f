import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeDataset, readDataset, IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN } from './index.js';

test('a bare data set round-trips in implicit and explicit VR, with non-ASCII names as UTF-8', () => {
  const elements = {
    '00080052': { vr: 'CS', Value: ['STUDY'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }] },
    '00100020': { vr: 'LO', Value: ['PAT1'] },
    '00201208': { vr: 'IS', Value: [12] },
    '0020000D': { vr: 'UI', Value: ['1.2.3.4'] },
    '00080020': { vr: 'DA' },
  };
  for (const ts of [IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN]) {
    const bytes = encodeDataset(elements, ts);
    assert.notEqual(bytes[0], 0, 'no preamble');
    const back = readDataset(bytes, { transferSyntaxUid: ts });
    assert.equal(back.hasFileMeta, false);
    assert.deepEqual(back.elements['00100010']?.Value, [
      { Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' },
    ]);
    assert.deepEqual(back.elements['00080005']?.Value, ['ISO_IR 192']);
    assert.deepEqual(back.elements['0020000D']?.Value, ['1.2.3.4']);
    assert.equal(Number(back.elements['00201208']?.Value?.[0]), 12);
    assert.ok('00080020' in back.elements, 'an empty attribute is sent empty');
  }
});
