/**
 * The budget's checks: alerts to the organizers' group once per threshold crossing (a flag set by a
 * conditional update when crossed, cleared on the way back; the alert id carries the crossing's
 * number), and what blocks settlement. Thresholds and rules: docs/budget.md.
 */
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { type Translator, msg } from '../i18n/translator.js';
import { formatDeviation, formatFen, formatSignedFen } from '../money.js';
import { PRIORITY } from '../queue/queues.js';
import { ACTUAL_DRIFT, FORECAST_DRIFT, LINE_OVER, type LineFigures, deviation, isDrifting, isOver } from './budget-math.js';
import type { ExpenseRow, Ledger, SettlementBlocker } from './budget-rows.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { SupplierService } from './suppliers.js';

/** What the checks need from the budget service. */
export interface BudgetFigures {
  ledger(meeting: MeetingRow): Promise<Ledger>;
  expenses(meetingId: number): Promise<ExpenseRow[]>;
}

export class BudgetChecks {
  constructor(
    private readonly db: PrismaClient,
    private readonly meetings: MeetingService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly suppliers: Pick<SupplierService, 'get'>,
    private readonly budget: BudgetFigures,
  ) {}

  /**
   * Compares every line and the totals with their thresholds and alerts the organizers' group once
   * per crossing. Returns the number of alerts sent. A settled or cancelled meeting is left alone.
   */
  async check(meetingId: number, now: Date = new Date()): Promise<number> {
    const meeting = await this.meetings.get(meetingId);
    const budget = await this.db.budget.findUnique({ where: { meetingId } });
    if (!meeting || meeting.status === 'cancelled' || !budget || budget.settledAt) return 0;
    const ledger = await this.budget.ledger(meeting);
    let sent = 0;
    for (const f of ledger.lines) {
      const row = ledger.rows.find((r) => r.id === f.line.id)!;
      for (const kind of ['forecast', 'actual'] as const) {
        const over = isOver(f.approved, kind === 'forecast' ? f.forecast : f.actual, LINE_OVER);
        const flag = kind === 'forecast' ? 'forecastOver' : 'actualOver';
        const counter = kind === 'forecast' ? 'forecastAlerts' : 'actualAlerts';
        if (over === row[flag]) continue;
        const claimed = await this.db.budgetLine.updateMany({ where: { id: row.id, [flag]: !over }, data: over ? { [flag]: true, [counter]: { increment: 1 } } : { [flag]: false } });
        if (!over || claimed.count === 0) continue;
        const n = (await this.db.budgetLine.findUnique({ where: { id: row.id } }))![counter];
        await this.alert(meeting, `l${row.id}-${kind}-${n}`, (t) => t.t(`budget.alert.line.${kind}`, this.lineParams(meeting, f)));
        sent++;
      }
    }
    const { cost } = ledger;
    const drift = {
      // Below plan while invitations are still answered is no news: under counts only after the RSVP cut-off.
      forecast: isOver(cost.approved, cost.forecast, FORECAST_DRIFT) || (now >= this.meetings.cutoff(meeting) && isDrifting(cost.approved, cost.forecast, FORECAST_DRIFT)),
      // The actual grows as invoices come in: under budget counts only once every line has one.
      actual: isOver(cost.approved, cost.actual, ACTUAL_DRIFT) || (cost.complete && isDrifting(cost.approved, cost.actual, ACTUAL_DRIFT)),
    };
    for (const kind of ['forecast', 'actual'] as const) {
      const flag = kind === 'forecast' ? 'forecastOff' : 'actualOff';
      const counter = kind === 'forecast' ? 'forecastAlerts' : 'actualAlerts';
      if (drift[kind] === budget[flag]) continue;
      const claimed = await this.db.budget.updateMany({ where: { meetingId, [flag]: !drift[kind] }, data: drift[kind] ? { [flag]: true, [counter]: { increment: 1 } } : { [flag]: false } });
      if (!drift[kind] || claimed.count === 0) continue;
      const n = (await this.db.budget.findUnique({ where: { meetingId } }))![counter];
      const value = kind === 'forecast' ? cost.forecast : cost.actual;
      const responsible = [...ledger.lines]
        .map((f) => ({ f, delta: (kind === 'forecast' ? f.forecast : f.actual) - f.approved }))
        .filter((x) => Math.sign(x.delta) === Math.sign(value - cost.approved) && x.delta !== 0)
        .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
        .slice(0, 3);
      await this.alert(meeting, `total-${kind}-${n}`, (t) =>
        t.t(`budget.alert.total.${kind}`, {
          id: meeting.id,
          title: meeting.title,
          value: formatFen(value),
          approved: formatFen(cost.approved),
          deviation: formatDeviation(deviation(cost.approved, value)),
          limit: kind === 'forecast' ? '3%' : '5%',
          lines: responsible.map((x) => t.t('budget.alert.responsible', { no: x.f.line.no, category: msg(`budget.category.${x.f.line.category}`), item: x.f.line.item, delta: formatSignedFen(x.delta) })).join('\n'),
        }),
      );
      sent++;
    }
    return sent;
  }

