import { instantOf, minutesOf, weekdayOf, type OpeningHours } from './opening-hours.js';

export interface Slot {
  start: string;
  end: string;
  /** False when an active booking overlaps the slot. */
  available: boolean;
}

/**
 * The slots of one local day: each opening interval cut into back-to-back pieces of `durationMinutes`
 * from its opening time (a remainder too short for one exam is left out).
 */
export function deriveSlots(
  hours: readonly OpeningHours[],
  timeZone: string,
  date: string,
  durationMinutes: number,
  booked: readonly { startsAt: string; endsAt: string }[],
): Slot[] {
  const weekday = weekdayOf(date);
  const slots: Slot[] = [];
  for (const interval of hours.filter((h) => h.weekday === weekday)) {
    const closes = minutesOf(interval.closes);
    for (let at = minutesOf(interval.opens); at + durationMinutes <= closes; at += durationMinutes) {
      const start = instantOf(date, at, timeZone);
      const startIso = start.toISOString();
      const endIso = new Date(start.getTime() + durationMinutes * 60_000).toISOString();
      const available = !booked.some((b) => b.startsAt < endIso && b.endsAt > startIso);
      slots.push({ start: startIso, end: endIso, available });
    }
  }
  return slots;
}
