/**
 * 预算 / budget: lines (by command; CSV through the admin API), the table, explanations and
 * contract amounts, the year's deviation; 支出 / expense: record (command or card), change, paid,
 * void, history, list; 结算 / settle: what blocks, then the settlement with its CSV and chart.
 * Figures and permissions are in BudgetService; this file reads arguments and words replies.
 */
import { EXPENSE_ACTION, expenseCard, expenseFormId, expenseRecorded, meetingOfForm } from '../cards/budget-cards.js';
import type { Capability } from '../src/capability.js';
import type { Translator } from '../src/i18n/translator.js';
import { words } from '../src/i18n/vocabulary.js';
import { formatDeviation, formatFen, formatSignedFen, formatTaxRate } from '../src/money.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import { BudgetReport } from '../src/services/budget-report.js';
import { amountOf, categoryOf, lineNoAt, parseFormula, splitOptions } from '../src/services/budget-input.js';
import { type LineFigures, deviation } from '../src/services/budget-math.js';
import { BudgetService, type ExpenseRow, type Ledger } from '../src/services/budget.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { matchSub } from './args.js';
import { expenseChange, expenseOptions, takeExpense, takeLine, takeMeeting, yearOf } from './budget-args.js';

const BUDGET_SUB = {
  add: words('budget.words.add'),
  explain: words('budget.words.explain'),
  contract: words('budget.words.contract'),
  year: words('budget.words.year'),
};

export const budgetCommand: CommandSpec = {
  id: 'budget',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, BUDGET_SUB);
    switch (sub) {
      case 'add':
        return addLine(ctx, rest);
      case 'explain':
        return explain(ctx, rest);
      case 'contract':
        return contract(ctx, rest);
      case 'year':
        return year(ctx, rest);
      default: {
        if (!ctx.args) throw new UsageError('E_BUDGET_MISSING_SUB');
        if (!/^[#＃]?\d+$/.test(ctx.args.split(' ')[0]!)) throw new UsageError('E_BUDGET_UNKNOWN_SUB', { word: ctx.args.split(' ')[0] });
        const { meeting, rest: extra } = await takeMeeting(ctx, ctx.args, 'show');
        if (extra) throw new UsageError('E_BUDGET_UNKNOWN_SUB', { word: extra });
        await ctx.services.budget.requireRead(meeting, ctx.user, ctx.t);
        return tableText(ctx.t, await ctx.services.budget.ledger(meeting));
      }
    }
  },
};

/** `预算 添加 #1 <类别> <项目> <单价> [x <数量|联动>] [x <天数>] [供应商 X] [合同 金额] [备注 X]`. */
async function addLine(ctx: CommandContext, args: string): Promise<string> {
  const { meeting, rest } = await takeMeeting(ctx, args, 'add');
  const [categoryWord, item, ...tail] = rest.split(' ').filter(Boolean);
  const category = categoryOf(categoryWord);
  if (!category) throw new UsageError('E_BUDGET_CATEGORY_UNKNOWN', { word: categoryWord ?? '', categories: msg('budget.categoryList') });
  if (!item) throw new UsageError('E_BUDGET_ITEM_MISSING');
  const { head, options, flags } = splitOptions(tail);
  if (options.invoice !== undefined || options.tax !== undefined || flags.length) throw new UsageError('E_BUDGET_OPTION_UNKNOWN', { word: options.invoice ?? options.tax ?? flags.join(' ') });
  const formula = parseFormula(head.join(' '));
  const line = await ctx.services.budget.addLine(
    meeting,
    ctx.user,
    { category, item, supplier: options.supplier ?? null, ...formula, contractAmount: options.contract ? amountOf(options.contract) : null, note: options.note ?? null },
    ctx.t,
    ctx.now,
  );
  const ledger = await ctx.services.budget.ledger(meeting);
  const figures = ledger.lines.find((f) => f.line.id === line.id)!;
  return [
    ctx.t.t('budget.added', { id: meeting.id, no: line.no, category: msg(`budget.category.${category}`), item, formula: formulaText(ctx.t, figures), approved: formatFen(figures.approved) }),
    ...(line.link ? [ctx.t.t('budget.addedLinked', { forecast: formatFen(figures.forecast), count: figures.liveQuantity })] : []),
    ctx.t.t('budget.addedTotal', { approved: formatFen(ledger.cost.approved), count: ledger.lines.length }),
  ].join('\n');
}

