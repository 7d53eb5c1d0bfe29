/** Text helpers for Chinese time expressions: numerals and full-width normalisation. */

/** Characters that may spell a small Chinese number (hour, minute, day, month, count). */
export const CN_NUMERAL_CHARS = '零〇一二两三四五六七八九十';

/** Regex source for a small number written with ASCII digits or Chinese numerals. */
export const SMALL_NUM = `(?:\\d{1,2}|[${CN_NUMERAL_CHARS}]{1,3})`;

const DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

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

/**
 * Parses ASCII numbers ("15", "1.5") and Chinese numerals up to 99 ("十五", "二十三", "两").
 * Returns NaN for malformed input such as "十十" so callers can report it as invalid.
 */
export function parseNumber(text: string): number {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const parts = text.split('十');
  if (parts.length === 1) return readDigits(text);
  if (parts.length > 2) return NaN;
  const [tens = '', ones = ''] = parts;
  if (tens.length > 1 || ones.length > 1) return NaN;
  return (tens === '' ? 1 : readDigits(tens)) * 10 + (ones === '' ? 0 : readDigits(ones));
}

/**
 * Maps full-width ASCII (Ｕ+FF01–FF5E), the ideographic space and the wave dash to their
 * half-width forms. Every replacement is one UTF-16 unit for one, so string offsets
 * into the normalised text are also valid offsets into the original input.
 */
export function normalizeWidth(input: string): string {
  return input.replace(/[\uFF01-\uFF5E\u3000\u301C]/g, (ch) => {
    if (ch === '\u3000') return ' ';
    if (ch === '\u301C') return '~';
    return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
  });
}
