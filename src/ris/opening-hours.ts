import { invalid } from '../platform/errors.js';

/** One opening interval of a weekday, in the resource's local wall-clock time. */
export interface OpeningHours {
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
  /** HH:MM, 24-hour; `closes` is later the same day (use 24:00 for midnight). */
  opens: string;
  closes: string;
}

const HH_MM = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** Minutes since local midnight of an HH:MM time. */
export function minutesOf(time: string): number {
  const match = HH_MM.exec(time);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || minutes > 24 * 60) throw invalid(`'${time}' is not a time of day (HH:MM, 00:00 to 24:00)`);
  return minutes;
}

/** Checks each interval and that intervals of one weekday do not overlap; returns them sorted. */
export function validateOpeningHours(hours: readonly OpeningHours[]): OpeningHours[] {
  const sorted = hours
    .map((h) => {
      if (!Number.isInteger(h.weekday) || h.weekday < 1 || h.weekday > 7) {
        throw invalid(`weekday must be 1 (Monday) to 7 (Sunday), got ${h.weekday}`);
      }
      if (minutesOf(h.opens) >= minutesOf(h.closes)) {
        throw invalid(`opening hours ${h.opens}–${h.closes} close before they open`);
      }
      return { weekday: h.weekday, opens: h.opens, closes: h.closes };
    })
    .sort((a, b) => a.weekday - b.weekday || minutesOf(a.opens) - minutesOf(b.opens));
  for (let i = 1; i < sorted.length; i++) {
    const [prev, next] = [sorted[i - 1]!, sorted[i]!];
    if (prev.weekday === next.weekday && minutesOf(next.opens) < minutesOf(prev.closes)) {
      throw invalid(
        `opening hours of weekday ${next.weekday} overlap (${prev.opens}–${prev.closes}, ${next.opens}–${next.closes})`,
      );
    }
  }
  return sorted;
}

export function validateTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw invalid(`'${timeZone}' is not an IANA time zone`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: number, timeZone: string) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

/** Where an instant falls on the resource's local calendar: its date, ISO weekday and minute of the day. */
export function localTime(instant: Date, timeZone: string) {
  const wall = wallClock(instant.getTime(), timeZone);
  const dayUtc = Date.UTC(wall.year, wall.month - 1, wall.day);
  return {
    date: new Date(dayUtc).toISOString().slice(0, 10),
    weekday: new Date(dayUtc).getUTCDay() || 7,
    minutes: wall.minutes + wall.seconds / 60,
  };
}

/** The instant of a local date (YYYY-MM-DD) and minute of the day in a time zone (DST-aware). */
export function instantOf(date: string, minutes: number, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = Date.UTC(year, month - 1, day, 0, minutes);
  const offsetAt = (instant: number) => {
    const w = wallClock(instant, timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes, w.seconds) - Math.floor(instant / 1000) * 1000;
  };
  // Twice: the offset at the first guess may differ from the offset at the answer across a DST change.
  let guess = target - offsetAt(target);
  guess = target - offsetAt(guess);
  return new Date(guess);
}

/** ISO weekday (1 Monday … 7 Sunday) of a calendar date. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
}

/** Whether [start, start + minutes) lies within one opening interval of the start's local day. */
export function withinOpeningHours(
  hours: readonly OpeningHours[],
  timeZone: string,
  start: Date,
  durationMinutes: number,
): boolean {
  const local = localTime(start, timeZone);
  return hours.some(
    (h) =>
      h.weekday === local.weekday &&
      minutesOf(h.opens) <= local.minutes &&
      local.minutes + durationMinutes <= minutesOf(h.closes),
  );
}
