import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, toCsv } from './charge-csv.js';

test('RFC 4180: fields with comma, quote, CR or LF are quoted, quotes doubled; null is empty', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField(12), '12');
  assert.equal(csvField(null), '');
  assert.equal(csvField(''), '');
  assert.equal(csvField('26,TC'), '"26,TC"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\rhere'), '"cr\rhere"');
  assert.equal(csvField(' spaced '), ' spaced ');
});

test('records end in CRLF, the header first', () => {
  assert.equal(
    toCsv(
      ['a', 'b'],
      [
        ['1', 'x,y'],
        [null, 2],
      ],
    ),
    'a,b\r\n1,"x,y"\r\n,2\r\n',
  );
  assert.equal(toCsv(['only'], []), 'only\r\n');
});
