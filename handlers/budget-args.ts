/** Parsing of 预算 / 支出 arguments: the meeting id, a line reference, an expense and its options. */
import { parseShortId } from '../src/router/normalize.js';
import { type CommandContext, UsageError, UserError, msg } from '../src/router/types.js';
import { amountOf, categoryOf, invoiceNoOf, invoiceTypeOf, lineNoAt, splitOptions, taxRateOf } from '../src/services/budget-input.js';
import type { BudgetLineRow, ExpenseChange, ExpenseRow } from '../src/services/budget.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { takeShortId } from './args.js';

/** `#1 rest`: the meeting (which must exist) and the rest. `example` is a catalogue example key (`budget.example.*`). */
export async function takeMeeting(ctx: Pick<CommandContext, 'services'>, args: string, example: string): Promise<{ meeting: MeetingRow; rest: string }> {
  const { id, rest } = takeShortId(args, msg('budget.meetingNoun'), msg(`budget.example.${example}`));
  const meeting = await ctx.services.meetings.get(id);
  if (!meeting) throw new UserError('E_BUDGET_MEETING_NOT_FOUND', { id });
  return { meeting, rest };
}

export async function takeExpense(ctx: Pick<CommandContext, 'services'>, args: string, example: string): Promise<{ expense: ExpenseRow; rest: string }> {
  const { id, rest } = takeShortId(args, msg('budget.expenseNoun'), msg(`budget.example.${example}`));
  return { expense: await ctx.services.budget.expense(id), rest };
}

/** `2`, `行2`, `line 2`, or `<类别> [<项目>]`: the line and the tokens after it. */
export async function takeLine(ctx: Pick<CommandContext, 'services'>, meeting: MeetingRow, tokens: string[]): Promise<{ line: BudgetLineRow; rest: string[] }> {
  const numbered = lineNoAt(tokens);
  if (numbered) return { line: await ctx.services.budget.line(meeting.id, numbered.no), rest: tokens.slice(numbered.used) };
  const category = categoryOf(tokens[0]);
  if (!category) throw new UsageError('E_EXPENSE_LINE_MISSING', { word: tokens[0] ?? '' });
  // The item is the next word unless that is already the amount.
  const item = tokens[1] !== undefined && !/^[-\u2212¥￥\d]/.test(tokens[1]) ? tokens[1] : null;
  return { line: await ctx.services.budget.lineByName(meeting.id, category, item), rest: tokens.slice(item === null ? 1 : 2) };
}

export interface ExpenseOptions {
  invoiceNo: string | null;
  invoiceType: string | null;
  taxRate: number | null;
  supplier: string | null;
}

/** `发票 12345678`, `专票|普票`, `税率6%`, `供应商 某某酒店` after the amount; anything else is refused. */
export function expenseOptions(tokens: readonly string[]): { head: string[]; options: ExpenseOptions } {
  const { head, options, flags } = splitOptions(tokens);
  if (options.contract !== undefined || options.note !== undefined) throw new UsageError('E_EXPENSE_OPTION_UNKNOWN', { word: options.contract ?? options.note ?? '' });
  if (flags.length > 1) throw new UsageError('E_BUDGET_OPTION_TWICE', { option: flags.join(' ') });
  return {
    head,
    options: {
      invoiceNo: options.invoice === undefined ? null : invoiceNoOf(options.invoice),
      invoiceType: flags[0] ? invoiceTypeOf(flags[0]) : null,
      taxRate: options.tax === undefined ? null : taxRateOf(options.tax),
      supplier: options.supplier ?? null,
    },
  };
}

/** `支出 修改 #5 [金额] [发票 X] [专票|普票] [税率 X]`: only what is given changes. */
export function expenseChange(tokens: readonly string[]): ExpenseChange {
  const { head, options } = expenseOptions(tokens);
  if (options.supplier) throw new UsageError('E_EXPENSE_OPTION_UNKNOWN', { word: options.supplier });
  const change: ExpenseChange = {};
  if (head.length) change.amount = amountOf(head.join(' '));
  if (options.invoiceNo) change.invoiceNo = options.invoiceNo;
  if (options.invoiceType) change.invoiceType = options.invoiceType;
  if (options.taxRate !== null) change.taxRate = options.taxRate;
  if (Object.keys(change).length === 0) throw new UsageError('E_EXPENSE_CHANGE_EMPTY');
  return change;
}

/** A year typed as `2026`, else the current one. */
export function yearOf(word: string, current: number): number {
  if (!word) return current;
  const id = parseShortId(word);
  if (!/^\d{4}$/.test(word) || id === null) throw new UsageError('E_BUDGET_YEAR_INVALID', { word });
  return id;
}
