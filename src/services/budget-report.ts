/**
 * The settlement report of a meeting: a CSV (lines with approved, forecast, actual, variance,
 * the expenses with invoice, type, tax rate, tax and payment) in the reader's language, and a
 * chart of budget vs actual per category posted with the summary in the organizers' group.
 */
import { groupedBarChartPng } from '../charts/grouped-bar-chart.js';
import { formatCsv } from '../csv.js';
import type { Translator } from '../i18n/translator.js';
import { formatDeviation, formatFen, formatSignedFen, formatTaxRate, taxIncluded } from '../money.js';
import { PRIORITY } from '../queue/queues.js';
import type { BudgetService, Ledger } from './budget.js';
import { CATEGORIES, deviation } from './budget-math.js';
import type { LocaleService } from './locales.js';
import type { MediaStore } from './media.js';
import type { MeetingRow } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { SupplierService } from './suppliers.js';

declare module './services.js' {
  interface Services {
    budgetReport: BudgetReport;
  }
}

const yuan = (fen: number) => (fen / 100).toFixed(2);
/** A deviation as a plain number of percent (`66.7`): a leading `+` would be escaped as a formula in the CSV. */
const percent = (d: number | null) => (d === null ? '' : (Math.round(d * 1000) / 10).toFixed(1));

export class BudgetReport {
  constructor(
    private readonly budget: BudgetService,
    private readonly suppliers: SupplierService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly media: MediaStore,
    private readonly fontFile: string | undefined,
  ) {}

  /** Approved and actual fen per category, in the order of the categories, only those used. */
  byCategory(ledger: Ledger): Array<{ category: string; approved: number; actual: number }> {
    return CATEGORIES.map((category) => {
      const lines = ledger.lines.filter((f) => f.line.category === category);
      return { category, approved: lines.reduce((s, f) => s + f.approved, 0), actual: lines.reduce((s, f) => s + f.actual, 0), used: lines.length > 0 };
    })
      .filter((c) => c.used)
      .map(({ used: _used, ...c }) => c);
  }

  async csv(t: Translator, meeting: MeetingRow): Promise<string> {
    const ledger = await this.budget.ledger(meeting);
    const expenses = await this.budget.expenses(meeting.id);
    const names = new Map((await this.suppliers.list()).map((s) => [s.id, s.name]));
    const c = (key: string) => t.t(`budget.csv.${key}`);
    const { cost } = ledger;
    const table: Array<Array<string | number | null>> = [
      [c('meeting'), `#${meeting.id}`, meeting.title],
      [c('approved'), yuan(cost.approved), c('forecast'), yuan(cost.forecast), c('actual'), yuan(cost.actual), c('deviation'), percent(cost.actualDeviation)],
      [],
      [c('line'), c('category'), c('item'), c('supplier'), c('unitPrice'), c('quantity'), c('days'), c('approved'), c('forecast'), c('actual'), c('variance'), c('variancePct'), c('reason')],
      ...ledger.lines.map((f) => {
        const row = ledger.rows.find((r) => r.id === f.line.id)!;
        return [
          f.line.no,
          t.t(`budget.category.${f.line.category}`),
          f.line.item,
          f.line.supplierId ? (names.get(f.line.supplierId) ?? '') : '',
          yuan(f.line.unitPrice),
          f.liveQuantity,
          f.line.days,
          yuan(f.approved),
          yuan(f.forecast),
          yuan(f.actual),
          yuan(f.actual - f.approved),
          percent(deviation(f.approved, f.actual)),
          row.reason,
        ];
      }),
      [],
      [c('expense'), c('line'), c('amount'), c('invoice'), c('invoiceType'), c('taxRate'), c('tax'), c('supplier'), c('paid'), c('status')],
      ...expenses.map((e) => [
        e.id,
        ledger.rows.find((r) => r.id === e.lineId)?.no ?? '',
        yuan(e.amount),
        e.invoiceNo,
        e.invoiceType ? t.t(`budget.invoiceType.${e.invoiceType}`) : '',
        e.taxRate === null ? '' : formatTaxRate(e.taxRate),
        e.taxRate === null ? '' : yuan(taxIncluded(e.amount, e.taxRate)),
        e.supplierId ? (names.get(e.supplierId) ?? '') : '',
        e.paidAt ? t.dateTime(e.paidAt) : '',
        t.t(`budget.expenseStatus.${e.status}`),
      ]),
    ];
    return formatCsv(table);
  }

  /** The summary and the chart in the meeting's group, once per settlement. */
  async publish(meeting: MeetingRow, ledger: Ledger): Promise<void> {
    const group = { kind: 'conversation' as const, conversationId: meeting.conversationId };
    const t = await this.locales.forConversation(meeting.conversationId);
    const { cost } = ledger;
    const categories = this.byCategory(ledger);
    await this.outbox.enqueue({
      id: `budget-${meeting.id}-settled-text`,
      target: group,
      content: {
        type: 'text',
        text: t.t('budget.settled.posted', {
          id: meeting.id,
          title: meeting.title,
          approved: formatFen(cost.approved),
          actual: formatFen(cost.actual),
          variance: formatSignedFen(cost.actual - cost.approved),
          deviation: formatDeviation(cost.actualDeviation),
        }),
      },
      priority: PRIORITY.normal,
    });
    const png = groupedBarChartPng(
      {
        title: t.t('budget.chart.title', { id: meeting.id, title: meeting.title }),
        labels: categories.map((x) => t.t(`budget.category.${x.category}`)),
        series: [
          { name: t.t('budget.chart.approved'), values: categories.map((x) => x.approved / 100), color: '#5b8ff9' },
          { name: t.t('budget.chart.actual'), values: categories.map((x) => x.actual / 100), color: '#e8684a' },
        ],
      },
      this.fontFile,
    );
    await this.outbox.enqueue({
      id: `budget-${meeting.id}-settled-chart`,
      target: group,
      content: {
        type: 'image',
        mediaId: await this.media.putPng(png),
        alt: t.t('budget.chart.alt', { values: categories.map((x) => t.t('budget.chart.altItem', { category: t.t(`budget.category.${x.category}`), approved: formatFen(x.approved), actual: formatFen(x.actual) })).join(t.t('budget.chart.separator')) }),
      },
      priority: PRIORITY.normal,
    });
  }
}
