/**
 * Natural-language time parsing for reminders and meeting bookings (Chinese first, some English).
 * grammar.ts finds the expression; this file turns it into instants in the configured zone and
 * into coded refusals whose messages live in the catalogues (`errors.E_TIME_*`, `time.invalid.*`).
 */
import type { ErrorCode } from '../errors.js';
import { type Params, msg } from '../i18n/translator.js';
import { normalizeWidth } from './chinese-numerals.js';
import { findExpression, matchOnce, type DaySpec, type Freq, type Hit, type Period, type TimeOfDay } from './grammar.js';
import {
  addDays, compareDates, daysInMonth, formatDateTime, isoWeekday, toInstant, wallClockOf, type CivilDate,
} from './zoned.js';

export { formatDateTime };

export interface ParseOptions { now: Date; timeZone: string }

export type TimeParse =
  | { ok: true; kind: 'once'; at: Date; matched: string; rest: string }
  | { ok: true; kind: 'recurring'; cron: string; description: string; firstAt: Date; matched: string; rest: string }
  | TimeFailure;

/** A refusal, as a coded error: the message is `errors.<code>` in the catalogues. */
export interface TimeFailure { ok: false; reason: 'none' | 'past' | 'invalid'; code: ErrorCode; params: Params; matched?: string }

export type RangeParse =
  | { ok: true; start: Date; end: Date | null; matched: string; rest: string }
  | TimeFailure;

type Failure = Extract<TimeParse, { ok: false }>;
type OnceHit = Exclude<Hit, { kind: 'recurring' }>;


/** Thrown while resolving a well-formed but impossible time ("25点", "2月30日"); becomes reason 'invalid'. `detail` is a `time.invalid.*` message. */
class InvalidTime extends Error {
  constructor(
    readonly detail: string,
    readonly params: Params = {},
  ) {
    super(detail);
  }
}

interface Ctx { now: Date; zone: string; today: CivilDate }

function contextOf(opts: ParseOptions): Ctx {
  const { y, m, d } = wallClockOf(opts.now, opts.timeZone);
  return { now: opts.now, zone: opts.timeZone, today: { y, m, d } };
}

// ---- time of day -------------------------------------------------------------------

/** Hour 24 (minute 0) stands for midnight at the end of the day, e.g. "晚上12点". */
interface Clock { h: number; m: number }

function applyPeriod(hour: number, period: Period | undefined): number {
  switch (period?.kind) {
    case undefined:
      return hour;
    case 'am':
    case 'dawn':
      if (hour > 12) throw new InvalidTime('partOfDayHour', { part: period.word, hour });
      return period.kind === 'dawn' && hour === 12 ? 0 : hour;
    case 'noon':
      return hour <= 5 ? hour + 12 : hour; // 中午1点 = 13:00
    case 'pm':
      return hour < 12 ? hour + 12 : hour;
    case 'night':
      return hour < 12 ? hour + 12 : hour === 12 ? 24 : hour;
  }
}

function from12h(hour: number, ampm: 'am' | 'pm'): number {
  if (hour < 1 || hour > 12) throw new InvalidTime('twelveHour');
  return (hour % 12) + (ampm === 'pm' ? 12 : 0);
}

/** Missing time → the period's default hour, else 09:00 ("明天" means the start of the working day). */
function clockOf(tod: TimeOfDay | undefined, implied: Period | undefined): Clock {
  const period = tod?.period ?? implied;
  if (!tod || tod.hour === null) return { h: period?.defaultHour ?? 9, m: 0 };
  const { hour, minute } = tod;
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new InvalidTime('minute');
  if (!Number.isInteger(hour)) throw new InvalidTime('hourUnreadable');
  const h = tod.ampm ? from12h(hour, tod.ampm) : applyPeriod(hour, period);
  if (h < 0 || h > 24 || (h === 24 && minute > 0)) throw new InvalidTime('hour');
  return { h, m: minute };
}

// ---- calendar day ------------------------------------------------------------------

const WEEK_OFFSET = { last: -7, this: 0, next: 7, 'after-next': 14 } as const;

/** A year-less date already behind us means next year; a bare "N号" means next month. */
function resolveCalendarDate(spec: Extract<DaySpec, { kind: 'date' }>, today: CivilDate): CivilDate {
  const { year, month, day } = spec;
  if (year !== undefined && !Number.isInteger(year)) throw new InvalidTime('yearUnreadable');
  if (month !== undefined && !(Number.isInteger(month) && month >= 1 && month <= 12)) throw new InvalidTime('month');
  if (!(Number.isInteger(day) && day >= 1 && day <= 31)) throw new InvalidTime('day');
  let date: CivilDate = { y: year ?? today.y, m: month ?? today.m, d: day };
  if (year === undefined && compareDates(date, today) < 0) {
    date = month !== undefined ? { ...date, y: date.y + 1 } : date.m === 12 ? { y: date.y + 1, m: 1, d: day } : { ...date, m: date.m + 1 };
  }
  if (date.d > daysInMonth(date.y, date.m)) throw new InvalidTime('noSuchDay', { y: date.y, m: date.m, d: date.d });
  return date;
}

