/**
 * Reading what people type for the budget: categories, the line formula
 * (`80元 x 参加人数(20) x 2天`), options (`供应商 某某酒店`, `发票 12345678`, `税率6%`, `专票`) and
 * line references (`行2`, `2`, `餐饮 午餐`). Shared by the commands and the CSV import; bad input
 * is a UsageError naming what was wrong, so nothing half-read is stored.
 */
import { UsageError } from '../errors.js';
import { msg } from '../i18n/translator.js';
import { words } from '../i18n/vocabulary.js';
import { looksLikeMoney, parseMoney, parseTaxRate } from '../money.js';
import { CATEGORIES, type Category, LINKS, type Link } from './budget-math.js';

const MAX_QUANTITY = 1_000_000;
const MAX_DAYS = 366;
const lower = (s: string) => s.toLowerCase();
const inList = (key: string, word: string) => words(key).some((w) => lower(w) === lower(word));

export function categoryOf(word: string | undefined): Category | null {
  if (!word) return null;
  return CATEGORIES.find((c) => inList(`budget.words.category.${c}`, word)) ?? null;
}

/** An amount, or a UsageError saying what is wrong with it. */
export function amountOf(text: string, { allowZero = false } = {}): number {
  const parsed = parseMoney(text, { allowZero });
  if (!parsed.ok) throw new UsageError('E_BUDGET_AMOUNT_INVALID', { text, problem: msg(`budget.moneyProblem.${parsed.problem}`) });
  return parsed.fen;
}

/** `参加人数`, `参加人数(20)`, `参加人数（20）`, `参加人数=20`, `attending(20)`: the link and its planned count. */
export function linkOf(factor: string): { link: Link; planned: number | null } | null {
  const m = /^(.+?)(?:[(（=:：]?(\d+)[)）]?)?$/.exec(factor.trim());
  if (!m) return null;
  const link = LINKS.find((l) => inList(`budget.words.link.${l.replace(':', '_')}`, m[1]!));
  if (!link) return null;
  return { link, planned: m[2] === undefined ? null : Number(m[2]) };
}

function suffixed(factor: string, key: string): number | null | undefined {
  for (const word of words(key).sort((a, b) => b.length - a.length)) {
    const f = lower(factor);
    if (f.endsWith(lower(word))) {
      const number = f.slice(0, -word.length).trim();
      if (!/^\d+$/.test(number)) return null;
      return Number(number);
    }
  }
  return undefined;
}

export interface Formula {
  unitPrice: number;
  /** Fixed quantity, or the planned count of a linked line (null: take the live count now). */
  quantity: number | null;
  link: Link | null;
  days: number;
}

/**
 * `<单价> [x <数量|联动人数>] [x <天数>]`, factors separated by x, ×, * (spaces optional). The unit
 * price comes first; a quantity defaults to 1, days to 1; a separator with nothing after it is refused.
 */
export function parseFormula(text: string): Formula {
  const formula = text.trim();
  if (!formula) throw new UsageError('E_BUDGET_PRICE_MISSING');
  // An x between two words of Latin letters is part of a word; elsewhere it separates factors.
  const factors = formula.split(/\s*(?<![a-z])[x×*＊](?![a-z])\s*/i).map((f) => f.trim());
  if (factors.some((f) => f === '')) throw new UsageError('E_BUDGET_FACTOR_EMPTY', { formula });
  const [price, ...rest] = factors;
  const unitPrice = amountOf(price!);
  let quantity: number | null | undefined;
  let link: Link | null = null;
  let days: number | undefined;
  for (const factor of rest) {
    const day = suffixed(factor, 'budget.words.days');
    if (day !== undefined) {
      if (day === null || day < 1 || day > MAX_DAYS) throw new UsageError('E_BUDGET_DAYS_INVALID', { factor, max: MAX_DAYS });
      if (days !== undefined) throw new UsageError('E_BUDGET_FACTOR_TWICE', { factor });
      days = day;
      continue;
    }
    const linked = linkOf(factor);
    const counted = linked ? undefined : /^\d+$/.test(factor) ? Number(factor) : suffixed(factor, 'budget.words.units');
    if (!linked && (counted === undefined || looksLikeMoney(factor))) throw new UsageError('E_BUDGET_FACTOR_UNKNOWN', { factor });
    if (quantity !== undefined) throw new UsageError('E_BUDGET_FACTOR_TWICE', { factor });
    const n = linked ? linked.planned : counted;
    if (n === null && !linked) throw new UsageError('E_BUDGET_QUANTITY_INVALID', { factor, max: MAX_QUANTITY });
    if (n !== null && n !== undefined && (n < (linked ? 0 : 1) || n > MAX_QUANTITY)) throw new UsageError('E_BUDGET_QUANTITY_INVALID', { factor, max: MAX_QUANTITY });
    quantity = n ?? null;
    link = linked?.link ?? null;
  }
  return { unitPrice, quantity: quantity === undefined ? 1 : quantity, link, days: days ?? 1 };
}

