/** Day parts: 明天, 周五, 下周末, 12月24日, 下个月1号, 月底, 2026.12.24, 12/24, Dec 24th, next week. */
import { CN_NUMERAL_CHARS as CN, SMALL_NUM as N, parseNumber } from './chinese-numerals.js';
import { period } from './grammar-clock.js';
import { alternation, type DaySpec, type Groups, type Period, type Rel, type Week } from './grammar-types.js';

const CN_WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 七: 7 };
const EN_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** Short forms that are not also English words ("sat", "sun" are left out on purpose). */
const EN_WEEKDAY_SHORT: Record<string, number> = { mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thur: 4, thurs: 4, fri: 5 };
export const weekdayIso = (w: string): number => {
  const l = w.toLowerCase();
  return CN_WEEKDAY[w] ?? EN_WEEKDAY_SHORT[l] ?? (EN_WEEKDAYS.indexOf(l) + 1 || Number(w));
};

const EN_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const EN_MONTH_SHORT: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12 };
const monthOf = (w: string): number => EN_MONTH_SHORT[w.toLowerCase()] ?? EN_MONTHS.indexOf(w.toLowerCase()) + 1;
const MONTH = alternation([...EN_MONTHS, ...Object.keys(EN_MONTH_SHORT)]);

/** Day words and the part of day some of them imply ("今晚" = today, 晚上). */
const DAY_WORDS: Record<string, [number, string?]> = {
  大后天: [3], 后天: [2], 后日: [2], 明天: [1], 明日: [1], 今天: [0], 今日: [0], 昨天: [-1], 昨日: [-1], 前天: [-2], 大前天: [-3],
  今晚: [0, '晚上'], 今夜: [0, '晚上'], 今早: [0, '早上'], 今晨: [0, '早上'], 明早: [1, '早上'], 明晨: [1, '早上'], 明晚: [1, '晚上'],
  明夜: [1, '晚上'], 昨晚: [-1, '晚上'], 昨夜: [-1, '晚上'], 昨早: [-1, '早上'],
  'the day after tomorrow': [2], 'day after tomorrow': [2], tomorrow: [1], tmr: [1], tmrw: [1], today: [0], tonight: [0, 'night'],
  yesterday: [-1], 'this morning': [0, 'morning'], 'this afternoon': [0, 'afternoon'], 'this evening': [0, 'evening'],
};
const WEEK_PREFIX: Record<string, Week> = {
  下下: 'after-next', 下: 'next', 本: 'this', 这: 'this', 上: 'last', 上上: 'before-last', next: 'next', this: 'this', coming: 'plain', last: 'last',
};
const weekOf = (pre: string | undefined): Week => WEEK_PREFIX[(pre ?? '').toLowerCase().replace(/个$/, '')] ?? 'plain';
const REL: Record<string, Rel> = { 本: 'this', 这: 'this', 这个: 'this', 今: 'this', 下: 'next', 下个: 'next', 明: 'next', 上: 'last', 上个: 'last', 去: 'last' };
const relOf = (word: string | undefined): Rel => REL[word ?? ''] ?? 'plain';

/**
 * When a day form may stand without a following time. 'boundary': only before a space, punctuation or
 * the end (or at the start of the input): "28号 交报告" yes, "1号楼" no. 'start': only at the start of the
 * input ("2-3个" is a count). 'time': never alone.
 */
export type Alone = 'always' | 'boundary' | 'start' | 'time';

export interface DayPattern {
  re: RegExp;
  build: (g: Groups) => { day: DaySpec; implied?: Period | undefined };
  alone: Alone;
  /** May follow a time ("3pm tomorrow", "noon on Dec 24"). */
  trailing?: boolean;
}

const num = (t: string | undefined): number | undefined => (t === undefined ? undefined : parseNumber(t));
const dateOf = (g: Groups) => ({ day: { kind: 'date', year: num(g.y), month: num(g.mo), day: parseNumber(g.d ?? '') } as DaySpec });
const enDateOf = (g: Groups) => ({ day: { kind: 'date', year: num(g.y), month: monthOf(g.mon ?? ''), day: parseNumber(g.d ?? '') } as DaySpec });
const pairOf = (g: Groups) => ({ day: { kind: 'pair', year: num(g.y), a: Number(g.a), b: Number(g.b) } as DaySpec });
const ORD = '(?:st|nd|rd|th)?';
const WEEK_WORD = '(?:周|星期|礼拜)';

