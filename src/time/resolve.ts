/**
 * Turns grammar hits into instants in the configured zone: the calendar day, the clock reading
 * (asking when a spoken hour could be morning or afternoon), relative spans, and the limits
 * (no year before 1970, nothing further than HORIZON_YEARS ahead).
 */
import type { DaySpec, DurationPart, OnceHit, RelativeHit } from './grammar-types.js';
import { InvalidTime, NeedHour, clockPlan, readings, type ClockPlan, type Reading } from './resolve-clock.js';
import { addDays, compareDates, daysInMonth, isoWeekday, toInstant, wallClockOf, type CivilDate, type WallClock } from './zoned.js';

export { InvalidTime, NeedHour };

/** Times further ahead than this are refused (E_TIME_TOO_FAR): "100000000天后" is a typo, not a plan. */
export const HORIZON_YEARS = 10;
export const MIN_YEAR = 1970;

export interface Ctx { now: Date; zone: string; today: CivilDate; wall: WallClock; dayFirst: boolean; limit: number }

export function contextOf(now: Date, zone: string, dayFirst = false): Ctx {
  const wall = wallClockOf(now, zone);
  const today = { y: wall.y, m: wall.m, d: wall.d };
  return { now, zone, today, wall, dayFirst, limit: toInstant({ ...today, y: today.y + HORIZON_YEARS }, wall.h, wall.mi, zone).getTime() };
}

/** Thrown for anything beyond the horizon (checked before calendar math can overflow). */
export class TooFar extends Error {}

export interface Resolved { at: Date; date: CivilDate }
/** One instant, or two readings to ask about (earliest first). */
export type Outcome = Resolved | { options: [Resolved, Resolved] };

// ---- calendar helpers ----------------------------------------------------------------

