/**
 * Budgets (预算), expenses (支出) and settlement (结算) of a meeting, in integer fen. A line's
 * forecast follows the live counts when its quantity is linked (confirmed, checked-in, room-nights,
 * meals by type): every count change (`meeting.counts-changed`) queues one coalesced check per
 * meeting. Alerts (once per crossing) and settlement blockers are in `budget-checks.ts`, the report
 * (CSV + chart) in `budget-report.ts`. Expense changes are kept with before/after.
 */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { CodedError, UserError } from '../errors.js';
import { type Translator, msg } from '../i18n/translator.js';
import type { ScheduleJobs } from '../queue/queues.js';
import { parseCsv } from '../csv.js';
import { wallClockOf, toInstant } from '../time/zoned.js';
import { amountOf, categoryOf, parseFormula } from './budget-input.js';
import { type Category, type CostDeviation, costDeviationOf, deviation, lineFigures } from './budget-math.js';
import { BudgetChecks } from './budget-checks.js';
import type { BudgetLineRow, ExpenseRow, Ledger, NewExpense, NewLine, SettlementBlocker } from './budget-rows.js';
import type { UserRecord } from './directory.js';
import type { DomainEvents } from './events.js';
import type { LocaleService } from './locales.js';
import type { MeetingStatsService } from './meeting-stats.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import type { SupplierService } from './suppliers.js';

export type { BudgetLineRow, ExpenseRow, Ledger, NewExpense, NewLine, SettlementBlocker };

declare module './services.js' {
  interface Services {
    budget: BudgetService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Coalesced re-check of a meeting's forecast after its counts moved. */
    'budget.check': { meetingId: number };
  }
}

export type ExpenseChange = Partial<Pick<ExpenseRow, 'amount' | 'invoiceNo' | 'invoiceType' | 'taxRate'>>;

export interface YearDeviation {
  year: number;
  /** Settled meetings of the year (their final deviation counts). */
  meetings: number;
  approved: number;
  actual: number;
  deviation: number | null;
}

const MAX_ITEM = 40;
const MAX_NOTE = 200;
const MAX_LINES = 200;

export class BudgetService {
  private readonly checks: BudgetChecks;

  constructor(
    private readonly db: PrismaClient,
    private readonly events: DomainEvents,
    private readonly scheduler: Scheduler,
    outbox: Outbox,
    private readonly meetings: MeetingService,
    private readonly stats: MeetingStatsService,
    private readonly suppliers: SupplierService,
    locales: LocaleService,
    private readonly config: Config,
  ) {
    this.checks = new BudgetChecks(db, meetings, outbox, locales, suppliers, { ledger: (m) => this.ledger(m), expenses: (id) => this.expenses(id) });
    // RSVPs and check-ins move linked lines: one check per burst of changes.
    events.on('meeting.counts-changed', async ({ meetingId }) => {
      if ((await this.db.budgetLine.count({ where: { meetingId } })) === 0) return;
      await this.scheduler.coalesced('budget.check', `budget-check-${meetingId}`, { meetingId }, this.config.HUIWU_STATUS_REFRESH_MS);
    });
  }

  // ---- permissions ---------------------------------------------------------------------

  /** The meeting's organizers and the finance department's members (and admins) write. */
  canWrite(meeting: MeetingRow, user: UserRecord): boolean {
    return this.meetings.isOrganizer(meeting, user) || this.suppliers.isFinance(user);
  }

  async requireWrite(meeting: MeetingRow, user: UserRecord, t: Translator): Promise<void> {
    if (!this.canWrite(meeting, user)) throw new UserError('E_BUDGET_FORBIDDEN', { id: meeting.id, organizers: await this.meetings.organizerNames(meeting, t) });
  }

  /** Executives may read too. */
  async requireRead(meeting: MeetingRow, user: UserRecord, t: Translator): Promise<void> {
    if (!this.canWrite(meeting, user) && !user.roles.includes('executive')) throw new UserError('E_BUDGET_READ_FORBIDDEN', { id: meeting.id, organizers: await this.meetings.organizerNames(meeting, t) });
  }

  /** The year's figures across meetings: organizers, the finance department and executives. */
  requireOverview(user: UserRecord): void {
    if (!user.roles.some((r) => r === 'organizer' || r === 'admin' || r === 'executive') && !this.suppliers.isFinance(user)) throw new UserError('E_BUDGET_YEAR_FORBIDDEN');
  }