/** `isFuture` tells whether the time on a given day is still ahead, for forms that roll forward. */
function resolveDay(day: DaySpec | undefined, ctx: Ctx, isFuture: (d: CivilDate) => boolean): CivilDate {
  const { today } = ctx;
  if (!day) return isFuture(today) ? today : addDays(today, 1); // bare "下午3点": today, else tomorrow
  switch (day.kind) {
    case 'offset':
      return addDays(today, day.days);
    case 'date':
      return resolveCalendarDate(day, today);
    case 'weekday': {
      if (day.week === 'plain') {
        const d = addDays(today, (day.iso - isoWeekday(today) + 7) % 7);
        return isFuture(d) ? d : addDays(d, 7);
      }
      const monday = addDays(today, 1 - isoWeekday(today)); // weeks start on Monday
      return addDays(monday, WEEK_OFFSET[day.week] + day.iso - 1);
    }
  }
}

interface Resolved { at: Date; date: CivilDate }

function resolveOnce(hit: OnceHit, ctx: Ctx): Resolved {
  if (hit.kind === 'relative') {
    if (hit.days) {
      // Whole days keep the wall-clock time, even across a DST change.
      const w = wallClockOf(ctx.now, ctx.zone);
      const date = addDays(ctx.today, hit.days);
      return { at: toInstant(date, w.h, w.mi, ctx.zone, w.s, w.ms), date };
    }
    const at = new Date(ctx.now.getTime() + hit.ms);
    return { at, date: wallClockOf(at, ctx.zone) };
  }
  const { h, m } = clockOf(hit.tod, hit.implied);
  const place = (d: CivilDate): Date => (h === 24 ? toInstant(addDays(d, 1), 0, 0, ctx.zone) : toInstant(d, h, m, ctx.zone));
  const date = resolveDay(hit.day, ctx, (d) => place(d).getTime() > ctx.now.getTime());
  return { at: place(date), date };
}

// ---- recurring ---------------------------------------------------------------------

const CN_DOW = ['日', '一', '二', '三', '四', '五', '六'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Cron day fields, a Chinese label and a matcher for finding the first occurrence. */
function describeFreq(freq: Freq): { dom: string; dow: string; label: string; matches: (d: CivilDate) => boolean } {
  switch (freq.type) {
    case 'daily':
      return { dom: '*', dow: '*', label: '每天', matches: () => true };
    case 'workdays':
      return { dom: '*', dow: '1-5', label: '工作日', matches: (d) => isoWeekday(d) <= 5 };
    case 'weekly': {
      const days = [...new Set(freq.days)];
      const mondayFirst = [...days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
      return {
        dom: '*',
        dow: [...days].sort((a, b) => a - b).join(','),
        label: `每周${mondayFirst.map((d) => CN_DOW[d]).join('、')}`,
        matches: (d) => days.includes(isoWeekday(d) % 7),
      };
    }
    case 'monthly':
      if (!(Number.isInteger(freq.dom) && freq.dom >= 1 && freq.dom <= 31)) throw new InvalidTime('monthlyDay');
      return { dom: String(freq.dom), dow: '*', label: `每月${freq.dom}日`, matches: (d) => d.d === freq.dom };
  }
}

function resolveRecurring(hit: Extract<Hit, { kind: 'recurring' }>, ctx: Ctx) {
  const clock = clockOf(hit.tod, undefined);
  // Midnight "at the end of" a weekday is the next weekday; rather than shift days silently, ask.
  if (clock.h === 24 && hit.freq.type !== 'daily') throw new InvalidTime('recurringMidnight');
  const h = clock.h % 24;
  const { dom, dow, label, matches } = describeFreq(hit.freq);
  let firstAt: Date | undefined;
  for (let i = 0; i < 400 && !firstAt; i++) {
    const d = addDays(ctx.today, i);
    const at = matches(d) ? toInstant(d, h, clock.m, ctx.zone) : undefined;
    if (at && at.getTime() > ctx.now.getTime()) firstAt = at;
  }
  if (!firstAt) throw new InvalidTime('noOccurrence');
  return { cron: `${clock.m} ${h} ${dom} * ${dow}`, description: `${label} ${pad2(h)}:${pad2(clock.m)}`, firstAt };
}

// ---- results -----------------------------------------------------------------------

/** Connectors left behind once the time is cut out: "明天3点的会议" → "会议", "周五 14:00，交周报" → "交周报". */
function restOf(input: string, start: number, end: number): string {
  const before = input.slice(0, start).replace(/[\s,，:：、]+$/u, '');
  const after = input.slice(end).replace(/^[\s,，:：、的]+/u, '');
  return [before, after].filter((part) => part !== '').join(' ');
}

function none(input: string): Failure {
  const shown = input.trim();
  if (shown === '') return { ok: false, reason: 'none', code: 'E_TIME_MISSING', params: {} };
  const short = shown.length > 20 ? `${shown.slice(0, 20)}…` : shown;
  return { ok: false, reason: 'none', code: 'E_TIME_UNREADABLE', params: { text: short } };
}

const invalid = (matched: string, detail: string, params: Params = {}): Failure => ({
  ok: false, reason: 'invalid', code: 'E_TIME_INVALID', params: { matched, detail: msg(`time.invalid.${detail}`, params) }, matched,
});

const past = (at: Date, _ctx: Ctx, matched: string): Failure => ({ ok: false, reason: 'past', code: 'E_TIME_PAST', params: { at }, matched });

/** Runs `fn`, turning an InvalidTime into an 'invalid' failure for `matched`. */
function guarded<T>(matched: string, fn: () => T | Failure): T | Failure {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidTime) return invalid(matched, e.detail, e.params);
    throw e;
  }
}

