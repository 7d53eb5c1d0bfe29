/**
 * Spans from now: "30分钟后", "过10分钟", "1小时30分钟后", "一个半小时后", "半个月后", "3天前", "五日内",
 * "in 1h30m", "15 minutes from now", "3 days ago", "within 2 weeks".
 */
import { COUNT_NUM, parseNumber } from './chinese-numerals.js';
import { matchAt, type DurationPart, type DurationUnit, type Groups, type RelativeHit } from './grammar-types.js';

const CN_PART_RE = new RegExp(
  `(?:(?<n>${COUNT_NUM})\\s*(?<ge>个)?\\s*(?<half>半)?|(?<half0>半)\\s*(?<ge0>个)?)\\s*` +
    `(?<unit>秒钟?|分钟|分|刻钟|刻|小时|钟头|钟|天|日|周|星期|礼拜|月|年)(?<halfAfter>半)?`,
  'y',
);
const CN_JOIN_RE = /\s*(?:零|又)?\s*/y;
const CN_PREFIX_RE = /(?:再\s*)?过\s*/y;
const CN_SUFFIX_RE = /\s*(?<dir>过后|以后|之后|后(?!天)|以前|之前|前(?!天)|以内|之内|内)/y;
const CN_AFTER_RE = /\s*(?:过后|以后|之后|后(?!天))/y;

const EN_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, 'forty five': 45, fifty: 50, ninety: 90,
};
const EN_UNIT = 'seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|fortnights?|months?|mos?|years?|yrs?|y';
const EN_NUM = `\\d+(?:\\.\\d+)?|half\\s+an?|a\\s+couple\\s+of|couple\\s+of|a\\s+few|forty\\s+five|${Object.keys(EN_NUMBERS).join('|')}`;
const EN_PART_RE = new RegExp(`(?<n>${EN_NUM})\\s*(?<unit>${EN_UNIT})(?![a-z])(?<half>\\s+and\\s+a\\s+half)?`, 'iy');
const EN_JOIN_RE = /\s*(?:,\s*|and\s+)?/iy;
const EN_PREFIX_RE = /(?<dir>in|within|after)\s+/iy;
const EN_SUFFIX_RE = /\s+(?<dir>later|from\s+now|ago|after)(?![a-z])/iy;

function cnUnit(unit: string): DurationUnit {
  if (unit.startsWith('秒')) return 's';
  if (unit.startsWith('分')) return 'min';
  if (unit.startsWith('刻')) return 'quarter';
  if (/^(小时|钟)/.test(unit)) return 'h';
  if (/^(天|日)/.test(unit)) return 'd';
  if (/月$/.test(unit)) return 'mo';
  if (unit === '年') return 'y';
  return 'w';
}

function enUnit(unit: string): DurationUnit {
  const u = unit.toLowerCase();
  if (/^(mo|months?)$/.test(u)) return 'mo';
  if (u.startsWith('fortnight')) return 'w';
  if (/^(s|sec)/.test(u)) return 's';
  if (/^m/.test(u)) return 'min';
  if (/^h/.test(u)) return 'h';
  if (/^d/.test(u)) return 'd';
  if (/^y/.test(u)) return 'y';
  return 'w';
}

function enAmount(text: string): number {
  const t = text.toLowerCase().replace(/\s+/g, ' ');
  if (t.startsWith('half')) return 0.5;
  if (t.endsWith('couple of')) return 2;
  if (t === 'a few') return 3;
  return EN_NUMBERS[t] ?? Number(t);
}

/** Reads consecutive parts ("1小时30分钟", "1h30m", "2 hours and 15 minutes") from `pos`. */
function readParts(s: string, pos: number, part: RegExp, join: RegExp, read: (g: Groups) => DurationPart | null): { parts: DurationPart[]; end: number } | null {
  const parts: DurationPart[] = [];
  let end = pos;
  for (;;) {
    const at = parts.length === 0 ? end : (matchAt(join, s, end)?.end ?? end);
    const f = matchAt(part, s, at);
    const p = f ? read(f.groups) : null;
    if (!f || !p) break;
    parts.push(p);
    end = f.end;
  }
  return parts.length > 0 ? { parts, end } : null;
}

/** "3个月" is a span, "3月" is March: months need 个 (or 半). */
const readCn = (g: Groups): DurationPart | null => {
  if (g.unit === '月' && g.ge === undefined && g.ge0 === undefined && g.half0 === undefined) return null;
  const half = g.half !== undefined || g.half0 !== undefined || g.halfAfter !== undefined ? 0.5 : 0;
  return { amount: (g.n === undefined ? 0 : parseNumber(g.n)) + half, unit: cnUnit(g.unit ?? '') };
};
const readEn = (g: Groups): DurationPart => {
  const unit = enUnit(g.unit ?? '');
  const amount = enAmount(g.n ?? '') * (/^fortnight/i.test(g.unit ?? '') ? 2 : 1) + (g.half ? 0.5 : 0);
  return { amount, unit };
};

function direction(word: string): { sign: 1 | -1; by: boolean } {
  if (/前|ago/i.test(word)) return { sign: -1, by: false };
  if (/内|within/i.test(word)) return { sign: 1, by: true };
  return { sign: 1, by: false };
}

function matchChinese(s: string, pos: number): RelativeHit | null {
  const prefix = matchAt(CN_PREFIX_RE, s, pos);
  const read = readParts(s, prefix ? prefix.end : pos, CN_PART_RE, CN_JOIN_RE, readCn);
  if (!read) return null;
  if (prefix) {
    const after = matchAt(CN_AFTER_RE, s, read.end);
    return { kind: 'relative', start: pos, end: after ? after.end : read.end, parts: read.parts, sign: 1 };
  }
  const suffix = matchAt(CN_SUFFIX_RE, s, read.end);
  if (!suffix) return null;
  const dir = direction(suffix.groups.dir ?? '');
  // "24日前" is "by the 24th" (a date and a deadline), not "24 days ago".
  if (dir.sign < 0 && s[read.end - 1] === '日') return null;
  return { kind: 'relative', start: pos, end: suffix.end, parts: read.parts, ...dir };
}

function matchEnglish(s: string, pos: number): RelativeHit | null {
  const prefix = matchAt(EN_PREFIX_RE, s, pos);
  const read = readParts(s, prefix ? prefix.end : pos, EN_PART_RE, EN_JOIN_RE, readEn);
  if (!read) return null;
  if (prefix) {
    const dir = prefix.groups.dir?.toLowerCase() ?? 'in';
    if (dir === 'after') return null; // "after 2 days" is rare; "after 4pm" is a clock time
    return { kind: 'relative', start: pos, end: read.end, parts: read.parts, ...direction(dir) };
  }
  const suffix = matchAt(EN_SUFFIX_RE, s, read.end);
  if (!suffix) return null;
  return { kind: 'relative', start: pos, end: suffix.end, parts: read.parts, ...direction(suffix.groups.dir ?? '') };
}

export function matchRelative(s: string, pos: number): RelativeHit | null {
  return matchChinese(s, pos) ?? matchEnglish(s, pos);
}

/** Whole days (days, weeks, months, years) can take a time of day: "3天后下午3点", "in 2 weeks at 9am". */
export function wholeDays(parts: readonly DurationPart[]): boolean {
  return parts.every((p) => ['d', 'w', 'mo', 'y'].includes(p.unit) && Number.isInteger(p.amount * (p.unit === 'mo' || p.unit === 'y' ? 2 : 1)));
}
