/** Time of day: parts of the day (下午, 凌晨, noon) and clock times (3点半, 15:00, 7:30pm, at 9). */
import { CN_NUMERAL_CHARS as CN, SMALL_NUM as N, parseNumber } from './chinese-numerals.js';
import { alternation, matchAt, type Period, type PeriodKind, type TimeOfDay } from './grammar-types.js';

/** Default hours are documented in docs/time-expressions.md. */
const PERIOD_TABLE: Record<string, [PeriodKind, number | null]> = {
  凌晨: ['dawn', null], 清晨: ['am', 7], 早晨: ['am', 9], 早上: ['am', 9], 上午: ['am', 9],
  中午: ['noon', 12], 正午: ['noon', 12], 午后: ['pm', 14], 下午: ['pm', 14],
  傍晚: ['evening', 18], 黄昏: ['evening', 18], 晚上: ['night', 20], 夜晚: ['night', 20], 晚间: ['night', 20],
  夜里: ['late', null], 夜间: ['late', null], 半夜: ['late', null], 深夜: ['late', null], 午夜: ['midnight', 24],
  morning: ['am', 9], noon: ['noon', 12], midday: ['noon', 12], afternoon: ['pm', 14], evening: ['evening', 18],
  night: ['night', 20], midnight: ['midnight', 24],
};
export const PERIOD_WORDS = Object.keys(PERIOD_TABLE);

export function period(word: string): Period {
  const [kind, defaultHour] = PERIOD_TABLE[word.toLowerCase()] ?? ['am', null];
  return { word, kind, defaultHour };
}

const PERIOD_RE = new RegExp(`(?:${alternation(PERIOD_WORDS)})(?![a-z])`, 'iy');
const AMPM = 'a\\.m\\.?|p\\.m\\.?|am|pm';
const EN_HOURS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
/** Minutes after 点: 半, 一刻, 整/正 (sharp), digits, or Chinese numerals (a single one only with 分: "3点一起" is not 3:01). */
const CN_MINUTE = `半|[一1]刻|[三3]刻|整|正|\\d{1,2}|[${CN}]{2,3}|[${CN}](?=分)`;
const CLOCK_RE = new RegExp(
  `(?:(?<h1>\\d{1,2})\\s*:\\s*(?<m1>\\d{2})(?::\\d{2})?(?!\\d)` + // 15:00, 3:30
    `|(?<h2>${N})\\s*(?:点钟?|时)(?:(?<m2>${CN_MINUTE})(?:分(?!钟))?)?` + // 3点15分, 十点半
    `|(?<h3>\\d{1,2})(?=\\s*(?:${AMPM})(?![a-z]))` + // 9am
    `|(?<h4>\\d{1,2}|${EN_HOURS.join('|')})\\s*o'?clock` + // 9 o'clock
    `|(?<=(?:\\bat\\s+|@\\s*))(?<h5>\\d{1,2})(?![\\d:.点时]))` + // at 9
    `(?:\\s*(?<ap>${AMPM})(?![a-z]))?(?:\\s*左右)?`,
  'iy',
);

function minuteOf(text: string | undefined): number {
  if (text === undefined || text === '整' || text === '正') return 0;
  if (text === '半') return 30;
  if (text.endsWith('刻')) return /[一1]/.test(text) ? 15 : 45;
  return parseNumber(text);
}

function hourOf(text: string): number {
  const word = EN_HOURS.indexOf(text.toLowerCase());
  return word >= 0 ? word + 1 : parseNumber(text);
}

/** `[period] clock`, or a period alone when `allowPeriodOnly`. */
export function matchTimeOfDay(s: string, pos: number, allowPeriodOnly: boolean): { tod: TimeOfDay; end: number } | null {
  const p = matchAt(PERIOD_RE, s, pos);
  const per = p ? period(p.text) : undefined;
  const afterPeriod = p ? p.end : pos;
  const c = matchAt(CLOCK_RE, s, afterPeriod + (/^\s*/.exec(s.slice(afterPeriod, afterPeriod + 8))?.[0].length ?? 0));
  if (c) {
    const g = c.groups;
    const hourText = g.h1 ?? g.h2 ?? g.h3 ?? g.h4 ?? g.h5 ?? '';
    const ap = g.ap === undefined ? undefined : g.ap.toLowerCase().startsWith('a') ? 'am' : 'pm';
    const tod: TimeOfDay = {
      period: per, hour: hourOf(hourText), minute: minuteOf(g.m1 ?? g.m2), ampm: ap,
      style: g.h1 === undefined ? 'spoken' : hourText.length === 2 ? 'padded' : 'colon',
      cnHourOnly: g.h2 !== undefined && !/\d/.test(hourText) && g.m2 === undefined,
    };
    return { tod, end: c.end };
  }
  if (per && allowPeriodOnly) return { tod: { period: per, hour: null, minute: 0, style: 'spoken', cnHourOnly: false }, end: afterPeriod };
  return null;
}

const CONNECTOR_RE = /\s*[,，]?\s*(?:的|at\s+|@|T(?=\d))?\s*/iy;

/** A time of day following a day part, allowing "的", "at", a comma or spaces in between. */
export function timeAfter(s: string, pos: number): { tod: TimeOfDay; end: number } | null {
  const c = matchAt(CONNECTOR_RE, s, pos);
  return matchTimeOfDay(s, c ? c.end : pos, true);
}
