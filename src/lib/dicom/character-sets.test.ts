import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeText, encodeText, readDataset, scanHeader, tags } from './index.js';
import { CHARSET_FILES } from './test-support.js';

/** Bytes from a string of \xNN escapes and ASCII, as FileInfo.txt writes them. */
function bytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

test('ISO 2022 code extensions reset at PN delimiters (PS3.5 6.1.2.5.3)', () => {
  assert.equal(
    decodeText(
      bytes('Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B'),
      ['', 'ISO 2022 IR 87'],
      'PN',
    ),
    'Yamada^Tarou=山田^太郎=やまだ^たろう',
  );
  // Korean G1 designation is lost at each '^' and '=' and so repeated in the value.
  assert.equal(
    decodeText(
      bytes('Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf'),
      ['', 'ISO 2022 IR 149'],
      'PN',
    ),
    'Hong^Gildong=洪^吉洞=홍^길동',
  );
  // A backslash inside LT is text, not a value delimiter.
  assert.equal(decodeText(bytes('a\\b'), ['ISO_IR 100'], 'LT'), 'a\\b');
  assert.equal(decodeText(bytes('\x1b-A\xe9t\xe9'), ['', 'ISO 2022 IR 100'], 'LO'), 'été');
  assert.equal(decodeText(bytes('\xcd\xf5'), ['GBK'], 'LO'), '王');
});

test('encodeText refuses text its character set cannot hold', () => {
  assert.deepEqual([...encodeText('é', ['ISO_IR 100'])], [0xe9]);
  assert.deepEqual([...encodeText('é', ['ISO_IR 192'])], [0xc3, 0xa9]);
  assert.throws(() => encodeText('山田', ['']), /cannot encode/);
});

// PatientName per charset_files/FileInfo.txt (decoded), and for the files it does not list, the values the
// pydicom 2.3 test suite expects (test_charset.py).
const EXPECTED: Record<string, string> = {
  'chrArab.dcm': 'قباني^لنزار',
  'chrFren.dcm': 'Buc^Jérôme',
  'chrFrenMulti.dcm': 'Buc^Jérôme',
  'chrGerm.dcm': 'Äneas^Rüdiger',
  'chrGreek.dcm': 'Διονυσιος',
  'chrH31.dcm': 'Yamada^Tarou=山田^太郎=やまだ^たろう',
  'chrH32.dcm': 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
  'chrHbrw.dcm': 'שרון^דבורה',
  'chrI2.dcm': 'Hong^Gildong=洪^吉洞=홍^길동',
  'chrJapMulti.dcm': 'やまだ^たろう',
  'chrJapMultiExplicitIR6.dcm': 'やまだ^たろう',
  'chrKoreanMulti.dcm': '김희중',
  'chrRuss.dcm': 'Люкceмбypг',
  'chrX1.dcm': 'Wang^XiaoDong=王^小東=',
  'chrX2.dcm': 'Wang^XiaoDong=王^小东=',
};

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`charset_files/${file}: PatientName decodes`, () => {
    const header = scanHeader(readFileSync(join(CHARSET_FILES, file)));
    assert.equal(header.string(tags.PatientName), expected);
    const [alphabetic, ideographic] = expected.split('=');
    assert.equal(header.personName(tags.PatientName)?.alphabetic, alphabetic || undefined);
    assert.equal(header.personName(tags.PatientName)?.ideographic, ideographic || undefined);
  });
}

test('charset_files: a sequence item with its own Specific Character Set (chrSQEncoding*)', () => {
  for (const file of ['chrSQEncoding.dcm', 'chrSQEncoding1.dcm']) {
    const dataset = readDataset(readFileSync(join(CHARSET_FILES, file)));
    const names = JSON.stringify(dataset.elements);
    assert.match(names, /ﾔﾏﾀﾞ\^ﾀﾛｳ/, file);
    assert.match(names, /山田\^太郎/, file);
    assert.match(names, /やまだ\^たろう/, file);
  }
});

test('charset_files: multi-valued PN and LO (chrFrenMulti)', () => {
  const header = scanHeader(readFileSync(join(CHARSET_FILES, 'chrFrenMulti.dcm')));
  assert.deepEqual(header.strings('00101001'), ['Buc^Jérôme', 'Buc^Jérôme']);
  assert.deepEqual(header.strings('00101000'), ['eggs', 'spam']);
});
