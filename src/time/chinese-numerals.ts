/** Chinese numerals: the characters that spell them and their values. */

/** Characters that may spell a small Chinese number (hour, minute, day, month): 廿 = 20, 卅 = 30. */
export const CN_NUMERAL_CHARS = '零〇一二两三四五六七八九十廿卅';

/** Regex source for a small number written with ASCII digits or Chinese numerals. */
export const SMALL_NUM = `(?:\\d{1,2}|[${CN_NUMERAL_CHARS}]{1,3})`;

/** Regex source for a count ("100000000天后", "三百六十五天后"): digits, decimals or Chinese up to 万. */
export const COUNT_NUM = `(?:\\d+(?:\\.\\d+)?|[${CN_NUMERAL_CHARS}百千万]{1,8})`;

const DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** "二零二六" → 2026, "零五" → 5: a plain digit-by-digit reading. NaN if any char is not a digit. */
function readDigits(text: string): number {
  if (text === '') return NaN;
  let n = 0;
  for (const ch of text) {
    const d = DIGITS[ch];
    if (d === undefined) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/** "三百零五" → 305, "十五" → 15, "两万" → 20000; NaN for malformed text such as "十十" or "五五十". */
function readPositional(text: string): number {
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  let lastUnit = Infinity;
  for (const ch of text) {
    if (ch === '零' || ch === '〇') {
      if (digit !== null) return NaN;
      continue;
    }
    const d = DIGITS[ch];
    if (d !== undefined) {
      if (digit !== null) return NaN; // two digits in a row inside a positional number
      digit = d;
      continue;
    }
    if (ch === '万') {
      if (total > 0) return NaN;
      total = (section + (digit ?? 0)) * 10_000;
      if (total === 0) return NaN;
      section = 0;
      digit = null;
      lastUnit = Infinity;
      continue;
    }
    const unit = UNITS[ch];
    if (unit === undefined || unit >= lastUnit) return NaN;
    if (digit === null && !(unit === 10 && section === 0)) return NaN; // only a leading 十 may omit its 一
    section += (digit ?? 1) * unit;
    digit = null;
    lastUnit = unit;
  }
  return total + section + (digit ?? 0);
}

/**
 * Parses ASCII numbers ("15", "1.5") and Chinese numerals ("十五", "二十三", "两", "廿六", "三百六十五").
 * Returns NaN for malformed input such as "十十" so callers can report it as invalid.
 */
export function parseNumber(text: string): number {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (text === '') return NaN;
  const head = text[0] === '廿' ? 20 : text[0] === '卅' ? 30 : 0;
  if (head) {
    const tail = text.slice(1);
    return tail === '' ? head : tail.length === 1 && tail !== '十' ? head + readDigits(tail) : NaN;
  }
  if (/[十百千万]/.test(text)) return readPositional(text);
  return readDigits(text);
}