/** Finds the first time expression in `input` (usually at the start). `rest` is input with the matched text removed, trimmed (also strip a leading/trailing connector like "的", "，", ",", ":", "：" left behind). */
export function parseTime(input: string, opts: ParseOptions): TimeParse {
  const hit = findExpression(normalizeWidth(input));
  if (!hit) return none(input);
  const matched = input.slice(hit.start, hit.end).trim();
  const rest = restOf(input, hit.start, hit.end);
  const ctx = contextOf(opts);
  return guarded<TimeParse>(matched, () => {
    if (hit.kind === 'recurring') return { ok: true, kind: 'recurring', ...resolveRecurring(hit, ctx), matched, rest };
    const { at } = resolveOnce(hit, ctx);
    if (at.getTime() <= ctx.now.getTime()) return past(at, ctx, matched);
    return { ok: true, kind: 'once', at, matched, rest };
  });
}

const RANGE_SEP_RE = /\s*(?:~+|-+|—+|–|到|至)\s*/y;

function matchRangeEnd(text: string, start: Hit): OnceHit | null {
  RANGE_SEP_RE.lastIndex = start.end;
  const sep = RANGE_SEP_RE.exec(text);
  const end = sep ? matchOnce(text, start.end + sep[0].length) : null;
  return end && end.kind !== 'recurring' ? end : null;
}

/** "明天下午3点~5点": an end without a day takes the start's day, and without 上午/下午/pm the start's. */
function inheritFromStart(end: OnceHit, start: OnceHit, startDate: CivilDate): OnceHit {
  if (end.kind !== 'once' || end.day) return end;
  const day: DaySpec = { kind: 'date', year: startDate.y, month: startDate.m, day: startDate.d };
  const bareEnd = end.tod && end.tod.hour !== null && !end.tod.period && !end.tod.ampm;
  const tod = bareEnd && start.kind === 'once' && end.tod
    ? { ...end.tod, period: start.tod?.period ?? start.implied, ampm: start.tod?.ampm }
    : end.tod;
  return { ...end, day, tod };
}

/** A one-off start time optionally followed by `~`, `～`, `-`, `—`, `到`, `至` and an end time (end may omit the day, inheriting the start's day, and may omit 上午/下午 inheriting the start's half of day, e.g. "明天下午3点~5点" ends 17:00). End must be after start. */
export function parseTimeRange(input: string, opts: ParseOptions): RangeParse {
  const text = normalizeWidth(input);
  const hit = findExpression(text);
  if (!hit) return none(input);
  const startText = input.slice(hit.start, hit.end).trim();
  if (hit.kind === 'recurring') return invalid(startText, '时间段只支持一次性的时间，不支持重复');
  const ctx = contextOf(opts);
  return guarded<RangeParse>(startText, () => {
    const start = resolveOnce(hit, ctx);
    if (start.at.getTime() <= ctx.now.getTime()) return past(start.at, ctx, startText);
    const endHit = matchRangeEnd(text, hit);
    if (!endHit) return { ok: true, start: start.at, end: null, matched: startText, rest: restOf(input, hit.start, hit.end) };
    const matched = input.slice(hit.start, endHit.end).trim();
    const end = guarded(matched, () => resolveOnce(inheritFromStart(endHit, hit, start.date), ctx));
    if ('ok' in end) return end;
    if (end.at.getTime() <= start.at.getTime()) {
      return invalid(matched, 'endBeforeStart', { end: end.at, start: start.at });
    }
    return { ok: true, start: start.at, end: end.at, matched, rest: restOf(input, hit.start, endHit.end) };
  });
}
