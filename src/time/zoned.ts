/**
 * Calendar arithmetic on wall-clock dates in an IANA zone.
 * Day/weekday math is done on plain civil dates (via Date.UTC) so it never sees DST or
 * the machine's own zone; dayjs is only used to convert between instants and wall time.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** A calendar date; `m` is 1–12. */
export interface CivilDate { y: number; m: number; d: number }
export interface WallClock extends CivilDate { h: number; mi: number; s: number; ms: number }

const DAY_MS = 86_400_000;

/**
 * Wall-clock fields of `at` in `zone`. `dayjs(at).tz(zone)` re-parses a locale string in
 * the *machine* zone, which can shift near the machine's DST gaps, so only its offset is
 * used and the fields come from a fixed-offset view of the UTC instant.
 */
function zonedView(at: Date, zone: string): dayjs.Dayjs {
  const offset = dayjs(at).tz(zone).utcOffset();
  return dayjs.utc(at).utcOffset(offset);
}

export function wallClockOf(at: Date, zone: string): WallClock {
  const t = zonedView(at, zone);
  return { y: t.year(), m: t.month() + 1, d: t.date(), h: t.hour(), mi: t.minute(), s: t.second(), ms: t.millisecond() };
}

/** Formats as `YYYY-MM-DD HH:mm` in the zone. */
export function formatDateTime(d: Date, timeZone: string): string {
  return zonedView(d, timeZone).format('YYYY-MM-DD HH:mm');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The instant at which the wall clock in `zone` shows the given date and time. */
export function toInstant(date: CivilDate, h: number, mi: number, zone: string, s = 0, ms = 0): Date {
  // dayjs.tz(string, zone) resolves the offset through Intl only, independent of the machine zone.
  const text = `${pad(date.y, 4)}-${pad(date.m)}-${pad(date.d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
  return new Date(dayjs.tz(text, zone).valueOf() + ms);
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d) + days * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: CivilDate): number {
  const dow = new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
  return dow === 0 ? 7 : dow;
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}
