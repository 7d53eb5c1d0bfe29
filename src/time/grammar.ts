/**
 * Finds the time expression in normalised text (see normalize.ts) and returns its raw fields.
 * The rule: a time is read completely or not at all. A time word next to the expression that the
 * grammar cannot place ("下下下下周", "明天后", "3pm am") makes the whole expression `unread`, so
 * it is refused instead of being dropped into the reminder text.
 */
import { SMALL_NUM as N, parseNumber } from './chinese-numerals.js';
import { PERIOD_WORDS, matchTimeOfDay, timeAfter } from './grammar-clock.js';
import { DAY_PATTERNS, weekdayIso, type DayPattern } from './grammar-days.js';
import { matchRelative, wholeDays } from './grammar-relative.js';
import {
  alternation, matchAt, type DaySpec, type Freq, type Groups, type Hit, type OnceHit, type RecurringHit, type TimeOfDay, type Unread,
} from './grammar-types.js';

export type { DaySpec, DurationPart, Freq, Hit, OnceHit, Period, RelativeHit, TimeOfDay, Unread } from './grammar-types.js';

// ---- day part + time ---------------------------------------------------------------

const BOUNDARY_AFTER = /^(?:$|[\s,，.。;；:：!！?？、)）\]】~～\-—–])/;

function standsAlone(pat: DayPattern, s: string, pos: number, end: number): boolean {
  const atStart = s.slice(0, pos).trim() === '';
  switch (pat.alone) {
    case 'always':
      return true;
    case 'time':
      return false;
    case 'start':
      return atStart;
    case 'boundary':
      return atStart || BOUNDARY_AFTER.test(s.slice(end, end + 1));
  }
}

/** Day part with optional time: "明天下午3点", "周五 14:00", "12月24日", "tomorrow at 3pm". */
function matchDated(s: string, pos: number): OnceHit | null {
  for (const pat of DAY_PATTERNS) {
    const f = matchAt(pat.re, s, pos);
    if (!f) continue;
    const t = timeAfter(s, f.end);
    if (!t && !standsAlone(pat, s, pos, f.end)) continue;
    const { day, implied } = pat.build(f.groups);
    return { kind: 'once', start: pos, end: t ? t.end : f.end, day, implied, tod: t?.tod };
  }
  return null;
}

/** A day part after a time ("9pm tomorrow", "noon on Friday"); only unmistakable forms. */
function matchTrailingDay(s: string, pos: number): { day: DaySpec; end: number } | null {
  for (const pat of DAY_PATTERNS) {
    const f = pat.trailing ? matchAt(pat.re, s, pos) : null;
    if (f) return { day: pat.build(f.groups).day, end: f.end };
  }
  return null;
}

const AT_RE = /(?:at\s+|@\s*)/iy;
const TRAILING_DAY_RE = /\s*(?:on\s+)?/iy;
const EN_PERIOD_ALONE = /^(?:noon|midday|midnight)$/i;

/** A time without a leading day: "下午3点", "下午", "at 9:15", "9pm tomorrow", "noon tomorrow". */
function matchBareTime(s: string, pos: number): OnceHit | null {
  const at = matchAt(AT_RE, s, pos);
  const t = matchTimeOfDay(s, at ? at.end : pos, true);
  if (!t || !plausibleBareTime(s, pos, t.tod)) return null;
  const gap = matchAt(TRAILING_DAY_RE, s, t.end);
  const d = matchTrailingDay(s, gap ? gap.end : t.end);
  // An English part of day alone is only a time as "noon"/"midnight" or with a day: "evening" is a word.
  const word = t.tod.hour === null ? (t.tod.period?.word ?? '') : '';
  if (/^[a-z]/i.test(word) && !d && !EN_PERIOD_ALONE.test(word)) return null;
  return { kind: 'once', start: pos, end: d ? d.end : t.end, day: d?.day, tod: t.tod };
}

/** "第3点" is an item, "我有两点意见" is a count: only trust "两点" after a boundary or a pronoun/preposition. */
function plausibleBareTime(s: string, pos: number, tod: TimeOfDay): boolean {
  const prev = s[pos - 1] ?? '';
  if (prev === '第') return false;
  if (tod.period || tod.ampm || !tod.cnHourOnly) return true;
  return prev === '' || /[\s,，.。:：;；!！?？~\-—–至在于到我你他她们]/.test(prev);
}

// ---- deadlines and other words around a time ----------------------------------------

const EN_BY_RE = /(?:by|before|until|till|no\s+later\s+than)\s+/iy;
const EN_AFTER_RE = /(?:after|from)\s+/iy;
/** "年底前", "明天之前", "今天内": due then. */
const CN_BY_RE = /\s*(?:之前|以前|前(?!天)|之内|以内|内)/y;
/** "下午3点以后" / "3点后": from then on, i.e. at that time. Only after a clock time. */
const CN_FROM_RE = /\s*(?:之后|以后|后(?!天))/y;