  private async requireOpen(meetingId: number): Promise<void> {
    const budget = await this.db.budget.findUnique({ where: { meetingId } });
    if (budget?.settledAt) throw new UserError('E_BUDGET_SETTLED', { id: meetingId });
  }

  // ---- lines ---------------------------------------------------------------------------

  async lines(meetingId: number): Promise<BudgetLineRow[]> {
    return this.db.budgetLine.findMany({ where: { meetingId }, orderBy: { no: 'asc' } });
  }

  async line(meetingId: number, no: number): Promise<BudgetLineRow> {
    const line = await this.db.budgetLine.findUnique({ where: { meetingId_no: { meetingId, no } } });
    if (!line) throw new UserError('E_BUDGET_LINE_NOT_FOUND', { id: meetingId, no });
    return line;
  }

  /** A line named by category and item (`餐饮 午餐`); the item may be left out when the category has one line. */
  async lineByName(meetingId: number, category: Category, item: string | null): Promise<BudgetLineRow> {
    const rows = (await this.lines(meetingId)).filter((l) => l.category === category && (item === null || l.item === item));
    if (rows.length === 1) return rows[0]!;
    if (rows.length === 0) throw new UserError('E_BUDGET_LINE_NAME_NOT_FOUND', { id: meetingId, category: msg(`budget.category.${category}`), item: item ?? '' });
    throw new UserError('E_BUDGET_LINE_NAME_AMBIGUOUS', { id: meetingId, lines: rows.map((l) => `${l.no} ${l.item}`).join(' / ') });
  }

  private async validate(meetingId: number, input: NewLine): Promise<{ supplierId: number | null; quantity: number }> {
    if (!input.item || input.item.length > MAX_ITEM) throw new UserError('E_BUDGET_ITEM_INVALID', { max: MAX_ITEM });
    if (input.note && input.note.length > MAX_NOTE) throw new UserError('E_BUDGET_NOTE_TOO_LONG', { max: MAX_NOTE });
    const supplierId = input.supplier ? (await this.suppliers.require(input.supplier)).id : null;
    let quantity = input.quantity;
    if (quantity === null) {
      const stats = await this.stats.compute(meetingId, new Date());
      quantity = lineFigures({ id: 0, no: 0, category: input.category, item: input.item, supplierId, unitPrice: input.unitPrice, quantity: 0, link: input.link, days: input.days, contractAmount: null }, [], stats).liveQuantity;
    }
    if (input.unitPrice * quantity * input.days > Number.MAX_SAFE_INTEGER / 1000) throw new UserError('E_BUDGET_LINE_TOO_LARGE');
    return { supplierId, quantity };
  }

  async addLine(meeting: MeetingRow, user: UserRecord, input: NewLine, t: Translator, now: Date): Promise<BudgetLineRow> {
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    const { supplierId, quantity } = await this.validate(meeting.id, input);
    const line = await this.insertLines(meeting.id, user.id, [{ ...input, supplierId, quantity }], now);
    await this.afterChange(meeting.id, now);
    return line[0]!;
  }

  private async insertLines(meetingId: number, by: string, rows: Array<NewLine & { supplierId: number | null; quantity: number }>, now: Date): Promise<BudgetLineRow[]> {
    return this.db.$transaction(async (tx) => {
      await tx.budget.upsert({ where: { meetingId }, create: { meetingId, createdAt: now }, update: { meetingId } });
      const last = await tx.budgetLine.findFirst({ where: { meetingId }, orderBy: { no: 'desc' } });
      if ((last?.no ?? 0) + rows.length > MAX_LINES) throw new UserError('E_BUDGET_TOO_MANY_LINES', { max: MAX_LINES });
      const created: BudgetLineRow[] = [];
      let no = last?.no ?? 0;
      for (const r of rows) {
        no++;
        created.push(
          await tx.budgetLine.create({
            data: { meetingId, no, category: r.category, item: r.item, supplierId: r.supplierId, unitPrice: r.unitPrice, quantity: r.quantity, link: r.link, days: r.days, contractAmount: r.contractAmount, note: r.note, createdBy: by, createdAt: now },
          }),
        );
      }
      return created;
    });
  }

