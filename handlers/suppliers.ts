/**
 * 供应商 / supplier: the registry (登记, 修改, 列表, a supplier's page with the masked contact),
 * scorecards (评分) and the quarterly ranking per category (排名), and which survey dimension rates
 * a category in a meeting (维度). Scores are computed in SupplierService (formula: docs/budget.md).
 */
import { partsLine, scorecardCard } from '../cards/supplier-cards.js';
import type { Capability } from '../src/capability.js';
import type { Translator } from '../src/i18n/translator.js';
import { words } from '../src/i18n/vocabulary.js';
import { formatFen } from '../src/money.js';
import { type CommandContext, type CommandSpec, UsageError, msg } from '../src/router/types.js';
import { amountOf, categoryOf } from '../src/services/budget-input.js';
import { normalizePhone } from '../src/services/pii.js';
import { type NewSupplier, type Ranking, SupplierService, type SupplierRow } from '../src/services/suppliers.js';
import { toInstant } from '../src/time/zoned.js';
import { matchSub } from './args.js';
import { takeMeeting } from './budget-args.js';

const SUB = {
  register: words('supplier.words.register'),
  change: words('supplier.words.change'),
  list: words('supplier.words.list'),
  score: words('supplier.words.score'),
  rank: words('supplier.words.rank'),
  dimension: words('supplier.words.dimension.word'),
};

const FIELDS = ['category', 'licence', 'expiry', 'contract', 'term', 'penalty', 'contact', 'phone'] as const;
type Field = (typeof FIELDS)[number];

/** `类别 餐饮,住宿 执照 X 资质到期 2027-03-31 ...`: each field word takes the words up to the next one. */
function fieldsOf(tokens: readonly string[]): Partial<Record<Field, string>> {
  const found: Partial<Record<Field, string>> = {};
  let current: { field: Field; values: string[] } | null = null;
  const close = () => {
    if (!current) return;
    if (!current.values.length) throw new UsageError('E_BUDGET_OPTION_EMPTY', { option: msg(`supplier.field.${current.field}`) });
    found[current.field] = current.values.join(' ');
  };
  for (const token of tokens) {
    const field = FIELDS.find((f) => words(`supplier.words.field.${f}`).some((w) => w.toLowerCase() === token.toLowerCase().replace(/[:：]$/, '')));
    if (field) {
      close();
      current = { field, values: [] };
    } else if (current) current.values.push(token);
    else throw new UsageError('E_SUPPLIER_FIELD_UNKNOWN', { word: token });
  }
  close();
  return found;
}

function dateOf(text: string, zone: string): Date {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text.trim());
  const d = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1) throw new UsageError('E_SUPPLIER_DATE_INVALID', { text });
  return toInstant({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }, 0, 0, zone);
}

function supplierInput(ctx: CommandContext, name: string, tokens: readonly string[]): Partial<NewSupplier> {
  const zone = ctx.services.config.HUIWU_TIMEZONE;
  const f = fieldsOf(tokens);
  const input: Partial<NewSupplier> = { name };
  if (f.category !== undefined) {
    const cats = f.category.split(/[,，、/\s]+/).filter(Boolean);
    const unknown = cats.find((c) => !categoryOf(c));
    if (unknown || cats.length === 0) throw new UsageError('E_BUDGET_CATEGORY_UNKNOWN', { word: unknown ?? '', categories: msg('budget.categoryList') });
    input.categories = [...new Set(cats.map((c) => categoryOf(c)!))];
  }
  if (f.licence !== undefined) {
    if (!/^[0-9A-Za-z-]{6,30}$/.test(f.licence)) throw new UsageError('E_SUPPLIER_LICENCE_INVALID', { text: f.licence });
    input.licenceNo = f.licence.toUpperCase();
  }
  if (f.expiry !== undefined) input.qualificationExpiresAt = dateOf(f.expiry, zone);
  if (f.contract !== undefined) input.contractAmount = amountOf(f.contract);
  if (f.term !== undefined) {
    const [from, to] = f.term.split(/\s*[~～]\s*/);
    if (!from || !to) throw new UsageError('E_SUPPLIER_DATE_INVALID', { text: f.term });
    input.contractStart = dateOf(from, zone);
    input.contractEnd = dateOf(to, zone);
    if (input.contractEnd < input.contractStart) throw new UsageError('E_SUPPLIER_TERM_ORDER', { text: f.term });
  }
  if (f.penalty !== undefined) input.penaltyClause = f.penalty.slice(0, 500);
  if (f.contact !== undefined) {
    const parts = f.contact.split(' ');
    const phone = parts.length > 1 ? normalizePhone(parts.at(-1)!) : null;
    input.contactName = (phone ? parts.slice(0, -1) : parts).join(' ');
    if (phone) input.phone = phone;
  }
  if (f.phone !== undefined) {
    const phone = normalizePhone(f.phone);
    if (!phone) throw new UsageError('E_SUPPLIER_PHONE_INVALID', { text: f.phone });
    input.phone = phone;
  }
  return input;
}

