import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateTimeInstant, Hl7ParseError, parseDateTime } from './index.js';

test('DTM: every precision, fractions and offsets; missing parts are the start of the period', () => {
  assert.equal(dateTimeInstant(parseDateTime('20300506')).toISOString(), '2030-05-06T00:00:00.000Z');
  assert.equal(dateTimeInstant(parseDateTime('203005061015')).toISOString(), '2030-05-06T10:15:00.000Z');
  assert.equal(
    dateTimeInstant(parseDateTime('20300506101530.25+0200')).toISOString(),
    '2030-05-06T08:15:30.250Z',
  );
  assert.equal(
    dateTimeInstant(parseDateTime('20300506101530-0430')).toISOString(),
    '2030-05-06T14:45:30.000Z',
  );
  assert.equal(parseDateTime('2030050610').offsetMinutes, undefined);
});

test('DTM without offset: read in the zone given, daylight saving time included', () => {
  // A zone one hour east in winter and two in summer, as Central Europe.
  const central = (at: Date) => (at.getUTCMonth() >= 3 && at.getUTCMonth() <= 8 ? 120 : 60);
  assert.equal(
    dateTimeInstant(parseDateTime('20300506100000'), central).toISOString(),
    '2030-05-06T08:00:00.000Z',
  );
  assert.equal(
    dateTimeInstant(parseDateTime('20300106100000'), central).toISOString(),
    '2030-01-06T09:00:00.000Z',
  );
});

test('DTM: malformed and impossible values are refused with the field named', () => {
  for (const text of [
    '',
    '2030-05-06',
    '203013',
    '20300230',
    '203005062460',
    '2030050610+2500',
    'tomorrow',
  ]) {
    assert.throws(
      () => parseDateTime(text, 'AIS-4'),
      (e: unknown) => e instanceof Hl7ParseError && e.field === 'AIS-4',
      text,
    );
  }
});