  /**
   * CSV lines (columns: category, item, unit price, quantity or linked count, days, supplier, note,
   * contract amount; a header row is skipped). Every bad row is reported and nothing is imported.
   */
  async importCsv(t: Translator, meeting: MeetingRow, user: UserRecord, csv: string, now: Date): Promise<{ ok: true; imported: number } | { ok: false; problems: Array<{ row: number; error: string }> }> {
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    let table: string[][];
    try {
      table = parseCsv(csv);
    } catch {
      return { ok: false, problems: [{ row: 0, error: t.t('budget.csv.unreadable') }] };
    }
    const start = table.length > 0 && categoryOf(table[0]![0]?.trim()) === null ? 1 : 0;
    const problems: Array<{ row: number; error: string }> = [];
    const rows: Array<NewLine & { supplierId: number | null; quantity: number }> = [];
    for (let i = start; i < table.length; i++) {
      const [category = '', item = '', price = '', quantity = '', days = '', supplier = '', note = '', contract = ''] = table[i]!.map((c) => c.trim());
      try {
        const cat = categoryOf(category);
        if (!cat) throw new UserError('E_BUDGET_CATEGORY_UNKNOWN', { word: category, categories: msg('budget.categoryList') });
        const formula = parseFormula([price, quantity, days ? `${days}${t.t('budget.csv.daySuffix')}` : ''].filter(Boolean).join(' x '));
        const input: NewLine = { category: cat, item, supplier: supplier || null, ...formula, contractAmount: contract ? amountOf(contract) : null, note: note || null };
        rows.push({ ...input, ...(await this.validate(meeting.id, input)) });
      } catch (error) {
        if (!(error instanceof CodedError)) throw error;
        problems.push({ row: i + 1, error: t.t(error.key, error.params) });
      }
    }
    if (rows.length === 0 && problems.length === 0) problems.push({ row: 0, error: t.t('budget.csv.empty') });
    if (problems.length > 0) return { ok: false, problems };
    await this.insertLines(meeting.id, user.id, rows, now);
    await this.afterChange(meeting.id, now);
    return { ok: true, imported: rows.length };
  }

  /** `预算 说明 #1 2 <原因>`: the explanation of a line's overrun, with who and when. */
  async explain(meeting: MeetingRow, user: UserRecord, no: number, reason: string, t: Translator, now: Date): Promise<BudgetLineRow> {
    await this.requireWrite(meeting, user, t);
    if (reason.length > MAX_NOTE) throw new UserError('E_BUDGET_NOTE_TOO_LONG', { max: MAX_NOTE });
    const line = await this.line(meeting.id, no);
    const updated = await this.db.budgetLine.update({ where: { id: line.id }, data: { reason, reasonBy: user.id, reasonAt: now } });
    await this.events.emit('budget.changed', { meetingId: meeting.id });
    return updated;
  }

  /** `预算 合同 #1 2 <金额>`: the contracted amount settlement compares invoices with. */
  async setContract(meeting: MeetingRow, user: UserRecord, no: number, amount: number, t: Translator): Promise<BudgetLineRow> {
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    const line = await this.line(meeting.id, no);
    const updated = await this.db.budgetLine.update({ where: { id: line.id }, data: { contractAmount: amount } });
    await this.events.emit('budget.changed', { meetingId: meeting.id });
    return updated;
  }

  // ---- figures -------------------------------------------------------------------------

  async ledger(meeting: MeetingRow): Promise<Ledger> {
    const [rows, expenses, budget, stats] = await Promise.all([
      this.lines(meeting.id),
      this.db.expense.findMany({ where: { meetingId: meeting.id, status: 'active' } }),
      this.db.budget.findUnique({ where: { meetingId: meeting.id } }),
      this.stats.compute(meeting.id, new Date()),
    ]);
    const lines = rows.map((r) => lineFigures(r, expenses, stats));
    return { meeting, rows, lines, cost: costDeviationOf(lines, Boolean(budget?.settledAt)) };
  }

  /** The cost-deviation KPI of a meeting (approved, forecast, actual fen and deviations); null without a budget. */
  async costDeviation(meetingId: number): Promise<CostDeviation | null> {
    const meeting = await this.meetings.get(meetingId);
    if (!meeting || (await this.db.budgetLine.count({ where: { meetingId } })) === 0) return null;
    return (await this.ledger(meeting)).cost;
  }

