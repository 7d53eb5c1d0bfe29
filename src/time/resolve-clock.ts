/**
 * Clock readings: what hour a time of day names. A spoken hour 1-11 without a part of day ("3点",
 * "8点", "at 8") has a morning and an afternoon reading; which one is meant is decided with the day
 * (resolve.ts), and asked when a person would ask. See docs/time-expressions.md.
 */
import type { Period, TimeOfDay } from './grammar-types.js';
import type { Params } from '../i18n/translator.js';

/** Thrown for a well-formed but impossible time ("25点", "2月30日"); `detail` is a `time.invalid.*` message. */
export class InvalidTime extends Error {
  constructor(
    readonly detail: string,
    readonly params: Params = {},
  ) {
    super(detail);
  }
}

/** Thrown when a part of day has no hour to fall back on ("后天凌晨", "今晚" said at 21:00). */
export class NeedHour extends Error {
  constructor(readonly example: { h: number; m: number; shift: number }) {
    super('need hour');
  }
}

/** h:m on the named day, `shift` days later ("晚上12点" is 00:00 the next day). */
export interface Reading { h: number; m: number; shift: number }

export type ClockPlan =
  | { kind: 'fixed'; r: Reading }
  /** A part of day alone at its default hour; `until` is the hour the part ends (to tell "still going" from "over"). */
  | { kind: 'part'; r: Reading; until: number; period: Period }
  /** A spoken hour 1-11 without a part of day: morning `am` or afternoon `pm`; `small`: 1-6. */
  | { kind: 'bare'; am: Reading; pm: Reading; small: boolean };

/** "noon" is a moment, "中午" a part of the day. */
const EXACT_NOON = /^(?:noon|midday|正午)$/i;

const at = (h: number, m: number, shift = 0): Reading => ({ h, m, shift });

/** The hour each part of day ends, for "下午" said at 15:00 (ask the hour) versus at 19:00 (tomorrow). */
const PART_ENDS: Record<Period['kind'], number> = { dawn: 6, am: 12, noon: 14, pm: 18, evening: 19, night: 24, late: 24, midnight: 24 };

function applyPeriod(hour: number, minute: number, period: Period): Reading {
  const bad = (): never => {
    throw new InvalidTime('partOfDayHour', { part: period.word, hour });
  };
  switch (period.kind) {
    case 'dawn':
      return hour === 12 ? at(0, minute) : hour <= 6 ? at(hour, minute) : bad();
    case 'am':
      return hour <= 12 ? at(hour, minute) : bad();
    case 'noon':
      return hour >= 1 && hour <= 5 ? at(hour + 12, minute) : hour >= 11 && hour <= 14 ? at(hour, minute) : bad();
    case 'pm':
      return hour >= 1 && hour <= 11 ? at(hour + 12, minute) : hour >= 12 && hour <= 23 ? at(hour, minute) : bad();
    case 'evening':
      return hour >= 3 && hour <= 11 ? at(hour + 12, minute) : hour >= 15 && hour <= 23 ? at(hour, minute) : bad();
    case 'night':
      if (hour === 12 || hour === 24) return at(0, minute, 1);
      return hour >= 5 && hour <= 11 ? at(hour + 12, minute) : hour >= 17 && hour <= 23 ? at(hour, minute) : hour <= 4 ? at(hour, minute, 1) : bad();
    case 'late':
      if (hour === 12 || hour === 24) return at(0, minute, 1);
      return hour >= 8 && hour <= 11 ? at(hour + 12, minute) : hour >= 20 && hour <= 23 ? at(hour, minute) : hour <= 5 ? at(hour, minute, 1) : bad();
    case 'midnight':
      return hour === 12 || hour === 24 ? at(0, minute, 1) : hour <= 3 ? at(hour, minute, 1) : bad();
  }
}

function from12h(hour: number, minute: number, ampm: 'am' | 'pm'): Reading {
  if (hour < 1 || hour > 12) throw new InvalidTime('twelveHour');
  return at((hour % 12) + (ampm === 'pm' ? 12 : 0), minute);
}

/**
 * What a time of day means. No time at all: 09:00 (the start of the working day), or 18:00 for a
 * deadline ("年底前": by the end of that working day).
 */
export function clockPlan(tod: TimeOfDay | undefined, implied: Period | undefined, deadline: boolean): ClockPlan {
  const period = tod?.period ?? implied;
  if (!tod || tod.hour === null) {
    if (!period) return { kind: 'fixed', r: at(deadline ? 18 : 9, 0) };
    if (period.kind === 'midnight') return { kind: 'fixed', r: at(0, 0, 1) };
    if (EXACT_NOON.test(period.word)) return { kind: 'fixed', r: at(12, 0) };
    if (period.defaultHour === null) throw new NeedHour(period.kind === 'dawn' ? at(2, 0) : at(23, 0));
    return { kind: 'part', r: at(period.defaultHour, 0), until: PART_ENDS[period.kind], period };
  }
  const { hour, minute } = tod;
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new InvalidTime('minute');
  if (!Number.isInteger(hour)) throw new InvalidTime('hourUnreadable');
  if (tod.ampm) return { kind: 'fixed', r: from12h(hour, minute, tod.ampm) };
  if (hour > 24 || (hour === 24 && minute > 0)) throw new InvalidTime('hour');
  if (period) return { kind: 'fixed', r: applyPeriod(hour, minute, period) };
  if (hour === 24) return { kind: 'fixed', r: at(0, 0, 1) };
  // 0:00, 13:00-23:00, noon, "08:00" and "9:30" are read as written; only spoken hours and "3:30" have two readings.
  if (hour === 0 || hour >= 12 || tod.style === 'padded' || (tod.style === 'colon' && hour > 6)) return { kind: 'fixed', r: at(hour, minute) };
  return { kind: 'bare', am: at(hour, minute), pm: at(hour + 12, minute), small: hour <= 6 };
}

export function readings(plan: ClockPlan): Reading[] {
  return plan.kind === 'bare' ? [plan.am, plan.pm] : [plan.r];
}
