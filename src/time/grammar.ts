/**
 * Recognises the *shape* of time expressions at a position in normalised text and returns
 * raw fields. No calendar math or range checks here: "13月45日" is a well-formed date that
 * the resolver rejects as invalid, which lets us tell "invalid" apart from "none".
 */
import { CN_NUMERAL_CHARS as CN, SMALL_NUM as N, parseNumber } from './chinese-numerals.js';

export type PeriodKind = 'am' | 'dawn' | 'noon' | 'pm' | 'night';
/** A part of the day such as 下午; `defaultHour` is used when no hour follows ("明天下午"). */
export interface Period { word: string; kind: PeriodKind; defaultHour: number | null }

const PERIOD_TABLE: Record<string, [PeriodKind, number | null]> = {
  凌晨: ['dawn', null], 清晨: ['am', 9], 早晨: ['am', 9], 早上: ['am', 9], 上午: ['am', 9],
  中午: ['noon', 12], 午后: ['pm', 14], 下午: ['pm', 14], 傍晚: ['pm', 18], 晚上: ['night', 20], 夜晚: ['night', 20],
  morning: ['am', 9], noon: ['noon', 12], afternoon: ['pm', 14], evening: ['pm', 18], night: ['night', 20],
};

export function period(word: string): Period {
  const [kind, defaultHour] = PERIOD_TABLE[word.toLowerCase()] ?? ['am', null];
  return { word, kind, defaultHour };
}

export interface TimeOfDay {
  period?: Period | undefined;
  hour: number | null; // null: a period alone, e.g. "明天下午"
  minute: number;
  ampm?: 'am' | 'pm' | undefined;
  /** Hour in Chinese numerals with no minutes ("两点"), easily confused with "two points". */
  cnHourOnly: boolean;
}

export type Week = 'plain' | 'this' | 'next' | 'after-next' | 'last';
export type DaySpec =
  | { kind: 'offset'; days: number }
  | { kind: 'weekday'; iso: number; week: Week }
  | { kind: 'date'; year?: number; month?: number; day: number };

export type Freq =
  | { type: 'daily' }
  | { type: 'workdays' }
  | { type: 'weekly'; days: number[] } // cron day-of-week, 0 = Sunday
  | { type: 'monthly'; dom: number };

interface Span { start: number; end: number }
export type Hit =
  | (Span & { kind: 'once'; day?: DaySpec | undefined; tod?: TimeOfDay | undefined; implied?: Period | undefined })
  | (Span & { kind: 'relative'; ms: number; days: number })
  | (Span & { kind: 'recurring'; freq: Freq; tod?: TimeOfDay | undefined });

type Groups = Record<string, string | undefined>;
interface Found { groups: Groups; text: string; end: number }

/** Runs a sticky regex exactly at `pos`. */
function matchAt(re: RegExp, s: string, pos: number): Found | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? { groups: m.groups ?? {}, text: m[0], end: pos + m[0].length } : null;
}

// ---- time of day -------------------------------------------------------------------

const PERIOD_RE = new RegExp(`(?:${Object.keys(PERIOD_TABLE).join('|')})(?![a-z])`, 'iy');
const AMPM = 'a\\.m\\.|p\\.m\\.|am|pm';
const CLOCK_RE = new RegExp(
  `(?:(?<h1>\\d{1,2})\\s*:\\s*(?<m1>\\d{2})(?::\\d{2})?` + // 15:00, 3:30
    `|(?<h2>${N})\\s*(?:点钟?|时)(?:(?<m2>半|[一1]刻|[三3]刻|整|${N})分?)?` + // 3点15分, 十点半
    `|(?<h3>\\d{1,2})(?=\\s*(?:${AMPM})(?![a-z])))` + // 9am
    `(?:\\s*(?<ap>${AMPM})(?![a-z]))?`,
  'iy',
);

function minuteOf(text: string | undefined): number {
  if (text === undefined || text === '整') return 0;
  if (text === '半') return 30;
  if (text.endsWith('刻')) return /[一1]/.test(text) ? 15 : 45;
  return parseNumber(text);
}

