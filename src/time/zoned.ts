/**
 * Calendar arithmetic on wall-clock dates in an IANA zone.
 * Day/weekday math is done on plain civil dates (via Date.UTC) so it never sees DST or the
 * machine's own zone. Instants and wall clocks are converted with one cached Intl formatter per
 * zone (dayjs' `.tz()` re-parsed a locale string in the machine zone and took ~0.4 ms a call).
 */

/** A calendar date; `m` is 1–12. */
export interface CivilDate { y: number; m: number; d: number }
export interface WallClock extends CivilDate { h: number; mi: number; s: number; ms: number }

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** A UTC timestamp for civil fields, years 0-99 included (Date.UTC maps those to 1900-1999). */
function utcOf(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = Date.UTC(y, m - 1, d, h, mi, s, ms);
  if (!(y >= 0 && y < 100)) return t;
  const fixed = new Date(t);
  fixed.setUTCFullYear(fixed.getUTCFullYear() - 1900);
  return fixed.getTime();
}

/**
 * Offsets by zone and quarter hour: since 1970 every zone changes its offset on a quarter hour, so
 * one lookup serves the whole quarter (the parser converts a handful of nearby instants per call).
 */
const QUARTER_MS = 900_000;
const offsetCache = new Map<string, Map<number, number>>();
const CACHE_LIMIT = 20_000;

/** The zone's offset from UTC at instant `t`, in ms. */
function offsetAt(t: number, zone: string): number {
  if (!Number.isFinite(t)) return 0;
  let byQuarter = offsetCache.get(zone);
  if (!byQuarter) offsetCache.set(zone, (byQuarter = new Map()));
  const quarter = Math.floor(t / QUARTER_MS);
  const cached = byQuarter.get(quarter);
  if (cached !== undefined) return cached;
  const offset = computeOffset(quarter * QUARTER_MS, zone);
  if (byQuarter.size >= CACHE_LIMIT) byQuarter.clear();
  byQuarter.set(quarter, offset);
  return offset;
}

function computeOffset(t: number, zone: string): number {
  const fields: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(t)) fields[p.type] = p.value;
  const year = fields.era === 'BC' || fields.era === 'B' ? 1 - Number(fields.year) : Number(fields.year);
  const wall = utcOf(year, Number(fields.month), Number(fields.day), Number(fields.hour), Number(fields.minute), Number(fields.second));
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

export function wallClockOf(at: Date, zone: string): WallClock {
  const t = at.getTime();
  const v = new Date(t + offsetAt(t, zone));
  return {
    y: v.getUTCFullYear(), m: v.getUTCMonth() + 1, d: v.getUTCDate(), h: v.getUTCHours(), mi: v.getUTCMinutes(), s: v.getUTCSeconds(), ms: v.getUTCMilliseconds(),
  };
}

/** Formats as `YYYY-MM-DD HH:mm` in the zone. */
export function formatDateTime(d: Date, timeZone: string): string {
  const w = wallClockOf(d, timeZone);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The instant at which the wall clock in `zone` shows the given date and time. A time skipped by a
 * DST change (02:30 on a spring-forward night) is read with the offset before the change, i.e. an
 * hour later on the clock.
 */
export function toInstant(date: CivilDate, h: number, mi: number, zone: string, s = 0, ms = 0): Date {
  const local = utcOf(date.y, date.m, date.d, h, mi, s, ms);
  const guess = offsetAt(local, zone);
  const first = local - guess;
  const actual = offsetAt(first, zone);
  if (actual === guess) return new Date(first);
  const second = local - actual;
  if (offsetAt(second, zone) === actual) return new Date(second);
  return new Date(local - Math.min(guess, actual)); // in a DST gap: the offset before the change
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
