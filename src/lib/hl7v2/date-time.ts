import { Hl7ParseError } from './errors.js';

/** An HL7 DTM value (2.A.22) as written: the wall-clock parts, and the offset when the sender gave one. */
export interface Hl7DateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC (+0100 → 60); undefined: the sender's local time, not stated. */
  offsetMinutes: number | undefined;
}

// YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
const DTM =
  /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;

/** Parses a DTM; missing parts are the start of the period (2.A.22: 20240501 is that day's midnight). */
export function parseDateTime(text: string, field?: string): Hl7DateTime {
  const match = DTM.exec(text.trim());
  const refuse = () => new Hl7ParseError(`'${text}' is not an HL7 date/time (YYYYMMDDHHMMSS±ZZZZ)`, field);
  if (!match) throw refuse();
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', fraction = '', zone] = match;
  const value: Hl7DateTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    millisecond: Math.round(Number(`0.${fraction || '0'}`) * 1000),
    offsetMinutes: zone
      ? (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)))
      : undefined,
  };
  const check = new Date(Date.UTC(value.year, value.month - 1, value.day, value.hour, value.minute));
  if (
    check.getUTCMonth() !== value.month - 1 ||
    check.getUTCDate() !== value.day ||
    value.hour > 23 ||
    value.minute > 59 ||
    value.second > 59 ||
    (value.offsetMinutes !== undefined && Math.abs(value.offsetMinutes) > 14 * 60)
  )
    throw refuse();
  return value;
}

/**
 * The instant of a DTM. One without an offset is read in `timeZoneOffset`'s zone: a function giving the
 * zone's offset (minutes east of UTC) at an instant, so daylight saving time is honoured.
 */
export function dateTimeInstant(value: Hl7DateTime, timeZoneOffset: (at: Date) => number = () => 0): Date {
  const wall = Date.UTC(
    value.year,
    value.month - 1,
    value.day,
    value.hour,
    value.minute,
    value.second,
    value.millisecond,
  );
  if (value.offsetMinutes !== undefined) return new Date(wall - value.offsetMinutes * 60_000);
  // The zone's offset at the wall time read as UTC, then again at the instant that gives (DST edges).
  const first = wall - timeZoneOffset(new Date(wall)) * 60_000;
  return new Date(wall - timeZoneOffset(new Date(first)) * 60_000);
}