/** `[period] clock`, or a period alone when `allowPeriodOnly` and it has a default hour. */
export function matchTimeOfDay(s: string, pos: number, allowPeriodOnly: boolean): { tod: TimeOfDay; end: number } | null {
  const p = matchAt(PERIOD_RE, s, pos);
  const per = p ? period(p.text) : undefined;
  const afterPeriod = p ? p.end : pos;
  const c = matchAt(CLOCK_RE, s, afterPeriod + (/^\s*/.exec(s.slice(afterPeriod))?.[0].length ?? 0));
  if (c) {
    const g = c.groups;
    const hourText = g.h1 ?? g.h2 ?? g.h3 ?? '';
    const ap = g.ap?.toLowerCase().startsWith('a') ? 'am' : g.ap ? 'pm' : undefined;
    const tod: TimeOfDay = {
      period: per, hour: parseNumber(hourText), minute: minuteOf(g.m1 ?? g.m2), ampm: ap,
      cnHourOnly: g.h2 !== undefined && !/\d/.test(hourText) && g.m2 === undefined,
    };
    return { tod, end: c.end };
  }
  if (per && allowPeriodOnly && per.defaultHour !== null) return { tod: { period: per, hour: null, minute: 0, cnHourOnly: false }, end: afterPeriod };
  return null;
}

const CONNECTOR_RE = /\s*[,，]?\s*(?:的|at\s+|@|T(?=\d))?\s*/iy;

/** A time of day following a day part, allowing "的", "at", a comma or spaces in between. */
function timeAfter(s: string, pos: number): { tod: TimeOfDay; end: number } | null {
  const c = matchAt(CONNECTOR_RE, s, pos);
  return matchTimeOfDay(s, c ? c.end : pos, true);
}

// ---- day parts ---------------------------------------------------------------------

const CN_WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 七: 7 };
const EN_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const weekdayIso = (w: string): number => CN_WEEKDAY[w] ?? (EN_WEEKDAYS.indexOf(w.toLowerCase()) + 1 || Number(w));

const DAY_WORDS: Record<string, [number, string?]> = {
  大后天: [3], 后天: [2], 明天: [1], 明日: [1], 今天: [0], 今日: [0], 昨天: [-1], 前天: [-2],
  今晚: [0, '晚上'], 今夜: [0, '晚上'], 今早: [0, '早上'], 明早: [1, '早上'], 明晨: [1, '早上'], 明晚: [1, '晚上'],
  'day after tomorrow': [2], tomorrow: [1], tmr: [1], today: [0], tonight: [0, 'night'],
};
const WEEK_PREFIX: Record<string, Week> = { 下下: 'after-next', 下: 'next', 本: 'this', 这: 'this', 上: 'last', next: 'next', this: 'this', coming: 'plain' };

interface DayPattern {
  re: RegExp;
  build: (g: Groups) => { day: DaySpec; implied?: Period | undefined };
  /** Forms too ambiguous alone ("1号楼", "2-3个"): need a following time (or, for M-D, the input start). */
  needsTime?: 'always' | 'unless-start';
}

const num = (t: string | undefined): number | undefined => (t === undefined ? undefined : parseNumber(t));
const dateOf = (g: Groups) => ({ day: { kind: 'date', year: num(g.y), month: num(g.mo), day: parseNumber(g.d ?? '') } as DaySpec });

const DAY_PATTERNS: DayPattern[] = [
  { re: /(?<y>\d{4})\s*[-/.]\s*(?<mo>\d{1,2})\s*[-/.]\s*(?<d>\d{1,2})(?!\d)/y, build: dateOf },
  { re: new RegExp(`(?:(?<y>\\d{4}|[${CN}]{4})\\s*年\\s*)?(?<mo>${N})\\s*月\\s*(?<d>${N})\\s*(?:日|号)?`, 'y'), build: dateOf },
  { re: /(?<mo>\d{1,2})[-/](?<d>\d{1,2})(?![\d:])/y, build: dateOf, needsTime: 'unless-start' },
  { re: new RegExp(`(?<d>${N})\\s*(?:号|日)`, 'y'), build: dateOf, needsTime: 'always' },
  {
    re: new RegExp(`(?:the\\s+)?(?<w>${Object.keys(DAY_WORDS).join('|').replace(/ /g, '\\s+')})(?![a-z])`, 'iy'),
    build: (g) => {
      const [days, implied] = DAY_WORDS[(g.w ?? '').toLowerCase().replace(/\s+/g, ' ')] ?? [0];
      return { day: { kind: 'offset', days }, implied: implied ? period(implied) : undefined };
    },
  },
  {
    re: /(?<pre>下下|下|本|这|上)?个?\s*(?:周|星期|礼拜)(?<w>[一二三四五六日天七1-7])/y,
    build: (g) => ({ day: { kind: 'weekday', iso: weekdayIso(g.w ?? ''), week: WEEK_PREFIX[g.pre ?? ''] ?? 'plain' } }),
  },
  {
    re: new RegExp(`(?:on\\s+)?(?:(?<pre>next|this|coming)\\s+)?(?<w>${EN_WEEKDAYS.join('|')})(?![a-z])`, 'iy'),
    build: (g) => ({ day: { kind: 'weekday', iso: weekdayIso(g.w ?? ''), week: WEEK_PREFIX[(g.pre ?? '').toLowerCase()] ?? 'plain' } }),
  },
];