async function explain(ctx: CommandContext, args: string): Promise<string> {
  const { meeting, rest } = await takeMeeting(ctx, args, 'explain');
  const tokens = rest.split(' ').filter(Boolean);
  const at = lineNoAt(tokens);
  if (!at) throw new UsageError('E_BUDGET_LINE_NO_MISSING');
  const reason = tokens.slice(at.used).join(' ').trim();
  if (!reason) throw new UsageError('E_BUDGET_REASON_MISSING');
  const line = await ctx.services.budget.explain(meeting, ctx.user, at.no, reason, ctx.t, ctx.now);
  return ctx.t.t('budget.explained', { id: meeting.id, no: line.no, item: line.item, reason });
}

async function contract(ctx: CommandContext, args: string): Promise<string> {
  const { meeting, rest } = await takeMeeting(ctx, args, 'contract');
  const tokens = rest.split(' ').filter(Boolean);
  const at = lineNoAt(tokens);
  if (!at) throw new UsageError('E_BUDGET_LINE_NO_MISSING');
  const amountText = tokens.slice(at.used).join('');
  if (!amountText) throw new UsageError('E_BUDGET_PRICE_MISSING');
  const line = await ctx.services.budget.setContract(meeting, ctx.user, at.no, amountOf(amountText), ctx.t);
  return ctx.t.t('budget.contractSet', { id: meeting.id, no: line.no, item: line.item, amount: formatFen(line.contractAmount!) });
}

async function year(ctx: CommandContext, args: string): Promise<string> {
  ctx.services.budget.requireOverview(ctx.user);
  const y = yearOf(args.trim(), ctx.services.budget.yearOf(ctx.now));
  const d = await ctx.services.budget.yearDeviation(y);
  if (d.meetings === 0) return ctx.t.t('budget.yearNone', { year: y });
  return ctx.t.t('budget.yearLine', { year: y, count: d.meetings, approved: formatFen(d.approved), actual: formatFen(d.actual), deviation: formatDeviation(d.deviation) });
}

/** `80元 × 参加人数 22（计划 20）× 2天`. */
function formulaText(t: Translator, f: LineFigures): string {
  const quantity = f.line.link ? t.t('budget.linkedQuantity', { link: t.t(`budget.link.${f.line.link.replace(':', '_')}`), live: f.liveQuantity, planned: f.line.quantity }) : String(f.line.quantity);
  return t.t('budget.formula', { price: formatFen(f.line.unitPrice), quantity, days: f.line.days });
}

function tableText(t: Translator, ledger: Ledger): string {
  const { meeting, cost } = ledger;
  if (ledger.lines.length === 0) return t.t('budget.empty', { id: meeting.id, title: meeting.title });
  const lines = ledger.lines.map((f) => {
    const row = ledger.rows.find((r) => r.id === f.line.id)!;
    return t.t('budget.row', {
      no: f.line.no,
      category: msg(`budget.category.${f.line.category}`),
      item: f.line.item,
      formula: formulaText(t, f),
      approved: formatFen(f.approved),
      forecast: formatFen(f.forecast),
      forecastDeviation: formatDeviation(deviation(f.approved, f.forecast)),
      actual: formatFen(f.actual),
      variance: f.expenses ? t.t('budget.variance', { variance: formatSignedFen(f.actual - f.approved), pct: formatDeviation(deviation(f.approved, f.actual)) }) : t.t('budget.noExpenseYet'),
      reason: row.reason ? t.t('budget.rowReason', { reason: row.reason }) : '',
    });
  });
  return [
    t.t('budget.head', { id: meeting.id, title: meeting.title, settled: cost.settled ? t.t('budget.settledFlag') : '' }),
    ...lines,
    t.t('budget.total', {
      approved: formatFen(cost.approved),
      forecast: formatFen(cost.forecast),
      forecastDeviation: formatDeviation(cost.forecastDeviation),
      actual: formatFen(cost.actual),
      variance: formatSignedFen(cost.actual - cost.approved),
      actualDeviation: formatDeviation(cost.actualDeviation),
    }),
  ].join('\n');
}

