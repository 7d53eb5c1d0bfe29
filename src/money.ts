/**
 * Money in integer fen (1 元 = 100 fen): parsed from what people type (`80元`, `¥80`, `1.5万`,
 * `12,800.50`, `3k`) and shown as `¥12,345.00`. Nothing here uses floating point for amounts:
 * the text is split into yuan and fen digits, so `0.1 + 0.2` problems cannot arise.
 */
import { words } from './i18n/vocabulary.js';

/** Amounts above this are refused: Prisma's Int is 32-bit (¥20,000,000.00 per amount). */
export const MAX_FEN = 2_000_000_000;

export type MoneyProblem = 'format' | 'decimals' | 'negative' | 'zero' | 'too-large';
export type MoneyResult = { ok: true; fen: number } | { ok: false; problem: MoneyProblem };

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (key: string) => words(key).map((w) => escape(w.toLowerCase())).sort((a, b) => b.length - a.length).join('|');

let pattern: RegExp | null = null;
/** `[-]¥ [-] 12,800.50 万|千|k 元|块|yuan`: the unit words are catalogue word lists (`money.words.*`). */
function moneyPattern(): RegExp {
  pattern ??= new RegExp(`^([-\u2212]?)[¥￥]?([-\u2212]?)([\\d,]+(?:\\.\\d+)?)(${alternatives('money.words.wan')}|${alternatives('money.words.thousand')})?(${alternatives('money.words.yuan')})?$`);
  return pattern;
}

/**
 * `80元`, `80 yuan`, `¥80`, `80块`, `12,800.50`, `1.5万`, `2万元`, `3k`: fen. Commas must group
 * thousands; at most two decimals of a yuan (six after 万: 1.234567万 = 12345.67元); zero and negatives refused.
 */
export function parseMoney(input: string, { allowZero = false } = {}): MoneyResult {
  const text = input.trim().toLowerCase().replace(/\s+/g, '').replace(/\uff0c/g, ',').replace(/\uff0e/g, '.');
  const m = moneyPattern().exec(text);
  if (!m) return { ok: false, problem: 'format' };
  if (m[1] || m[2]) return { ok: false, problem: 'negative' };
  const number = m[3]!;
  const [whole = '', fraction = ''] = number.split('.');
  if (whole.includes(',') && !/^\d{1,3}(,\d{3})+$/.test(whole)) return { ok: false, problem: 'format' };
  const digits = whole.replace(/,/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, problem: 'format' };
  // Fen has two decimal places; 万 moves the point four places further, 千 / k three.
  const unit = m[4] ?? '';
  const shift = unit === '' ? 0 : words('money.words.wan').some((w) => w.toLowerCase() === unit) ? 4 : 3;
  if (fraction.length > 2 + shift) return { ok: false, problem: 'decimals' };
  if (digits.replace(/^0+/, '').length > 12) return { ok: false, problem: 'too-large' };
  const fen = Number(digits + fraction.padEnd(2 + shift, '0'));
  if (fen > MAX_FEN) return { ok: false, problem: 'too-large' };
  if (fen === 0 && !allowZero) return { ok: false, problem: 'zero' };
  return { ok: true, fen };
}

/** Whether a token is written as an amount (a currency sign or unit), as opposed to a bare count. */
export function looksLikeMoney(token: string): boolean {
  const t = token.trim().toLowerCase();
  return /^[-\u2212]?[¥￥]/.test(t) || /,\d{3}/.test(t) || new RegExp(`(${alternatives('money.words.yuan')}|${alternatives('money.words.wan')}|${alternatives('money.words.thousand')})$`).test(t);
}

/** `¥12,345.00`, `-¥320.00`. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

/** `+¥320.00` / `-¥80.00` / `¥0.00`: a variance with its sign. */
export function formatSignedFen(fen: number): string {
  return fen > 0 ? `+${formatFen(fen)}` : formatFen(fen);
}

/** A tax rate typed as `6%`, `6`, `税率6%`-less: hundredths of a percent (6% = 600), 0-100%. */
export function parseTaxRate(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?%?$/.exec(text.trim().replace('％', '%'));
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/** `600` -> `6%`, `650` -> `6.5%`. */
export function formatTaxRate(bp: number): string {
  return `${bp % 100 === 0 ? bp / 100 : (bp / 100).toFixed(bp % 10 === 0 ? 1 : 2)}%`;
}

/** The tax included in a gross amount at `bp`: gross × rate / (1 + rate), rounded half up to the fen. */
export function taxIncluded(grossFen: number, bp: number): number {
  return Math.floor((grossFen * bp * 2 + (10_000 + bp)) / (2 * (10_000 + bp)));
}

/** A deviation as `+5.2%` / `-3.0%` (one decimal, half away from zero); `—` when undefined. */
export function formatDeviation(d: number | null): string {
  if (d === null) return '—';
  const tenths = Math.round(Math.abs(d) * 1000) * Math.sign(d);
  const sign = tenths > 0 ? '+' : tenths < 0 ? '-' : '';
  return `${sign}${(Math.abs(tenths) / 10).toFixed(1)}%`;
}
