import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanternError } from '../platform/errors.js';
import {
  instantOf,
  localTime,
  validateOpeningHours,
  validateTimeZone,
  withinOpeningHours,
} from './opening-hours.js';
import { deriveSlots } from './slots.js';

const invalidError = (e: unknown) => e instanceof LanternError && e.code === 'invalid';

test('local wall-clock times convert to instants across daylight saving changes', () => {
  assert.equal(instantOf('2025-01-15', 8 * 60, 'Europe/Berlin').toISOString(), '2025-01-15T07:00:00.000Z');
  assert.equal(instantOf('2025-07-15', 8 * 60, 'Europe/Berlin').toISOString(), '2025-07-15T06:00:00.000Z');
  // 30 March 2025: Berlin skips 02:00–03:00; 03:30 local is 01:30 UTC.
  assert.equal(
    instantOf('2025-03-30', 3 * 60 + 30, 'Europe/Berlin').toISOString(),
    '2025-03-30T01:30:00.000Z',
  );
  assert.equal(instantOf('2025-03-09', 9 * 60, 'America/New_York').toISOString(), '2025-03-09T13:00:00.000Z');
  assert.deepEqual(localTime(new Date('2025-07-15T06:00:00Z'), 'Europe/Berlin'), {
    date: '2025-07-15',
    weekday: 2,
    minutes: 480,
  });
});

test('opening hours are checked, sorted, and must not overlap within a day', () => {
  assert.deepEqual(
    validateOpeningHours([
      { weekday: 2, opens: '13:00', closes: '17:00' },
      { weekday: 2, opens: '08:00', closes: '12:00' },
    ]).map((h) => h.opens),
    ['08:00', '13:00'],
  );
  assert.throws(() => validateOpeningHours([{ weekday: 8, opens: '08:00', closes: '12:00' }]), invalidError);
  assert.throws(() => validateOpeningHours([{ weekday: 1, opens: '12:00', closes: '08:00' }]), invalidError);
  assert.throws(() => validateOpeningHours([{ weekday: 1, opens: '8am', closes: '12:00' }]), invalidError);
  assert.throws(
    () =>
      validateOpeningHours([
        { weekday: 1, opens: '08:00', closes: '12:00' },
        { weekday: 1, opens: '11:00', closes: '14:00' },
      ]),
    invalidError,
  );
  assert.throws(() => validateTimeZone('Mars/Olympus'), invalidError);
});

test('a booking fits only inside one opening interval of its local day', () => {
  const hours = [{ weekday: 2, opens: '08:00', closes: '12:00' }];
  const at = (iso: string) => new Date(iso);
  assert.equal(withinOpeningHours(hours, 'Europe/Berlin', at('2025-07-15T06:00:00Z'), 30), true);
  assert.equal(withinOpeningHours(hours, 'Europe/Berlin', at('2025-07-15T09:30:00Z'), 30), true);
  assert.equal(withinOpeningHours(hours, 'Europe/Berlin', at('2025-07-15T09:45:00Z'), 30), false);
  assert.equal(withinOpeningHours(hours, 'Europe/Berlin', at('2025-07-15T05:59:00Z'), 30), false);
  assert.equal(withinOpeningHours(hours, 'Europe/Berlin', at('2025-07-16T06:00:00Z'), 30), false);
});

test('slots cut each opening interval by the duration and mark booked ones', () => {
  const hours = [
    { weekday: 2, opens: '08:00', closes: '09:10' },
    { weekday: 2, opens: '13:00', closes: '13:30' },
  ];
  const slots = deriveSlots(hours, 'UTC', '2025-07-15', 30, [
    { startsAt: '2025-07-15T08:20:00.000Z', endsAt: '2025-07-15T08:40:00.000Z' },
  ]);
  assert.deepEqual(
    slots.map((s) => [s.start.slice(11, 16), s.end.slice(11, 16), s.available]),
    [
      ['08:00', '08:30', false],
      ['08:30', '09:00', false],
      ['13:00', '13:30', true],
    ],
  );
  assert.deepEqual(deriveSlots(hours, 'UTC', '2025-07-16', 30, []), []);
});