/** A one-off expression exactly at `pos`, with "by"/"after" before it and 前/内/以后 after it. */
function matchCore(s: string, pos: number): Exclude<Hit, RecurringHit> | null {
  const by = matchAt(EN_BY_RE, s, pos);
  const from = by ? null : matchAt(EN_AFTER_RE, s, pos);
  const at = by?.end ?? from?.end ?? pos;
  const hit = matchRelative(s, at) ?? matchDated(s, at) ?? matchBareTime(s, at);
  if (!hit) return null;
  hit.start = pos;
  if (by) return hit.kind === 'relative' && hit.sign < 0 ? null : { ...hit, by: true };
  if (from && hit.kind !== 'once') return null;
  return hit.kind === 'once' ? withSuffix(s, hit) : hit;
}

/**
 * A one-off expression exactly at `pos` (also used for range ends). A span of whole days may be
 * followed by a time of day on that day: "3天后下午3点".
 */
export function matchOnce(s: string, pos: number): Exclude<Hit, RecurringHit> | null {
  const hit = matchCore(s, pos);
  if (!hit || hit.kind !== 'relative' || hit.sign < 0 || hit.by || !wholeDays(hit.parts)) return hit;
  const t = timeAfter(s, hit.end);
  if (!t) return hit;
  return withSuffix(s, { kind: 'once', start: hit.start, end: t.end, day: { kind: 'span', parts: hit.parts }, tod: t.tod });
}

function withSuffix(s: string, hit: OnceHit): OnceHit {
  const by = hit.by ? null : matchAt(CN_BY_RE, s, hit.end);
  if (by) return { ...hit, end: by.end, by: true };
  const from = hit.tod?.hour !== null && hit.tod !== undefined ? matchAt(CN_FROM_RE, s, hit.end) : null;
  return from ? { ...hit, end: from.end } : hit;
}

// ---- recurring -----------------------------------------------------------------------

const WD = '[一二三四五六日天七]';
const EN_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
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
  { re: new RegExp(`every\\s+(?<list>${EN_DAYS.join('|')})(?![a-z])`, 'iy'), build: (g) => ({ type: 'weekly', days: [weekdayIso(g.list ?? '') % 7] }) },
  { re: new RegExp(`每个?月\\s*(?<d>${N})\\s*(?:号|日)?`, 'y'), build: (g) => ({ type: 'monthly', dom: parseNumber(g.d ?? '') }) },
];

function matchRecurring(s: string, pos: number): RecurringHit | null {
  for (const pat of FREQ_PATTERNS) {
    const f = matchAt(pat.re, s, pos);
    if (!f) continue;
    const t = timeAfter(s, f.end);
    return { kind: 'recurring', start: pos, end: t ? t.end : f.end, freq: pat.build(f.groups), tod: t?.tod };
  }
  return null;
}

// ---- completeness ------------------------------------------------------------------------

/** Time words that may not directly follow an expression: the grammar would have read them if they fitted. */
const LEFTOVER_AFTER_RE = new RegExp(
  `(?:${alternation(PERIOD_WORDS.filter((w) => !/^[a-z]/i.test(w)))}|之后|以后|过后|后(?!天)|以前|之前|前(?!天)|以内|之内|内)` +
    `|\\s*(?:a\\.m\\.?|p\\.m\\.?|am|pm|o'?clock|ago|later|from\\s+now|noon|midnight)(?![a-z])`,
  'iy',
);
const PREFIX_CHARS = '下上本这昨前后大明今每去';
/** A character before the expression that would make another word of it ("下" + "下周", "大" + "后天", "每"). */
function leftoverBefore(prev: string, first: string): boolean {
  if (prev === '') return false;
  if (prev === '每') return true;
  if ('下上'.includes(prev)) return /[下上周星礼个月]/.test(first);
  if ('本这'.includes(prev)) return /[周星礼个月]/.test(first);
  if ('昨前后大明今'.includes(prev)) return /[天日晚早夜前后大明今昨]/.test(first);
  if (prev === '去') return first === '年' || first === '去';
  return false;
}

const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9]/.test(ch);
/** Every character an expression can start with (a speed-up: other positions are skipped without trying ~35 patterns). */
const START = /[0-9A-Za-z@零〇一二两三四五六七八九十廿卅百千万半再过每天工周星礼本这下上月今明去年大后昨前凌清早中正午傍黄晚夜深]/;

/** The first time expression in `s`, trying each position that does not split an ASCII word. */
export function findExpression(s: string): Hit | Unread | null {
  for (let pos = 0; pos < s.length; pos++) {
    const ch = s[pos] ?? '';
    if (!START.test(ch) || (isWordChar(s[pos - 1]) && isWordChar(ch)) || s[pos - 1] === '第') continue;
    const hit = matchRecurring(s, pos) ?? matchOnce(s, pos);
    if (!hit) continue;
    if (leftoverBefore(s[pos - 1] ?? '', ch)) {
      let start = pos - 1;
      while (start > 0 && PREFIX_CHARS.includes(s[start - 1] ?? '')) start--;
      return { kind: 'unread', start, end: hit.end, word: { start, end: pos } };
    }
    const after = matchAt(LEFTOVER_AFTER_RE, s, hit.end);
    if (after) return { kind: 'unread', start: hit.start, end: after.end, word: { start: hit.end, end: after.end } };
    return hit;
  }
  return null;
}