/** Whether a day form may be used without a following time (see `needsTime`). */
function standsAlone(pat: DayPattern, s: string, pos: number): boolean {
  return pat.needsTime === undefined || (pat.needsTime === 'unless-start' && s.slice(0, pos).trim() === '');
}

/** Day part with optional time: "明天下午3点", "周五 14:00", "12月24日", "tomorrow at 3pm". */
function matchDated(s: string, pos: number): Hit | null {
  for (const pat of DAY_PATTERNS) {
    const f = matchAt(pat.re, s, pos);
    if (!f) continue;
    const t = timeAfter(s, f.end);
    if (!t && !standsAlone(pat, s, pos)) continue;
    const { day, implied } = pat.build(f.groups);
    return { kind: 'once', start: pos, end: t ? t.end : f.end, day, implied, tod: t?.tod };
  }
  return null;
}

/** A day part after a time ("9pm tomorrow"); ambiguous forms are not accepted here. */
function matchTrailingDay(s: string, pos: number): { day: DaySpec; end: number } | null {
  for (const pat of DAY_PATTERNS) {
    const f = pat.needsTime === undefined ? matchAt(pat.re, s, pos) : null;
    if (f) return { day: pat.build(f.groups).day, end: f.end };
  }
  return null;
}

const AT_RE = /(?:at\s+|@\s*)/iy;
const TRAILING_DAY_RE = /\s*(?:on\s+)?/iy;

/** A time without a leading day: "下午3点", "at 9:15", "9pm tomorrow". */
function matchBareTime(s: string, pos: number): Hit | null {
  const at = matchAt(AT_RE, s, pos);
  const t = matchTimeOfDay(s, at ? at.end : pos, false);
  if (!t || !plausibleBareTime(s, pos, t.tod)) return null;
  const gap = matchAt(TRAILING_DAY_RE, s, t.end);
  const d = matchTrailingDay(s, gap ? gap.end : t.end);
  return { kind: 'once', start: pos, end: d ? d.end : t.end, day: d?.day, tod: t.tod };
}

/** "第3点" is an item, "我有两点意见" is a count: only trust "两点" after a boundary or a pronoun/preposition. */
function plausibleBareTime(s: string, pos: number, tod: TimeOfDay): boolean {
  const prev = s[pos - 1] ?? '';
  if (prev === '第') return false;
  if (tod.period || tod.ampm || !tod.cnHourOnly) return true;
  return prev === '' || /[\s,，.。:：;；!！?？~\-—–至在于到我你他她们]/.test(prev);
}

// ---- relative ------------------------------------------------------------------------

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
const UNIT_DAYS: Record<string, number> = { d: 1, w: 7 };
const EN_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, fifteen: 15, twenty: 20, thirty: 30,
};

const REL_CN_RE = new RegExp(
  `(?:(?<n>\\d+(?:\\.\\d+)?|[${CN}]{1,3})\\s*个?\\s*(?<half>半)?|(?<half0>半)\\s*个?)\\s*` +
    `(?<unit>秒钟?|分钟|分|小时|钟头|天|日|周|星期|礼拜)\\s*(?:之|以)?后`,
  'y',
);
const EN_UNIT = 'seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|s|m|h|d|w';
const EN_NUM = `\\d+(?:\\.\\d+)?|half\\s+an?|${Object.keys(EN_NUMBERS).join('|')}`;
const REL_EN_RE = new RegExp(
  `(?:in\\s+(?<n>${EN_NUM})\\s*(?<unit>${EN_UNIT})|(?<n2>${EN_NUM})\\s*(?<unit2>${EN_UNIT})\\s+(?:later|from\\s+now))(?![a-z])`,
  'iy',
);

/** Maps a unit word to s/m/h/d/w. "分" is minutes; "m" is minutes in English too. */
function unitKey(unit: string): string {
  const u = unit.toLowerCase();
  if (/^(秒|s)/.test(u)) return 's';
  if (/^(分|mi|m$)/.test(u)) return 'm';
  if (/^(小时|钟头|h)/.test(u)) return 'h';
  if (/^(天|日|d)/.test(u)) return 'd';
  return 'w';
}

