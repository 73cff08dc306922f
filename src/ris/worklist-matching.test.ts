import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanternError } from '../platform/errors.js';
import { parseMatcher } from './worklist-matching.js';

const matches = (kind: Parameters<typeof parseMatcher>[1], key: string, value: string | null) =>
  parseMatcher('Key', kind, key)!(value);

describe('worklist matching (PS3.4 C.2.2.2)', () => {
  test('empty and all-asterisk keys are universal', () => {
    assert.equal(parseMatcher('Key', 'text', ''), undefined);
    assert.equal(parseMatcher('Key', 'text', '  '), undefined);
    assert.equal(parseMatcher('Key', 'text', '**'), undefined);
  });

  test('single values match exactly and case-sensitively; an absent value matches nothing', () => {
    assert.equal(matches('text', 'CT1', 'CT1'), true);
    assert.equal(matches('text', 'CT1', 'ct1'), false);
    assert.equal(matches('text', 'CT1', 'CT12'), false);
    assert.equal(matches('text', 'CT1', null), false);
  });

  test('wildcards: * any run, ? one character, regex characters literal', () => {
    assert.equal(matches('text', 'CT*', 'CT12'), true);
    assert.equal(matches('text', 'C?1', 'CT1'), true);
    assert.equal(matches('text', 'C?1', 'CTT1'), false);
    assert.equal(matches('text', 'A.B*', 'AXB1'), false);
    assert.equal(matches('text', 'A.B*', 'A.B1'), true);
  });

  test('person names: case-insensitive, wildcards, trailing carets, any group', () => {
    assert.equal(matches('person-name', 'worklist^wanda', 'Worklist^Wanda'), true);
    assert.equal(matches('person-name', 'Worklist^Wanda^^', 'Worklist^Wanda'), true);
    assert.equal(matches('person-name', 'work*', 'Worklist^Wanda'), true);
    assert.equal(matches('person-name', 'Wanda*', 'Worklist^Wanda'), false);
    assert.equal(matches('person-name', '山田*', 'Yamada^Tarou=山田^太郎=やまだ^たろう'), true);
  });

  test('UIDs: exact, lists of UIDs, no wildcards', () => {
    assert.equal(matches('uid', '1.2.3\\1.2.4', '1.2.4'), true);
    assert.equal(matches('uid', '1.2.3', '1.2.34'), false);
    assert.throws(() => parseMatcher('StudyInstanceUID', 'uid', '1.2.*'), LanternError);
  });

  test('date ranges, open at either end', () => {
    assert.equal(matches('date', '20310602', '20310602'), true);
    assert.equal(matches('date', '20310601-20310602', '20310602'), true);
    assert.equal(matches('date', '20310601-20310602', '20310603'), false);
    assert.equal(matches('date', '-20310601', '20310531'), true);
    assert.equal(matches('date', '20310603-', '20310602'), false);
    assert.throws(() => parseMatcher('Date', 'date', '2031-06-02'), /not a date/);
    assert.throws(() => parseMatcher('Date', 'date', '-'), /not a date/);
  });

  test('time ranges: a bound of lower precision covers its whole span', () => {
    assert.equal(matches('time', '0800-0930', '093059'), true);
    assert.equal(matches('time', '0800-0930', '093100'), false);
    assert.equal(matches('time', '10-', '095959'), false);
    assert.equal(matches('time', '10-', '100000'), true);
    assert.equal(matches('time', '-09', '095959.5'), true);
    assert.equal(matches('time', '1030', '103015'), true);
    assert.throws(() => parseMatcher('Time', 'time', '25x'), /not a time/);
  });
});