export const supplierCommand: CommandSpec = {
  id: 'supplier',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    const s = ctx.services.suppliers;
    const { t } = ctx;
    const [name = '', ...tail] = rest.split(' ').filter(Boolean);
    switch (sub) {
      case 'register': {
        if (!name) throw new UsageError('E_SUPPLIER_NAME_MISSING');
        const input = supplierInput(ctx, name, tail);
        if (!input.categories) throw new UsageError('E_SUPPLIER_CATEGORY_MISSING');
        const row = await s.register(ctx.user, { licenceNo: null, qualificationExpiresAt: null, contractAmount: null, contractStart: null, contractEnd: null, penaltyClause: null, contactName: null, phone: null, ...input } as NewSupplier, ctx.now);
        return [t.t('supplier.registered', { name: row.name }), supplierText(ctx, row)].join('\n');
      }
      case 'change': {
        if (!name) throw new UsageError('E_SUPPLIER_NAME_MISSING');
        const row = await s.require(name);
        if (tail.length === 0) throw new UsageError('E_SUPPLIER_CHANGE_EMPTY');
        const updated = await s.update(row, ctx.user, supplierInput(ctx, name, tail), ctx.now);
        return [t.t('supplier.changed', { name: updated.name }), supplierText(ctx, updated)].join('\n');
      }
      case 'list': {
        await s.requireRead(ctx.user);
        const rows = await s.list();
        if (rows.length === 0) return t.t('supplier.listEmpty');
        return t.t('supplier.list', { count: rows.length, lines: rows.map((r) => t.t('supplier.listLine', { name: r.name, categories: categoriesText(t, s.categories(r)), expiry: r.qualificationExpiresAt ? t.dateTime(r.qualificationExpiresAt).slice(0, 10) : '—' })).join('\n') });
      }
      case 'score': {
        if (!name) throw new UsageError('E_SUPPLIER_NAME_MISSING');
        await s.requireRead(ctx.user);
        const row = await s.require(name);
        const quarter = tail[0]?.toUpperCase() ?? s.currentQuarter(ctx.now);
        const card = await s.scorecard(row, quarter, ctx.now);
        return { type: 'card', card: scorecardCard(t, `supplier-score-${ctx.event.eventId}`, { supplier: row.name, quarter, ...card }) };
      }
      case 'rank': {
        await s.requireWrite(ctx.user);
        const quarter = name ? name.toUpperCase() : s.currentQuarter(ctx.now);
        return rankingText(t, await s.rank(quarter, ctx.user.id, ctx.now));
      }
      case 'dimension': {
        const { meeting, rest: r } = await takeMeeting(ctx, rest, 'dimension');
        const [categoryWord, ...dimension] = r.split(' ').filter(Boolean);
        const category = categoryOf(categoryWord);
        if (!category) throw new UsageError('E_BUDGET_CATEGORY_UNKNOWN', { word: categoryWord ?? '', categories: msg('budget.categoryList') });
        if (dimension.length === 0) throw new UsageError('E_SUPPLIER_DIMENSION_MISSING');
        await ctx.services.budget.requireWrite(meeting, ctx.user, t);
        await s.mapDimension(meeting.id, category, dimension.join(' '));
        return t.t('supplier.dimensionSet', { id: meeting.id, category: msg(`budget.category.${category}`), dimension: dimension.join(' ') });
      }
      default: {
        if (!ctx.args) throw new UsageError('E_SUPPLIER_MISSING_SUB');
        const [only, ...extra] = ctx.args.split(' ');
        if (extra.length) throw new UsageError('E_SUPPLIER_UNKNOWN_SUB', { word: only });
        await s.requireRead(ctx.user);
        const row = await s.require(only!);
        const scores = await s.history(row.id);
        return [supplierText(ctx, row), ...scores.map((sc) => t.t('supplier.show.score', { quarter: sc.quarter, score: sc.score, grade: sc.grade }))].join('\n');
      }
    }
  },
};

function categoriesText(t: Translator, categories: readonly string[]): string {
  return t.list(categories.map((c) => t.t(`budget.category.${c}`)));
}

function supplierText(ctx: CommandContext, row: SupplierRow): string {
  const { t } = ctx;
  const s = ctx.services.suppliers;
  const day = (d: Date | null) => (d ? t.dateTime(d).slice(0, 10) : '—');
  return [
    t.t('supplier.show.head', { name: row.name, categories: categoriesText(t, s.categories(row)) }),
    t.t('supplier.show.licence', { licence: row.licenceNo ?? '—', expiry: day(row.qualificationExpiresAt) }),
    t.t('supplier.show.contract', { amount: row.contractAmount === null ? '—' : formatFen(row.contractAmount), from: day(row.contractStart), to: day(row.contractEnd), penalty: row.penaltyClause ?? '—' }),
    t.t('supplier.show.contact', { name: row.contactName ?? '—', phone: s.maskedPhone(row) ?? '—' }),
  ].join('\n');
}

export function rankingText(t: Translator, ranking: Ranking): string {
  if (ranking.categories.length === 0) return t.t('supplier.rankEmpty', { quarter: ranking.quarter });
  const lines = ranking.categories.flatMap((c) => [
    t.t('supplier.rankCategory', { category: t.t(`budget.category.${c.category}`) }),
    ...c.rows.map((r) => t.t('supplier.rankLine', { rank: r.rank, name: r.supplier.name, score: r.card.score, grade: r.card.grade, parts: partsLine(t, r.card.parts) })),
  ]);
  const tasks = ranking.replacements.map((r) => t.t('supplier.replacementLine', { name: r.supplier.name, task: r.taskId, why: t.t(`supplier.why.${r.why}`) }));
  return [t.t('supplier.rankHead', { quarter: ranking.quarter }), ...lines, ...tasks].join('\n');
}

/** Suppliers: the registry and scorecards, the command, expiry notices and the quarterly ranking. */
export const suppliers: Capability = {
  name: 'suppliers',
  services: (s) => ({ suppliers: new SupplierService(s.db, s.scheduler, s.outbox, s.pii, s.meetings, s.tasks, s.directory, s.locales, s.config) }),
  commands: [supplierCommand],
  jobs: {
    'supplier.expiry': (s, data) => s.suppliers.announceExpiry(data, new Date()),
    'supplier.quarterly': (s) => s.suppliers.quarterly(new Date(), rankingText),
  },
  recover: (s) => s.suppliers.recoverExpiry(new Date()),
  start: (s) => s.suppliers.startQuarterly(),
};
