import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeText } from './character-sets.js';
import { textValues } from './element-values.js';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

test('padding goes per VR: trailing spaces and NULs always, leading spaces but for text that keeps them', () => {
  assert.deepEqual(textValues(bytes(' ORIGINAL \\ PRIMARY  \\AXIAL '), 'CS', []), [
    'ORIGINAL',
    'PRIMARY',
    'AXIAL',
  ]);
  assert.deepEqual(textValues(bytes('1.2.840.10008.1.2.1\0'), 'UI', []), ['1.2.840.10008.1.2.1']);
  assert.deepEqual(textValues(bytes('  indented line  '), 'LT', []), ['  indented line']);
  assert.deepEqual(textValues(bytes(' Doe^John '), 'PN', []), [' Doe^John']);
  assert.deepEqual(textValues(bytes('    '), 'LO', []), ['']);
  assert.deepEqual(textValues(bytes('a\\\\b'), 'LO', []), ['a', '', 'b']);
});

test('the same bytes decode under each data set’s own character set', () => {
  const value = Uint8Array.from([0x4d, 0xc3, 0xbc, 0x6c, 0x6c, 0x65, 0x72]); // "Müller" in UTF-8
  assert.equal(decodeText(value, ['ISO_IR 192'], 'PN'), 'Müller');
  assert.equal(decodeText(value, ['ISO_IR 100'], 'PN'), 'MÃ¼ller');
  assert.equal(decodeText(value, [], 'PN'), 'MÃ¼ller');
  const long = Uint8Array.from(Buffer.from('é'.repeat(100), 'latin1'));
  assert.equal(decodeText(long, ['ISO_IR 100'], 'LT'), 'é'.repeat(100));
});