export const DAY_PATTERNS: DayPattern[] = [
  { re: /(?<y>\d{4})\s*[-/.]\s*(?<mo>\d{1,2})\s*[-/.]\s*(?<d>\d{1,2})(?![\d.])/y, build: dateOf, alone: 'always', trailing: true },
  { re: /(?<a>\d{1,2})\s*\/\s*(?<b>\d{1,2})\s*\/\s*(?<y>\d{4})(?!\d)/y, build: pairOf, alone: 'always', trailing: true },
  {
    re: new RegExp(`(?:(?<y>\\d{4}|[${CN}]{4})\\s*年\\s*[,，]?\\s*)?(?<mo>${N})\\s*月\\s*(?<d>${N})\\s*(?:日|号)?`, 'y'),
    build: dateOf, alone: 'always',
  },
  {
    re: new RegExp(`(?<rel>本|这个?|下个?|上个?)月\\s*(?<d>${N})\\s*(?:日|号)`, 'y'),
    build: (g) => ({ day: { kind: 'date', day: parseNumber(g.d ?? ''), monthRel: relOf(g.rel) } }), alone: 'always',
  },
  {
    re: /(?<rel>本|这个?|下个?|上个?)?月(?<edge>底|末|初)/y,
    build: (g) => ({ day: { kind: 'monthEdge', edge: g.edge === '初' ? 'start' : 'end', rel: relOf(g.rel) } }), alone: 'always',
  },
  {
    re: /(?<rel>今|明|去)?年(?<edge>底|末|初)/y,
    build: (g) => ({ day: { kind: 'yearEdge', edge: g.edge === '初' ? 'start' : 'end', rel: relOf(g.rel) } }), alone: 'always',
  },
  { re: new RegExp(`(?<d>${N})\\s*(?:号|日)`, 'y'), build: dateOf, alone: 'boundary' },
  { re: /(?<a>\d{1,2})\/(?<b>\d{1,2})(?![\d:/])/y, build: pairOf, alone: 'boundary' },
  { re: /(?<a>\d{1,2})-(?<b>\d{1,2})(?![\d:-])/y, build: pairOf, alone: 'start' },
  {
    re: new RegExp(`(?<w>${alternation(Object.keys(DAY_WORDS))})(?![a-z])`, 'iy'),
    build: (g) => {
      const [days, implied] = DAY_WORDS[(g.w ?? '').toLowerCase().replace(/\s+/g, ' ')] ?? [0];
      return { day: { kind: 'offset', days }, implied: implied ? period(implied) : undefined };
    },
    alone: 'always', trailing: true,
  },
  {
    re: new RegExp(`(?<pre>下下|下|本|这|上上|上)?个?\\s*${WEEK_WORD}(?<w>[一二三四五六日天七1-7])`, 'y'),
    build: (g) => ({ day: { kind: 'weekday', iso: weekdayIso(g.w ?? ''), week: weekOf(g.pre) } }), alone: 'always',
  },
  { re: new RegExp(`(?<pre>下下|下|本|这|上)?个?\\s*${WEEK_WORD}末`, 'y'), build: (g) => ({ day: { kind: 'weekend', week: weekOf(g.pre) } }), alone: 'always' },
  { re: new RegExp(`(?<pre>下下|下|上上|上)个?\\s*${WEEK_WORD}`, 'y'), build: (g) => ({ day: { kind: 'week', week: weekOf(g.pre) } }), alone: 'always' },
  {
    re: new RegExp(
      `(?:on\\s+)?(?:(?<pre>next|this|coming|last)\\s+)?(?<w>${alternation([...EN_WEEKDAYS, ...Object.keys(EN_WEEKDAY_SHORT)])})\\.?(?![a-z])` +
        `(?:\\s+(?<post>next|this|last)\\s+week(?![a-z]))?`,
      'iy',
    ),
    build: (g) => ({ day: { kind: 'weekday', iso: weekdayIso(g.w ?? ''), week: weekOf(g.post ?? g.pre) } }), alone: 'always', trailing: true,
  },
  { re: /(?:(?<pre>this|next)\s+)?weekend(?![a-z])/iy, build: (g) => ({ day: { kind: 'weekend', week: weekOf(g.pre) } }), alone: 'always', trailing: true },
  { re: /(?<pre>next)\s+week(?![a-z])/iy, build: (g) => ({ day: { kind: 'week', week: weekOf(g.pre) } }), alone: 'always', trailing: true },
  {
    re: new RegExp(`(?:on\\s+)?(?<mon>${MONTH})\\.?\\s+(?<d>\\d{1,2})${ORD}(?![\\d:a-z])(?:\\s*,?\\s*(?<y>\\d{4})(?![\\d:]))?`, 'iy'),
    build: enDateOf, alone: 'always', trailing: true,
  },
  {
    re: new RegExp(`(?:on\\s+)?(?:the\\s+)?(?<d>\\d{1,2})${ORD}\\s+(?:of\\s+)?(?<mon>${MONTH})\\.?(?![a-z])(?:\\s*,?\\s*(?<y>\\d{4})(?![\\d:]))?`, 'iy'),
    build: enDateOf, alone: 'always', trailing: true,
  },
];
