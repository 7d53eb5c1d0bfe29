/**
 * Natural-language time parsing for reminders, tasks, meetings and schedules (Chinese first, English too).
 * A time is understood completely or not at all: grammar.ts finds the expression, resolve.ts turns it
 * into instants in the configured zone, and every refusal is a coded error whose message lives in the
 * catalogues (`errors.E_TIME_*`, `time.invalid.*`, `time.choice.*`). The rules, with examples, are in
 * docs/time-expressions.md.
 */
import type { ErrorCode } from '../errors.js';
import { type Msg, type Params, msg } from '../i18n/translator.js';
import { findExpression, matchOnce, type Hit, type OnceHit, type Unread } from './grammar.js';
import { normalizeInput } from './normalize.js';
import { describeFreq } from './recurring.js';
import { clockPlan, readings } from './resolve-clock.js';
import {
  HORIZON_YEARS, InvalidTime, NeedHour, TooFar, checkLimits, contextOf, resolveOnce, resolveRelative,
  type Ctx, type Outcome, type Resolved,
} from './resolve.js';
import { addDays, compareDates, formatDateTime, toInstant, wallClockOf, type CivilDate } from './zoned.js';

export { formatDateTime, HORIZON_YEARS };

export interface ParseOptions {
  now: Date;
  timeZone: string;
  /** The reader writes dates day-first ("05/06" = 5 June): then such a date is asked, not guessed. */
  dayFirst?: boolean;
}

/** A one-off time; `by`: a deadline ("五日内", "年底前", "by Friday"), so a confirmation says 截止/by. */
export interface OnceTime { ok: true; kind: 'once'; at: Date; matched: string; rest: string; by: boolean }
export interface RecurringTime { ok: true; kind: 'recurring'; cron: string; description: string; firstAt: Date; matched: string; rest: string }
export type TimeParse = OnceTime | RecurringTime | TimeFailure;

/** A refusal, as a coded error: the message is `errors.<code>` in the catalogues. */
export interface TimeRefusal { ok: false; reason: 'none' | 'past' | 'invalid'; code: ErrorCode; params: Params; matched?: string }
/**
 * Two readings a person would ask about ("8点" at 09:00). `code`/`params` name both and how to write
 * each explicitly, so callers that cannot offer a choice just throw them; `options` is earliest first.
 */
export interface TimeAmbiguity {
  ok: false; reason: 'ambiguous'; code: 'E_TIME_AMBIGUOUS'; params: Params; matched: string; rest: string; by: boolean;
  options: [Date, Date];
  /** How each option is written explicitly (`time.choice.*`), for buttons and replies. */
  choices: [Msg, Msg];
}
export type TimeFailure = TimeRefusal | TimeAmbiguity;

export type RangeParse =
  | { ok: true; start: Date; end: Date | null; matched: string; rest: string }
  | TimeFailure;

// ---- refusals ------------------------------------------------------------------------------

const EXAMPLE_SHORT = 20;
const shorten = (text: string): string => (text.length > EXAMPLE_SHORT ? `${text.slice(0, EXAMPLE_SHORT)}…` : text);

function none(input: string): TimeRefusal {
  const shown = input.trim();
  if (shown === '') return { ok: false, reason: 'none', code: 'E_TIME_MISSING', params: {} };
  return { ok: false, reason: 'none', code: 'E_TIME_UNREADABLE', params: { text: shorten(shown) } };
}

const invalid = (matched: string, detail: string, params: Params = {}): TimeRefusal => ({
  ok: false, reason: 'invalid', code: 'E_TIME_INVALID', params: { matched, detail: msg(`time.invalid.${detail}`, params) }, matched,
});

const past = (at: Date, matched: string): TimeRefusal => ({ ok: false, reason: 'past', code: 'E_TIME_PAST', params: { at, matched }, matched });

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** How to write an instant so that it reads one way only: "今天 20:00", "明天 08:00", "2026-12-24 09:00". */
export function choiceOf(at: Date, now: Date, zone: string): Msg {
  const w = wallClockOf(at, zone);
  const today = wallClockOf(now, zone);
  const hm = `${pad2(w.h)}:${pad2(w.mi)}`;
  const days = [0, 1, 2].find((n) => compareDates(addDays(today, n), w) === 0);
  if (days === 0) return msg('time.choice.today', { hm });
  if (days === 1) return msg('time.choice.tomorrow', { hm });
  if (days === 2) return msg('time.choice.dayAfter', { hm });
  return msg('time.choice.date', { date: formatDateTime(at, zone) });
}