  /** The year's deviation across its settled meetings: (Σ actual - Σ approved) / Σ approved. */
  async yearDeviation(year: number): Promise<YearDeviation> {
    const zone = this.config.HUIWU_TIMEZONE;
    const from = toInstant({ y: year, m: 1, d: 1 }, 0, 0, zone);
    const to = toInstant({ y: year + 1, m: 1, d: 1 }, 0, 0, zone);
    const settled = await this.db.budget.findMany({ where: { settledAt: { not: null } } });
    const meetings = await this.db.meeting.findMany({ where: { id: { in: settled.map((b) => b.meetingId) }, startAt: { gte: from, lt: to } } });
    let approved = 0;
    let actual = 0;
    for (const m of meetings) {
      const { cost } = await this.ledger(m);
      approved += cost.approved;
      actual += cost.actual;
    }
    return { year, meetings: meetings.length, approved, actual, deviation: meetings.length ? deviation(approved, actual) : null };
  }

  yearOf(at: Date): number {
    return wallClockOf(at, this.config.HUIWU_TIMEZONE).y;
  }

  // ---- expenses ------------------------------------------------------------------------

  async expense(id: number): Promise<ExpenseRow> {
    const row = await this.db.expense.findUnique({ where: { id } });
    if (!row) throw new UserError('E_EXPENSE_NOT_FOUND', { id });
    return row;
  }

  async expenses(meetingId: number): Promise<ExpenseRow[]> {
    return this.db.expense.findMany({ where: { meetingId }, orderBy: { id: 'asc' } });
  }

  private async requireFreeInvoice(invoiceNo: string, except: number | null): Promise<void> {
    const taken = await this.db.expense.findUnique({ where: { invoiceNo } });
    if (taken && taken.id !== except) throw new UserError('E_EXPENSE_DUPLICATE_INVOICE', { invoice: invoiceNo, id: taken.id, meeting: taken.meetingId });
  }

  async addExpense(meeting: MeetingRow, user: UserRecord, input: NewExpense, t: Translator, now: Date): Promise<ExpenseRow> {
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    if (input.invoiceNo) await this.requireFreeInvoice(input.invoiceNo, null);
    const supplierId = input.supplier ? (await this.suppliers.require(input.supplier)).id : input.line.supplierId;
    const data = { meetingId: meeting.id, lineId: input.line.id, amount: input.amount, invoiceNo: input.invoiceNo, invoiceType: input.invoiceType, taxRate: input.taxRate, supplierId, createdBy: user.id, createdAt: now };
    let row: ExpenseRow;
    try {
      row = await this.db.expense.create({ data });
    } catch (error) {
      // Two at once with the same invoice: the unique index decides, the loser is told.
      if (input.invoiceNo && String(error).includes('Unique')) await this.requireFreeInvoice(input.invoiceNo, null);
      throw error;
    }
    await this.db.expenseEvent.create({ data: { expenseId: row.id, kind: 'created', actorId: user.id, after: JSON.stringify(snapshot(row)), createdAt: now } });
    await this.afterChange(meeting.id, now);
    return row;
  }

  /** Changes recorded with before/after; a changed invoice number must be free. */
  async changeExpense(expense: ExpenseRow, user: UserRecord, change: ExpenseChange, t: Translator, now: Date): Promise<ExpenseRow> {
    const meeting = await this.meetingOf(expense);
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    if (expense.status !== 'active') throw new UserError('E_EXPENSE_VOID', { id: expense.id });
    if (change.invoiceNo) await this.requireFreeInvoice(change.invoiceNo, expense.id);
    const updated = await this.db.expense.update({ where: { id: expense.id }, data: change });
    await this.record(expense, updated, 'changed', user.id, now);
    await this.afterChange(meeting.id, now);
    return updated;
  }

  /** The supplier has been paid for this expense. */
  async markPaid(expense: ExpenseRow, user: UserRecord, t: Translator, now: Date): Promise<ExpenseRow> {
    const meeting = await this.meetingOf(expense);
    await this.requireWrite(meeting, user, t);
    if (expense.paidAt) throw new UserError('E_EXPENSE_ALREADY_PAID', { id: expense.id, at: expense.paidAt });
    const updated = await this.db.expense.update({ where: { id: expense.id }, data: { paidAt: now } });
    await this.record(expense, updated, 'paid', user.id, now);
    return updated;
  }