// ---- expenses -------------------------------------------------------------------------

const EXPENSE_SUB = {
  list: words('budget.words.list'),
  change: words('budget.words.change'),
  paid: words('budget.words.paid'),
  void: words('budget.words.void'),
  history: words('budget.words.history'),
};

export const expenseCommand: CommandSpec = {
  id: 'expense',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, EXPENSE_SUB);
    const s = ctx.services.budget;
    const { t } = ctx;
    switch (sub) {
      case 'list': {
        const { meeting } = await takeMeeting(ctx, rest, 'expenseList');
        await s.requireRead(meeting, ctx.user, t);
        return listText(ctx, meeting.id, meeting.title, await s.expenses(meeting.id));
      }
      case 'change': {
        const { expense, rest: tail } = await takeExpense(ctx, rest, 'expenseChange');
        const updated = await s.changeExpense(expense, ctx.user, expenseChange(tail.split(' ').filter(Boolean)), t, ctx.now);
        return t.t('budget.expenseChanged', { expense: updated.id, line: await expenseLine(ctx, updated) });
      }
      case 'paid': {
        const { expense } = await takeExpense(ctx, rest, 'expensePaid');
        await s.markPaid(expense, ctx.user, t, ctx.now);
        return t.t('budget.expensePaid', { expense: expense.id });
      }
      case 'void': {
        const { expense } = await takeExpense(ctx, rest, 'expenseVoid');
        await s.voidExpense(expense, ctx.user, t, ctx.now);
        return t.t('budget.expenseVoided', { expense: expense.id });
      }
      case 'history':
        return historyText(ctx, (await takeExpense(ctx, rest, 'expenseHistory')).expense);
      default:
        if (!ctx.args) return expenseForm(ctx);
        return recordExpense(ctx, ctx.args);
    }
  },
};

/** The form, for the meeting named (`支出 #1`) or the group's current one (`支出`). */
async function expenseForm(ctx: CommandContext, named: MeetingRow | null = null) {
  const meeting = named ?? (await ctx.services.meetings.current(ctx.conversation.id, ctx.now));
  if (!meeting) throw new UsageError('E_EXPENSE_EMPTY');
  await ctx.services.budget.requireWrite(meeting, ctx.user, ctx.t);
  const lines = await ctx.services.budget.lines(meeting.id);
  if (lines.length === 0) throw new UserError('E_EXPENSE_NO_LINES', { id: meeting.id });
  const card = expenseCard(ctx.t, {
    cardId: expenseFormId(meeting.id, ctx.event.eventId),
    meetingId: meeting.id,
    meetingTitle: meeting.title,
    lines: lines.map((l) => ({ value: String(l.no), label: ctx.t.t('budget.card.lineOption', { no: l.no, category: msg(`budget.category.${l.category}`), item: l.item }) })),
  });
  return { type: 'card' as const, card };
}

/** `支出 #1 <行|类别 项目> <金额> [发票 X] [专票|普票] [税率 X%] [供应商 X]`; `支出 #1` alone: the form. */
async function recordExpense(ctx: CommandContext, args: string) {
  const { meeting, rest } = await takeMeeting(ctx, args, 'expense');
  if (!rest) return expenseForm(ctx, meeting);
  const { line, rest: tail } = await takeLine(ctx, meeting, rest.split(' ').filter(Boolean));
  const { head, options } = expenseOptions(tail);
  if (head.length === 0) throw new UsageError('E_EXPENSE_AMOUNT_MISSING');
  // `12800 yuan` is one amount in two words.
  const expense = await ctx.services.budget.addExpense(meeting, ctx.user, { line, amount: amountOf(head.join(' ')), ...options }, ctx.t, ctx.now);
  return recordedText(ctx, expense);
}