export type OptionKey = 'supplier' | 'contract' | 'note' | 'invoice' | 'tax';
const OPTION_KEYS: OptionKey[] = ['supplier', 'contract', 'note', 'invoice', 'tax'];

/** Which option a token starts (`供应商`, `发票12345678`, `税率6%`), and the value glued to it. */
function optionAt(token: string): { key: OptionKey; glued: string } | null {
  for (const key of OPTION_KEYS) {
    for (const word of words(`budget.words.option.${key}`).sort((a, b) => b.length - a.length)) {
      const t = lower(token);
      if (t === lower(word) || t === `${lower(word)}:` || t === `${lower(word)}：`) return { key, glued: '' };
      // Chinese option words may have their value glued on (税率6%); Latin ones must stand alone.
      if (!/^[a-z]/i.test(word) && t.startsWith(lower(word))) return { key, glued: token.slice(word.length).replace(/^[:：]/, '') };
    }
  }
  return null;
}

/** Splits tokens into the leading words and the options after them (each option's words up to the next option). */
export function splitOptions(tokens: readonly string[]): { head: string[]; options: Partial<Record<OptionKey, string>>; flags: string[] } {
  const head: string[] = [];
  const options: Partial<Record<OptionKey, string>> = {};
  const flags: string[] = [];
  let current: { key: OptionKey; values: string[] } | null = null;
  const close = () => {
    if (!current) return;
    if (options[current.key] !== undefined) throw new UsageError('E_BUDGET_OPTION_TWICE', { option: current.key });
    const value = current.values.join(' ').trim();
    if (!value) throw new UsageError('E_BUDGET_OPTION_EMPTY', { option: msg(`budget.optionName.${current.key}`) });
    options[current.key] = value;
  };
  for (const token of tokens) {
    const option = optionAt(token);
    if (option) {
      close();
      current = { key: option.key, values: option.glued ? [option.glued] : [] };
    } else if (invoiceTypeOf(token)) {
      flags.push(token);
    } else if (current) {
      current.values.push(token);
    } else {
      head.push(token);
    }
  }
  close();
  return { head, options, flags };
}

export function invoiceTypeOf(word: string): 'special' | 'ordinary' | null {
  if (inList('budget.words.invoiceType.special', word)) return 'special';
  if (inList('budget.words.invoiceType.ordinary', word)) return 'ordinary';
  return null;
}

export function taxRateOf(text: string): number {
  const rate = parseTaxRate(text);
  if (rate === null) throw new UsageError('E_EXPENSE_TAX_INVALID', { text });
  return rate;
}

export function invoiceNoOf(text: string): string {
  if (!/^[A-Za-z0-9-]{6,30}$/.test(text)) throw new UsageError('E_EXPENSE_INVOICE_INVALID', { text });
  return text.toUpperCase();
}

/** `行2`, `行 2`, `line 2`, `L2`, `2` (one or two tokens): the line number and how many tokens it took. */
export function lineNoAt(tokens: readonly string[], i = 0): { no: number; used: number } | null {
  const token = tokens[i];
  if (!token) return null;
  if (/^\d+$/.test(token)) return { no: Number(token), used: 1 };
  for (const word of words('budget.words.line')) {
    const t = lower(token);
    const w = lower(word);
    if (t === w && /^\d+$/.test(tokens[i + 1] ?? '')) return { no: Number(tokens[i + 1]), used: 2 };
    if (t.startsWith(w) && /^\d+$/.test(t.slice(w.length))) return { no: Number(t.slice(w.length)), used: 1 };
  }
  return null;
}
