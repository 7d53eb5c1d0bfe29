/**
 * What the grammar recognises: raw fields of a time expression, no calendar math or range checks
 * ("13月45日" is a well-formed date that the resolver refuses, which tells "invalid" from "none").
 */

/** dawn 凌晨 (0-6), late 夜里/半夜 (the night after the named day), midnight 午夜/midnight. */
export type PeriodKind = 'dawn' | 'am' | 'noon' | 'pm' | 'evening' | 'night' | 'late' | 'midnight';
/** A part of the day such as 下午; `defaultHour` is used when no hour follows ("明天下午"), null: ask for the hour. */
export interface Period { word: string; kind: PeriodKind; defaultHour: number | null }

export interface TimeOfDay {
  period?: Period | undefined;
  hour: number | null; // null: a part of day alone, e.g. "明天下午"
  minute: number;
  ampm?: 'am' | 'pm' | undefined;
  /** "08:00" is a 24-hour clock; "8:00" a clock that may still mean 20:00; "8点"/"at 8" a spoken hour. */
  style: 'padded' | 'colon' | 'spoken';
  /** Hour in Chinese numerals with no minutes ("两点"), easily confused with "two points". */
  cnHourOnly: boolean;
}

export type Week = 'plain' | 'this' | 'next' | 'after-next' | 'last' | 'before-last';
/** 本月 / 下个月 / 上个月, 今年 / 明年 / 去年; plain: the next one that is still ahead. */
export type Rel = 'plain' | 'this' | 'next' | 'last';

export type DurationUnit = 's' | 'min' | 'quarter' | 'h' | 'd' | 'w' | 'mo' | 'y';
export interface DurationPart { amount: number; unit: DurationUnit }

export type DaySpec =
  | { kind: 'offset'; days: number }
  /** "3天后下午3点", "2 weeks from now at 9": a whole-day span from today. */
  | { kind: 'span'; parts: DurationPart[] }
  | { kind: 'weekday'; iso: number; week: Week }
  /** 下周 / next week: its Monday. */
  | { kind: 'week'; week: Week }
  /** 周末: its Saturday (or Sunday when Saturday is over). */
  | { kind: 'weekend'; week: Week }
  | { kind: 'date'; year?: number | undefined; month?: number | undefined; day: number; monthRel?: Rel }
  /** "05/06": month a and day b, or (day-first readers) day a and month b. */
  | { kind: 'pair'; year?: number | undefined; a: number; b: number }
  | { kind: 'monthEdge'; edge: 'start' | 'end'; rel: Rel }
  | { kind: 'yearEdge'; edge: 'start' | 'end'; rel: Rel };

export type Freq =
  | { type: 'daily' }
  | { type: 'workdays' }
  | { type: 'weekly'; days: number[] } // cron day-of-week, 0 = Sunday
  | { type: 'monthly'; dom: number };

export interface Span { start: number; end: number }
/** `by`: a deadline ("五日内", "年底前", "by Friday"): due then, a reminder says "by". */
export type OnceHit = Span & { kind: 'once'; day?: DaySpec | undefined; tod?: TimeOfDay | undefined; implied?: Period | undefined; by?: boolean };
export type RelativeHit = Span & { kind: 'relative'; parts: DurationPart[]; sign: 1 | -1; by?: boolean };
export type RecurringHit = Span & { kind: 'recurring'; freq: Freq; tod?: TimeOfDay | undefined };
export type Hit = OnceHit | RelativeHit | RecurringHit;
/** A time phrase with a word the grammar cannot place ("下下下下周", "明天后"): refused, never dropped into the text. */
export type Unread = Span & { kind: 'unread'; word: Span };

export type Groups = Record<string, string | undefined>;
export interface Found { groups: Groups; text: string; end: number }

/** Runs a sticky regex exactly at `pos`. */
export function matchAt(re: RegExp, s: string, pos: number): Found | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? { groups: m.groups ?? {}, text: m[0], end: pos + m[0].length } : null;
}

/** Alternation source, longest first so "大后天" is tried before "后天". */
export function alternation(words: readonly string[]): string {
  return [...words].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')).join('|');
}