async function recordedText(ctx: Pick<CommandContext, 'services' | 't'>, expense: ExpenseRow): Promise<string> {
  const { t } = ctx;
  const meeting = (await ctx.services.meetings.get(expense.meetingId))!;
  const ledger = await ctx.services.budget.ledger(meeting);
  const f = ledger.lines.find((l) => l.line.id === expense.lineId)!;
  const missing = [!expense.invoiceNo && t.t('budget.missing.invoice'), !expense.invoiceType && t.t('budget.missing.invoiceType'), expense.taxRate === null && t.t('budget.missing.taxRate')].filter(Boolean) as string[];
  return [
    t.t('budget.expenseRecorded', { expense: expense.id, id: meeting.id, no: f.line.no, category: msg(`budget.category.${f.line.category}`), item: f.line.item, amount: formatFen(expense.amount) }),
    t.t('budget.expenseLineNow', { actual: formatFen(f.actual), approved: formatFen(f.approved), pct: formatDeviation(deviation(f.approved, f.actual)) }),
    ...(missing.length ? [t.t('budget.expenseMissing', { missing: t.list(missing) })] : []),
  ].join('\n');
}

async function expenseLine(ctx: Pick<CommandContext, 'services' | 't'>, e: ExpenseRow): Promise<string> {
  const { t } = ctx;
  const line = (await ctx.services.budget.lines(e.meetingId)).find((l) => l.id === e.lineId);
  const supplier = e.supplierId ? (await ctx.services.suppliers.get(e.supplierId))?.name : null;
  return t.t('budget.expenseLine', {
    expense: e.id,
    no: line?.no ?? '?',
    item: line?.item ?? '',
    amount: formatFen(e.amount),
    invoice: e.invoiceNo ? t.t('budget.expenseInvoice', { invoice: e.invoiceNo }) : t.t('budget.expenseNoInvoice'),
    type: e.invoiceType ? t.t(`budget.invoiceType.${e.invoiceType}`) : '—',
    tax: e.taxRate === null ? '—' : formatTaxRate(e.taxRate),
    supplier: supplier ? t.t('budget.expenseSupplier', { name: supplier }) : '',
    paid: e.paidAt ? t.t('budget.expensePaidFlag') : '',
    status: e.status === 'void' ? t.t('budget.expenseVoidFlag') : '',
  });
}

async function listText(ctx: CommandContext, id: number, title: string, rows: ExpenseRow[]): Promise<string> {
  if (rows.length === 0) return ctx.t.t('budget.expenseListEmpty', { id, title });
  const lines = await Promise.all(rows.map((e) => expenseLine(ctx, e)));
  return ctx.t.t('budget.expenseList', { id, title, count: rows.length, lines: lines.join('\n') });
}

async function historyText(ctx: CommandContext, expense: ExpenseRow): Promise<string> {
  const { t } = ctx;
  const meeting = (await ctx.services.meetings.get(expense.meetingId))!;
  await ctx.services.budget.requireRead(meeting, ctx.user, t);
  const events = await ctx.services.budget.history(expense.id);
  const people = await ctx.services.directory.usersByIds([...new Set(events.map((e) => e.actorId))]);
  const show = (json: string | null) => {
    if (!json) return '—';
    const v = JSON.parse(json) as { amount: number; invoiceNo: string | null; invoiceType: string | null; taxRate: number | null; paidAt: string | null; status: string };
    return t.t('budget.snapshot', {
      amount: formatFen(v.amount),
      invoice: v.invoiceNo ?? '—',
      type: v.invoiceType ? t.t(`budget.invoiceType.${v.invoiceType}`) : '—',
      tax: v.taxRate === null ? '—' : formatTaxRate(v.taxRate),
      paid: v.paidAt ? t.t('budget.expensePaidFlag') : '',
      status: v.status === 'void' ? t.t('budget.expenseVoidFlag') : '',
    });
  };
  return [
    t.t('budget.historyHead', { expense: expense.id }),
    ...events.map((e) =>
      t.t('budget.historyLine', {
        time: t.dateTime(e.createdAt),
        who: people.find((p) => p.id === e.actorId)?.name ?? e.actorId,
        kind: t.t(`budget.historyKind.${e.kind}`),
        before: show(e.before),
        after: show(e.after),
      }),
    ),
  ].join('\n');
}