function amountOf(text: string | undefined, half: boolean): number {
  if (text === undefined) return half ? 0.5 : NaN;
  const t = text.toLowerCase().replace(/\s+/g, ' ');
  const n = t.startsWith('half') ? 0.5 : EN_NUMBERS[t] ?? parseNumber(t);
  return n + (half ? 0.5 : 0);
}

/** "30分钟后", "1个半小时后", "3天后下午3点", "in 2 hours", "10 minutes later". */
function matchRelative(s: string, pos: number): Hit | null {
  const f = matchAt(REL_CN_RE, s, pos) ?? matchAt(REL_EN_RE, s, pos);
  if (!f) return null;
  const g = f.groups;
  const amount = amountOf(g.n ?? g.n2, g.half !== undefined || g.half0 !== undefined);
  const unit = unitKey(g.unit ?? g.unit2 ?? '');
  if (!Number.isFinite(amount)) return null;
  const days = (UNIT_DAYS[unit] ?? 0) * amount;
  if (days > 0 && Number.isInteger(days)) {
    const t = timeAfter(s, f.end); // "3天后下午3点": a day offset, then a time on that day
    if (t) return { kind: 'once', start: pos, end: t.end, day: { kind: 'offset', days }, tod: t.tod };
    return { kind: 'relative', start: pos, end: f.end, ms: 0, days };
  }
  return { kind: 'relative', start: pos, end: f.end, ms: Math.round(amount * (UNIT_MS[unit] ?? UNIT_DAYS[unit]! * 86_400_000)), days: 0 };
}

// ---- recurring -----------------------------------------------------------------------

const WD = '[一二三四五六日天七]';
const FREQ_PATTERNS: Array<{ re: RegExp; build: (g: Groups) => Freq }> = [
  { re: /(?:每天|每日|天天|每一天|every\s*day|daily)(?![a-z])/iy, build: () => ({ type: 'daily' }) },
  {
    re: /(?:每个?工作日|工作日|每?周一(?:至|到|~|-)周五|every\s+weekdays?|(?:on\s+)?weekdays)(?![a-z志])/iy,
    build: () => ({ type: 'workdays' }),
  },
  {
    // "每周一、三、五"; later items may not be followed by 点/时 so "每周五，三点" stays Friday at 3.
    re: new RegExp(`每个?(?:周|星期|礼拜)(?<list>[${WD.slice(1, -1)}1-7](?:\\s*[、,，和及]\\s*(?:周|星期|礼拜)?${WD}(?![点时:\\d]))*)`, 'y'),
    build: (g) => ({ type: 'weekly', days: [...(g.list ?? '').matchAll(/[一二三四五六日天七1-7]/g)].map((m) => weekdayIso(m[0]) % 7) }),
  },
  { re: new RegExp(`every\\s+(?<list>${EN_WEEKDAYS.join('|')})(?![a-z])`, 'iy'), build: (g) => ({ type: 'weekly', days: [weekdayIso(g.list ?? '') % 7] }) },
  { re: new RegExp(`每个?月\\s*(?<d>${N})\\s*(?:号|日)?`, 'y'), build: (g) => ({ type: 'monthly', dom: parseNumber(g.d ?? '') }) },
];

function matchRecurring(s: string, pos: number): Hit | null {
  for (const pat of FREQ_PATTERNS) {
    const f = matchAt(pat.re, s, pos);
    if (!f) continue;
    const t = timeAfter(s, f.end);
    return { kind: 'recurring', start: pos, end: t ? t.end : f.end, freq: pat.build(f.groups), tod: t?.tod };
  }
  return null;
}

// ---- scanning ------------------------------------------------------------------------

/** A one-off expression exactly at `pos` (used for range ends). */
export function matchOnce(s: string, pos: number): Hit | null {
  return matchRelative(s, pos) ?? matchDated(s, pos) ?? matchBareTime(s, pos);
}

const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9]/.test(ch);

/** The first time expression in `s`, trying each position that does not split an ASCII word. */
export function findExpression(s: string): Hit | null {
  for (let pos = 0; pos < s.length; pos++) {
    if (/\s/.test(s[pos] ?? '') || (isWordChar(s[pos - 1]) && isWordChar(s[pos]))) continue;
    const hit = matchRecurring(s, pos) ?? matchOnce(s, pos);
    if (hit) return hit;
  }
  return null;
}