export function addMonths(date: CivilDate, months: number): CivilDate {
  const index = date.y * 12 + (date.m - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return { y, m, d: Math.min(date.d, daysInMonth(y, m)) };
}

function checkYear(y: number, ctx: Ctx): void {
  if (!Number.isInteger(y)) throw new InvalidTime('yearUnreadable');
  if (y < MIN_YEAR) throw new InvalidTime('yearRange', { min: MIN_YEAR, max: ctx.today.y + HORIZON_YEARS });
  if (y > ctx.today.y + HORIZON_YEARS) throw new TooFar();
}

function checkedDate(date: CivilDate): CivilDate {
  if (date.d > daysInMonth(date.y, date.m)) throw new InvalidTime('noSuchDay', { y: date.y, m: date.m, d: date.d });
  return date;
}

function place(date: CivilDate, r: Reading, ctx: Ctx): Resolved {
  const day = r.shift ? addDays(date, r.shift) : date;
  return { at: toInstant(day, r.h, r.m, ctx.zone), date: day };
}

const ahead = (r: Resolved, ctx: Ctx): boolean => r.at.getTime() > ctx.now.getTime();

// ---- days ------------------------------------------------------------------------------

const WEEK_OFFSET = { 'before-last': -14, last: -7, this: 0, plain: 0, next: 7, 'after-next': 14 } as const;

/** A year-less date already behind us means next year; a bare "N号" means next month. */
function calendarDate(year: number | undefined, month: number | undefined, day: number, ctx: Ctx): CivilDate {
  const { today } = ctx;
  if (year !== undefined) checkYear(year, ctx);
  if (month !== undefined && !(Number.isInteger(month) && month >= 1 && month <= 12)) throw new InvalidTime('month');
  if (!(Number.isInteger(day) && day >= 1 && day <= 31)) throw new InvalidTime('day');
  let date: CivilDate = { y: year ?? today.y, m: month ?? today.m, d: day };
  if (year === undefined && compareDates(date, today) < 0) {
    date = month !== undefined ? { ...date, y: date.y + 1 } : date.m === 12 ? { y: date.y + 1, m: 1, d: day } : { ...date, m: date.m + 1 };
  }
  return checkedDate(date);
}

function monthOffset(rel: 'this' | 'next' | 'last'): number {
  return rel === 'next' ? 1 : rel === 'last' ? -1 : 0;
}

/** "05/06": month-first unless the reader writes day-first; "24/12" has one reading either way. */
function pairDates(spec: Extract<DaySpec, { kind: 'pair' }>, ctx: Ctx): CivilDate[] {
  const { a, b, year } = spec;
  const monthFirst = () => calendarDate(year, a, b, ctx);
  const dayFirst = () => calendarDate(year, b, a, ctx);
  if (a > 12) return [dayFirst()];
  if (b > 12 || a === b) return [monthFirst()];
  return ctx.dayFirst ? [dayFirst(), monthFirst()] : [monthFirst()];
}

/**
 * The calendar day(s) a day part names. `hasFuture(d)` tells whether the time is still ahead on `d`,
 * for forms that roll forward ("周五" on a Friday evening is next Friday).
 */
function daysOf(day: DaySpec, ctx: Ctx, hasFuture: (d: CivilDate) => boolean): CivilDate[] {
  const { today } = ctx;
  const monday = addDays(today, 1 - isoWeekday(today));
  switch (day.kind) {
    case 'offset':
      return [addDays(today, day.days)];
    case 'span':
      return [addSpan(today, day.parts)];
    case 'date':
      if (day.monthRel && day.monthRel !== 'plain') {
        if (!(Number.isInteger(day.day) && day.day >= 1 && day.day <= 31)) throw new InvalidTime('day');
        const base = addMonths({ ...today, d: 1 }, monthOffset(day.monthRel));
        return [checkedDate({ ...base, d: day.day })];
      }
      return [calendarDate(day.year, day.month, day.day, ctx)];
    case 'pair':
      return pairDates(day, ctx);
    case 'weekday': {
      if (day.week === 'plain') {
        const d = addDays(today, (day.iso - isoWeekday(today) + 7) % 7);
        return [hasFuture(d) ? d : addDays(d, 7)];
      }
      return [addDays(monday, WEEK_OFFSET[day.week] + day.iso - 1)];
    }
    case 'week':
      return [addDays(monday, WEEK_OFFSET[day.week])];
    case 'weekend': {
      const saturday = addDays(monday, WEEK_OFFSET[day.week] + 5);
      if (day.week !== 'plain' && day.week !== 'this') return [saturday];
      const open = [saturday, addDays(saturday, 1)].find(hasFuture);
      return [open ?? (day.week === 'plain' ? addDays(saturday, 7) : saturday)];
    }
    case 'monthEdge': {
      const edgeOf = (months: number): CivilDate => {
        const m = addMonths({ ...today, d: 1 }, months);
        return day.edge === 'start' ? m : { ...m, d: daysInMonth(m.y, m.m) };
      };
      if (day.rel !== 'plain') return [edgeOf(monthOffset(day.rel))];
      return [hasFuture(edgeOf(0)) ? edgeOf(0) : edgeOf(1)];
    }
    case 'yearEdge': {
      const edgeOf = (years: number): CivilDate => (day.edge === 'start' ? { y: today.y + years, m: 1, d: 1 } : { y: today.y + years, m: 12, d: 31 });
      if (day.rel !== 'plain') return [edgeOf(monthOffset(day.rel))];
      return [hasFuture(edgeOf(0)) ? edgeOf(0) : edgeOf(1)];
    }
  }
}

// ---- spans -------------------------------------------------------------------------------

const UNIT_MS = { s: 1000, min: 60_000, quarter: 900_000, h: 3_600_000 } as const;
const APPROX_DAYS = { s: 1 / 86_400, min: 1 / 1440, quarter: 1 / 96, h: 1 / 24, d: 1, w: 7, mo: 31, y: 366 } as const;

/** Months, days and milliseconds of a span; refuses zero, odd fractions of months and anything past the horizon. */
function spanOf(parts: readonly DurationPart[]): { months: number; days: number; ms: number } {
  let months = 0;
  let days = 0;
  let ms = 0;
  let approx = 0;
  for (const { amount, unit } of parts) {
    if (!Number.isFinite(amount) || amount <= 0) throw new InvalidTime('amount');
    approx += amount * APPROX_DAYS[unit];
    if (approx > HORIZON_YEARS * 366 + 1) throw new TooFar();
    if (unit === 'mo' || unit === 'y') {
      const m = amount * (unit === 'y' ? 12 : 1);
      if (Number.isInteger(m)) months += m;
      else if (Number.isInteger(m * 2)) { months += Math.floor(m); days += 15; } // 半个月 = 15 days
      else throw new InvalidTime('fraction');
    } else if (unit === 'd' || unit === 'w') {
      const d = amount * (unit === 'w' ? 7 : 1);
      if (Number.isInteger(d)) days += d;
      else ms += Math.round(d * 86_400_000);
    } else {
      ms += Math.round(amount * UNIT_MS[unit]);
    }
  }
  return { months, days, ms };
}

function addSpan(date: CivilDate, parts: readonly DurationPart[]): CivilDate {
  const { months, days } = spanOf(parts);
  return addDays(addMonths(date, months), days);
}

/** "30分钟后", "3天前", "半个月后": calendar parts keep the wall-clock time, even across a DST change. */
export function resolveRelative(hit: RelativeHit, ctx: Ctx): Resolved {
  const { months, days, ms } = spanOf(hit.parts);
  const sign = hit.sign;
  let at = ctx.now;
  if (months || days) {
    const date = addDays(addMonths(ctx.today, sign * months), sign * days);
    at = toInstant(date, ctx.wall.h, ctx.wall.mi, ctx.zone, ctx.wall.s, ctx.wall.ms);
  }
  at = new Date(at.getTime() + sign * ms);
  return { at, date: wallClockOf(at, ctx.zone) };
}

// ---- one-off times -------------------------------------------------------------------------

/** On a named day: one reading; a spoken 1-6 with both readings ahead is asked ("明天3点"); 7-11 mean the morning unless it is over. */
function onDay(plan: ClockPlan, date: CivilDate, ctx: Ctx): Outcome {
  if (plan.kind !== 'bare') return place(date, plan.r, ctx);
  const am = place(date, plan.am, ctx);
  const pm = place(date, plan.pm, ctx);
  if (plan.small) {
    if (ahead(am, ctx) && ahead(pm, ctx)) return { options: [am, pm] };
    return ahead(am, ctx) ? am : pm;
  }
  return ahead(am, ctx) || !ahead(pm, ctx) ? am : pm;
}

/**
 * Without a day: the next time it happens. A spoken 1-6 after its morning hour is the afternoon
 * ("3点" at noon = 15:00); a spoken 7-11 after its morning hour but before its evening one is asked
 * ("8点" at 09:00: 今天20:00 or 明天08:00?).
 */
function undated(plan: ClockPlan, ctx: Ctx): Outcome {
  const { today } = ctx;
  const tomorrow = addDays(today, 1);
  if (plan.kind !== 'bare') {
    const first = place(today, plan.r, ctx);
    return ahead(first, ctx) ? first : place(tomorrow, plan.r, ctx);
  }
  const am = place(today, plan.am, ctx);
  const pm = place(today, plan.pm, ctx);
  if (ahead(am, ctx)) return am;
  if (plan.small) return ahead(pm, ctx) ? pm : place(tomorrow, plan.pm, ctx);
  return ahead(pm, ctx) ? { options: [pm, place(tomorrow, plan.am, ctx)] } : place(tomorrow, plan.am, ctx);
}

/** A part of day whose default hour is over while the part is still going ("今晚" at 21:00): ask for the hour. */
function checkPartOver(plan: ClockPlan, outcome: Outcome, ctx: Ctx, dayOnly: boolean): void {
  if ('options' in outcome || ahead(outcome, ctx) || compareDates(outcome.date, ctx.today) !== 0) return;
  const nextHour = ctx.wall.h + 1;
  if (plan.kind === 'part' && ctx.wall.h < plan.until) throw new NeedHour({ h: Math.min(nextHour, 23), m: 0, shift: 0 });
  if (dayOnly && nextHour <= 23) throw new NeedHour({ h: nextHour, m: 0, shift: 0 });
}

export function resolveOnce(hit: OnceHit, ctx: Ctx): Outcome {
  const plan = clockPlan(hit.tod, hit.implied, hit.by === true);
  if (!hit.day) {
    // "下午" said at 15:00: the afternoon is still going but its default hour is over, so ask which hour.
    if (plan.kind === 'part' && !ahead(place(ctx.today, plan.r, ctx), ctx) && ctx.wall.h < plan.until) {
      throw new NeedHour({ h: Math.min(ctx.wall.h + 1, 23), m: 0, shift: 0 });
    }
    return undated(plan, ctx);
  }
  const hasFuture = (d: CivilDate) => readings(plan).some((r) => ahead(place(d, r, ctx), ctx));
  const dates = daysOf(hit.day, ctx, hasFuture);
  const outcomes = dates.map((d) => onDay(plan, d, ctx));
  if (outcomes.length === 2) {
    const [a, b] = outcomes.map((o) => ('options' in o ? o.options[0] : o)) as [Resolved, Resolved];
    if (ahead(a, ctx) && ahead(b, ctx)) return { options: a.at <= b.at ? [a, b] : [b, a] };
    return ahead(a, ctx) ? a : b;
  }
  const outcome = outcomes[0]!;
  checkPartOver(plan, outcome, ctx, !hit.tod && !hit.implied && !hit.by && hit.day.kind === 'offset');
  return outcome;
}

/** Every instant an outcome names must be a real date within the horizon. */
export function checkLimits(outcome: Outcome, ctx: Ctx): void {
  const all = 'options' in outcome ? outcome.options : [outcome];
  for (const r of all) {
    const t = r.at.getTime();
    if (!Number.isFinite(t)) throw new TooFar();
    if (t > ctx.limit) throw new TooFar();
    if (r.date.y < MIN_YEAR) throw new InvalidTime('yearRange', { min: MIN_YEAR, max: ctx.today.y + HORIZON_YEARS });
  }
}