function ambiguity(options: [Resolved, Resolved], ctx: Ctx, matched: string, rest: string, by: boolean): TimeAmbiguity {
  const choices: [Msg, Msg] = [choiceOf(options[0].at, ctx.now, ctx.zone), choiceOf(options[1].at, ctx.now, ctx.zone)];
  return {
    ok: false, reason: 'ambiguous', code: 'E_TIME_AMBIGUOUS', params: { matched, first: choices[0], second: choices[1] },
    matched, rest, by, options: [options[0].at, options[1].at], choices,
  };
}

function unread(input: string, u: Unread): TimeRefusal {
  const text = input.slice(u.start, u.end).trim();
  return { ok: false, reason: 'invalid', code: 'E_TIME_UNREAD', params: { text, word: input.slice(u.word.start, u.word.end).trim() }, matched: text };
}

/** Runs `fn`, turning the resolver's refusals into coded failures for `matched`. */
function guarded<T>(matched: string, ctx: Ctx, fn: () => T | TimeFailure): T | TimeFailure {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidTime) return invalid(matched, e.detail, e.params);
    if (e instanceof TooFar) return { ok: false, reason: 'invalid', code: 'E_TIME_TOO_FAR', params: { matched, years: HORIZON_YEARS }, matched };
    if (e instanceof NeedHour) {
      const example = `${matched} ${pad2(e.example.h)}:${pad2(e.example.m)}`;
      return { ok: false, reason: 'invalid', code: 'E_TIME_NEED_HOUR', params: { matched, example }, matched };
    }
    throw e;
  }
}

// ---- results ---------------------------------------------------------------------------------

/** Connectors left behind once the time is cut out: "明天3点的会议" → "会议", "周五 14:00，交周报" → "交周报". */
function restOf(input: string, start: number, end: number): string {
  const before = input.slice(0, start).replace(/[\s,，:：、]+$/u, '');
  const after = input.slice(end).replace(/^[\s,，:：、的]+/u, '');
  return [before, after].filter((part) => part !== '').join(' ');
}

function resolveHit(hit: Exclude<Hit, { kind: 'recurring' }>, ctx: Ctx): Outcome {
  const outcome = hit.kind === 'relative' ? resolveRelative(hit, ctx) : resolveOnce(hit, ctx);
  checkLimits(outcome, ctx);
  return outcome;
}

const isBy = (hit: Hit): boolean => hit.kind !== 'recurring' && hit.by === true;

/** Finds the time expression in `input` (usually at its start); `rest` is the input without it. */
export function parseTime(input: string, opts: ParseOptions): TimeParse {
  const found = findExpression(normalizeInput(input));
  if (!found) return none(input);
  if (found.kind === 'unread') return unread(input, found);
  const hit = found;
  const matched = input.slice(hit.start, hit.end).trim();
  const rest = restOf(input, hit.start, hit.end);
  const ctx = contextOf(opts.now, opts.timeZone, opts.dayFirst);
  return guarded<TimeParse>(matched, ctx, () => {
    if (hit.kind === 'recurring') return { ok: true, kind: 'recurring', ...describeFreq(hit, ctx), matched, rest };
    const outcome = resolveHit(hit, ctx);
    if ('options' in outcome) return ambiguity(outcome.options, ctx, matched, rest, isBy(hit));
    if (outcome.at.getTime() <= ctx.now.getTime()) return past(outcome.at, matched);
    return { ok: true, kind: 'once', at: outcome.at, matched, rest, by: isBy(hit) };
  });
}

// ---- ranges ------------------------------------------------------------------------------------

const RANGE_SEP_RE = /\s*(?:~+|-+|—+|–|―|到|至|to(?![a-z])|until(?![a-z])|till(?![a-z]))\s*/iy;