export const expenseAction: CardActionSpec = {
  key: EXPENSE_ACTION,
  async handle({ card, user, services, now, event, t }) {
    const meetingId = meetingOfForm(card.id);
    const meeting = meetingId === null ? null : await services.meetings.get(meetingId);
    if (!meeting) throw new UserError('E_BUDGET_MEETING_NOT_FOUND', { id: meetingId ?? card.id });
    const v = event.values;
    const line = await services.budget.line(meeting.id, Number(v.line ?? 0));
    const { options } = expenseOptions([
      ...(v.invoice?.trim() ? [words('budget.words.option.invoice')[0]!, v.invoice.trim()] : []),
      ...(v.taxRate?.trim() ? [words('budget.words.option.tax')[0]!, v.taxRate.trim()] : []),
    ]);
    const invoiceType = v.invoiceType === 'special' || v.invoiceType === 'ordinary' ? v.invoiceType : null;
    const expense = await services.budget.addExpense(meeting, user, { line, amount: amountOf(v.amount ?? ''), ...options, invoiceType }, t, now);
    const text = await recordedText({ services, t }, expense);
    await services.cards.update(card.id, (c, rt) => expenseRecorded(c, rt.t('budget.card.recorded', { expense: expense.id, amount: formatFen(expense.amount) })));
    return { accepted: true, message: text };
  },
};

// ---- settlement -----------------------------------------------------------------------

export const settlementCommand: CommandSpec = {
  id: 'settlement',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, { done: words('budget.words.done') });
    const { t } = ctx;
    if (!ctx.args) throw new UsageError('E_SETTLEMENT_MISSING');
    const { meeting, rest: extra } = await takeMeeting(ctx, sub ? rest : ctx.args, sub ? 'settle' : 'blockers');
    if (extra) throw new UsageError('E_BUDGET_UNKNOWN_SUB', { word: extra });
    const s = ctx.services.budget;
    if (sub === 'done') {
      const ledger = await s.settle(meeting, ctx.user, t, ctx.now);
      await ctx.services.budgetReport.publish(meeting, ledger);
      return t.t('budget.settled.reply', { id: meeting.id, title: meeting.title, approved: formatFen(ledger.cost.approved), actual: formatFen(ledger.cost.actual), deviation: formatDeviation(ledger.cost.actualDeviation), csv: `/api/meetings/${meeting.id}/settlement.csv` });
    }
    await s.requireRead(meeting, ctx.user, t);
    const settled = await s.settledAt(meeting.id);
    if (settled) return t.t('budget.settled.already', { id: meeting.id, at: settled });
    const blockers = await s.settlementBlockers(meeting.id);
    if (blockers.length === 0) return t.t('budget.blockers.none', { id: meeting.id, title: meeting.title });
    return t.t('budget.blockers.list', { id: meeting.id, title: meeting.title, count: blockers.length, lines: blockers.map((b) => t.t('budget.blockers.item', { text: b.text })).join('\n') });
  },
};

/** Budget, expenses and settlement: the budget service and report, the three commands, the expense card, the coalesced forecast check. */
export const budget: Capability = {
  name: 'budget',
  services: (s) => {
    const budget = new BudgetService(s.db, s.events, s.scheduler, s.outbox, s.meetings, s.meetingStats, s.suppliers, s.locales, s.config);
    return { budget, budgetReport: new BudgetReport(budget, s.suppliers, s.outbox, s.locales, s.media, s.config.HUIWU_CJK_FONT) };
  },
  commands: [budgetCommand, expenseCommand, settlementCommand],
  cardActions: [expenseAction],
  jobs: { 'budget.check': (s, data) => s.budget.checkJob(data) },
  // What still blocks settlement is open at close-out; a meeting without a budget has nothing open here.
  closeOut: async (s, meetingId, t) => {
    if (await s.budget.settledAt(meetingId)) return [];
    const blockers = (await s.budget.settlementBlockers(meetingId)).filter((b) => b.kind !== 'no-budget');
    return blockers.map((b) => ({ text: t.render(b.text), command: t.t('budget.closeOut.command', { id: meetingId }) }));
  },
};