  lineParams(meeting: MeetingRow, f: LineFigures) {
    return {
      id: meeting.id,
      title: meeting.title,
      no: f.line.no,
      category: msg(`budget.category.${f.line.category}`),
      item: f.line.item,
      approved: formatFen(f.approved),
      forecast: formatFen(f.forecast),
      actual: formatFen(f.actual),
      forecastDeviation: formatDeviation(deviation(f.approved, f.forecast)),
      actualDeviation: formatDeviation(deviation(f.approved, f.actual)),
    };
  }

  private async alert(meeting: MeetingRow, key: string, text: (t: Translator) => string): Promise<void> {
    const t = await this.locales.forConversation(meeting.conversationId);
    await this.outbox.enqueue({
      id: `budget-${meeting.id}-${key}`,
      target: { kind: 'conversation', conversationId: meeting.conversationId },
      content: { type: 'text', text: text(t) },
      priority: PRIORITY.urgent,
    });
  }

  /** What `结算 #1` lists and what keeps `结算 完成` from running; empty when the meeting can be settled. */
  async settlementBlockers(meetingId: number): Promise<SettlementBlocker[]> {
    const meeting = await this.meetings.get(meetingId);
    if (!meeting) throw new UserError('E_BUDGET_MEETING_NOT_FOUND', { id: meetingId });
    const ledger = await this.budget.ledger(meeting);
    if (ledger.lines.length === 0) return [{ kind: 'no-budget', lineNo: null, expenseId: null, text: msg('budget.blocker.noBudget', { id: meetingId }) }];
    const expenses = (await this.budget.expenses(meetingId)).filter((e) => e.status === 'active');
    const blockers: SettlementBlocker[] = [];
    for (const f of ledger.lines) {
      const row = ledger.rows.find((r) => r.id === f.line.id)!;
      const name = { no: f.line.no, category: msg(`budget.category.${f.line.category}`), item: f.line.item };
      if (f.expenses === 0) {
        blockers.push({ kind: 'no-expense', lineNo: f.line.no, expenseId: null, text: msg('budget.blocker.noExpense', name) });
        continue;
      }
      const invoiced = expenses.filter((e) => e.lineId === f.line.id && e.invoiceNo).reduce((s, e) => s + e.amount, 0);
      const contract = f.line.contractAmount ?? f.forecast;
      if (invoiced !== contract) blockers.push({ kind: 'invoice-mismatch', lineNo: f.line.no, expenseId: null, text: msg('budget.blocker.mismatch', { ...name, invoiced: formatFen(invoiced), contract: formatFen(contract) }) });
      if ((isOver(f.approved, f.actual, LINE_OVER) || isOver(f.approved, f.forecast, LINE_OVER)) && !row.reason) {
        blockers.push({ kind: 'unexplained', lineNo: f.line.no, expenseId: null, text: msg('budget.blocker.unexplained', { ...name, id: meetingId }) });
      }
    }
    for (const e of expenses) {
      const line = ledger.rows.find((r) => r.id === e.lineId);
      const params = { expense: e.id, no: line?.no ?? 0, amount: formatFen(e.amount) };
      if (!e.invoiceNo) blockers.push({ kind: 'no-invoice', lineNo: line?.no ?? null, expenseId: e.id, text: msg('budget.blocker.noInvoice', params) });
      else if (e.taxRate === null || !e.invoiceType) blockers.push({ kind: 'tax-missing', lineNo: line?.no ?? null, expenseId: e.id, text: msg('budget.blocker.taxMissing', params) });
      if (e.supplierId !== null && !e.paidAt) {
        const supplier = await this.suppliers.get(e.supplierId);
        blockers.push({ kind: 'unpaid', lineNo: line?.no ?? null, expenseId: e.id, text: msg('budget.blocker.unpaid', { ...params, supplier: supplier?.name ?? '' }) });
      }
    }
    return blockers;
  }
}