function matchRangeEnd(text: string, start: Hit): Exclude<Hit, { kind: 'recurring' }> | null {
  RANGE_SEP_RE.lastIndex = start.end;
  const sep = RANGE_SEP_RE.exec(text);
  return sep ? matchOnce(text, start.end + sep[0].length) : null;
}

/** The end of "明天下午3点~5点": without 上午/下午/pm it takes the start's part of day. */
function inheritPeriod(end: OnceHit, start: OnceHit): OnceHit {
  const bare = end.tod && end.tod.hour !== null && !end.tod.period && !end.tod.ampm;
  if (!bare || !end.tod) return end;
  return { ...end, tod: { ...end.tod, period: start.tod?.period ?? start.implied, ampm: start.tod?.ampm } };
}

/**
 * An end without a day is on the start's day, the first reading after the start; it may run past
 * midnight when it says so (凌晨, 半夜, "晚上11点~凌晨2点") or when a night shift starts in the evening
 * ("22:00-02:00"). Without any reading after the start, the first one (refused by the caller).
 */
function resolveDaylessEnd(end: OnceHit, start: OnceHit, startAt: Resolved, ctx: Ctx): Resolved {
  const plan = clockPlan(inheritPeriod(end, start).tod, end.implied, false);
  const own = end.tod?.period?.kind;
  const overnight = own === 'dawn' || own === 'late' || own === 'midnight' || (plan.kind !== 'part' && wallClockOf(startAt.at, ctx.zone).h >= 18);
  const days: CivilDate[] = overnight ? [startAt.date, addDays(startAt.date, 1)] : [startAt.date];
  const candidates = days.flatMap((d) => readings(plan).map((r) => {
    const date = addDays(d, r.shift);
    return { at: toInstant(date, r.h, r.m, ctx.zone), date };
  }));
  const after = candidates.filter((c) => c.at > startAt.at).sort((a, b) => a.at.getTime() - b.at.getTime());
  return after[0] ?? candidates[0]!;
}

/**
 * A one-off start optionally followed by `~`, `-`, `—`, `ー`, `到`, `至` and an end ("明天下午3点~5点" ends
 * 17:00, "晚上11点~凌晨2点" ends the next day). The end must be after the start.
 */
export function parseTimeRange(input: string, opts: ParseOptions): RangeParse {
  const text = normalizeInput(input);
  const found = findExpression(text);
  if (!found) return none(input);
  if (found.kind === 'unread') return unread(input, found);
  const hit = found;
  const startText = input.slice(hit.start, hit.end).trim();
  if (hit.kind === 'recurring') return invalid(startText, 'rangeRecurring');
  const ctx = contextOf(opts.now, opts.timeZone, opts.dayFirst);
  return guarded<RangeParse>(startText, ctx, () => {
    const startOutcome = resolveHit(hit, ctx);
    const endHit = matchRangeEnd(text, hit);
    if ('options' in startOutcome) {
      const stop = endHit ? endHit.end : hit.end;
      return ambiguity(startOutcome.options, ctx, startText, restOf(input, hit.start, stop), isBy(hit));
    }
    if (startOutcome.at.getTime() <= ctx.now.getTime()) return past(startOutcome.at, startText);
    if (!endHit) return { ok: true, start: startOutcome.at, end: null, matched: startText, rest: restOf(input, hit.start, hit.end) };
    const matched = input.slice(hit.start, endHit.end).trim();
    const end = guarded<Resolved>(matched, ctx, () => {
      if (endHit.kind === 'once' && !endHit.day && hit.kind === 'once') return resolveDaylessEnd(endHit, hit, startOutcome, ctx);
      const outcome = resolveHit(endHit, ctx);
      const options = 'options' in outcome ? outcome.options : [outcome];
      return options.find((o) => o.at > startOutcome.at) ?? options[0]!;
    });
    if ('ok' in end) return end;
    checkLimits(end, ctx);
    if (end.at.getTime() <= startOutcome.at.getTime()) return invalid(matched, 'endBeforeStart', { end: end.at, start: startOutcome.at });
    return { ok: true, start: startOutcome.at, end: end.at, matched, rest: restOf(input, hit.start, endHit.end) };
  });
}