  /** Voided: no longer counted, its invoice number free again (the history keeps it). */
  async voidExpense(expense: ExpenseRow, user: UserRecord, t: Translator, now: Date): Promise<ExpenseRow> {
    const meeting = await this.meetingOf(expense);
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    if (expense.status !== 'active') throw new UserError('E_EXPENSE_VOID', { id: expense.id });
    const updated = await this.db.expense.update({ where: { id: expense.id }, data: { status: 'void', invoiceNo: null } });
    await this.record(expense, updated, 'voided', user.id, now);
    await this.afterChange(meeting.id, now);
    return updated;
  }

  async history(expenseId: number) {
    return this.db.expenseEvent.findMany({ where: { expenseId }, orderBy: { id: 'asc' } });
  }

  private async record(before: ExpenseRow, after: ExpenseRow, kind: string, actorId: string, now: Date): Promise<void> {
    await this.db.expenseEvent.create({ data: { expenseId: before.id, kind, actorId, before: JSON.stringify(snapshot(before)), after: JSON.stringify(snapshot(after)), createdAt: now } });
  }

  private async meetingOf(expense: ExpenseRow): Promise<MeetingRow> {
    const meeting = await this.meetings.get(expense.meetingId);
    if (!meeting) throw new UserError('E_EXPENSE_NOT_FOUND', { id: expense.id });
    return meeting;
  }

  /** A change of lines or expenses: alerts checked now, the status card's KPI refreshed. */
  private async afterChange(meetingId: number, now: Date): Promise<void> {
    await this.check(meetingId, now);
    await this.meetings.refreshStatusSoon(meetingId);
    await this.events.emit('budget.changed', { meetingId });
  }

  // ---- alerts and settlement checks (budget-checks.ts) ------------------------------------

  /**
   * Compares every line and the totals with their thresholds and alerts the organizers' group once
   * per crossing. Returns the number of alerts sent. A settled or cancelled meeting is left alone.
   */
  check(meetingId: number, now: Date = new Date()): Promise<number> {
    return this.checks.check(meetingId, now);
  }

  /** The coalesced job after counts moved. */
  async checkJob(data: ScheduleJobs['budget.check']): Promise<string> {
    return `alerts ${await this.check(data.meetingId)}`;
  }

  // ---- settlement ----------------------------------------------------------------------

  /** What `结算 #1` lists and what keeps `结算 完成` from running; empty when the meeting can be settled. */
  settlementBlockers(meetingId: number): Promise<SettlementBlocker[]> {
    return this.checks.settlementBlockers(meetingId);
  }

  /** Settles when nothing blocks; refused (with the list) otherwise. */
  async settle(meeting: MeetingRow, user: UserRecord, t: Translator, now: Date): Promise<Ledger> {
    await this.requireWrite(meeting, user, t);
    await this.requireOpen(meeting.id);
    const blockers = await this.settlementBlockers(meeting.id);
    if (blockers.length > 0) throw new UserError('E_SETTLEMENT_BLOCKED', { id: meeting.id, count: blockers.length, list: blockers.map((b) => `· ${t.render(b.text)}`).join('\n') });
    const done = await this.db.budget.updateMany({ where: { meetingId: meeting.id, settledAt: null }, data: { settledAt: now, settledBy: user.id } });
    if (done.count === 0) throw new UserError('E_BUDGET_SETTLED', { id: meeting.id });
    await this.meetings.refreshStatusSoon(meeting.id);
    await this.events.emit('budget.changed', { meetingId: meeting.id });
    return this.ledger(meeting);
  }

  async settledAt(meetingId: number): Promise<Date | null> {
    return (await this.db.budget.findUnique({ where: { meetingId } }))?.settledAt ?? null;
  }
}

function snapshot(e: ExpenseRow) {
  return { amount: e.amount, invoiceNo: e.invoiceNo, invoiceType: e.invoiceType, taxRate: e.taxRate, paidAt: e.paidAt?.toISOString() ?? null, status: e.status };
}
