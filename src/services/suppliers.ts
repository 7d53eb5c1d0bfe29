/**
 * The supplier registry (供应商): name, categories, licence, qualification expiry (announced 30
 * days ahead by a delayed job keyed by the expiry date), contract terms and a contact whose phone
 * is stored only encrypted. Scorecards per quarter come from Huiwu's own data (incidents and
 * complaints attributed to the supplier, its tasks, the survey dimension it serves, its lines'
 * cost variance) through the formula in `supplier-score.ts`; the ranking per category is stored,
 * and a grade-D supplier, or the last of its category two quarters running, gets a replacement
 * task assigned to the organizers (once per quarter).
 */
import { isComplaint } from '../../cards/incident-labels.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { type Translator, msg } from '../i18n/translator.js';
import { words } from '../i18n/vocabulary.js';
import { PRIORITY, type ScheduleJobs } from '../queue/queues.js';
import { type LineInput, lineFigures } from './budget-math.js';
import type { Directory, UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { type PiiCipher, maskPhone } from './pii.js';
import type { Scheduler } from './scheduler.js';
import { type ScoreInputs, type Scorecard, previousQuarter, quarterOf, quarterRange, scoreOf } from './supplier-score.js';
import type { TaskService } from './tasks.js';
import { computeResults } from './survey-results.js';

declare module './services.js' {
  interface Services {
    suppliers: SupplierService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** 30 days before a supplier's qualification expires (`expiresAt` ms: a changed date makes the job stale). */
    'supplier.expiry': { supplierId: number; expiresAt: number };
    /** The quarter's ranking (of the quarter just ended), posted to the groups of its meetings. */
    'supplier.quarterly': Record<string, never>;
  }
}

export type SupplierRow = NonNullable<Awaited<ReturnType<PrismaClient['supplier']['findUnique']>>>;

export interface NewSupplier {
  name: string;
  categories: string[];
  licenceNo: string | null;
  qualificationExpiresAt: Date | null;
  contractAmount: number | null;
  contractStart: Date | null;
  contractEnd: Date | null;
  penaltyClause: string | null;
  contactName: string | null;
  phone: string | null;
}

export interface RankedSupplier {
  supplier: SupplierRow;
  card: Scorecard;
  rank: number;
  of: number;
}

export interface Ranking {
  quarter: string;
  /** Per category, best first. */
  categories: Array<{ category: string; rows: RankedSupplier[] }>;
  /** Replacement tasks created by this ranking. */
  replacements: Array<{ supplier: SupplierRow; taskId: number; why: 'grade' | 'last' }>;
}

export const EXPIRY_NOTICE_DAYS = 30;
const DAY_MS = 86_400_000;
const REPLACEMENT_DUE_DAYS = 14;

export class SupplierService {
  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Scheduler,
    private readonly outbox: Outbox,
    private readonly pii: PiiCipher,
    private readonly meetings: MeetingService,
    private readonly tasks: TaskService,
    private readonly directory: Directory,
    private readonly locales: LocaleService,
    private readonly config: Config,
  ) {}

  /** Organizers, admins and the finance department's members keep the registry. */
  async canWrite(user: UserRecord): Promise<boolean> {
    return user.roles.includes('organizer') || user.roles.includes('admin') || this.isFinance(user);
  }

  /** A member of the finance department (its name in any language: `budget.words.finance`). */
  isFinance(user: UserRecord): boolean {
    return user.department !== null && words('budget.words.finance').some((w) => w.toLowerCase() === user.department!.toLowerCase());
  }

  /** Contracts and scores are for those who keep the registry, and executives. */
  async requireRead(user: UserRecord): Promise<void> {
    if (!(await this.canWrite(user)) && !user.roles.includes('executive')) throw new UserError('E_SUPPLIER_READ_FORBIDDEN');
  }

  async requireWrite(user: UserRecord): Promise<void> {
    if (!(await this.canWrite(user))) throw new UserError('E_SUPPLIER_FORBIDDEN');
  }

  async byName(name: string): Promise<SupplierRow | null> {
    return this.db.supplier.findUnique({ where: { name: name.trim() } });
  }

  async get(id: number): Promise<SupplierRow | null> {
    return this.db.supplier.findUnique({ where: { id } });
  }

  async require(name: string): Promise<SupplierRow> {
    const found = await this.byName(name);
    if (!found) throw new UserError('E_SUPPLIER_NOT_FOUND', { name });
    return found;
  }

  async list(): Promise<SupplierRow[]> {
    return this.db.supplier.findMany({ orderBy: { id: 'asc' } });
  }

  categories(supplier: SupplierRow): string[] {
    return JSON.parse(supplier.categories) as string[];
  }

  /** The contact phone masked (`138****5678`), as every chat message shows it. */
  maskedPhone(supplier: SupplierRow): string | null {
    return supplier.contactPhoneEnc ? maskPhone(this.pii.decrypt(supplier.contactPhoneEnc)) : null;
  }

  async register(user: UserRecord, input: NewSupplier, now: Date): Promise<SupplierRow> {
    await this.requireWrite(user);
    if (await this.byName(input.name)) throw new UserError('E_SUPPLIER_EXISTS', { name: input.name });
    const { phone, categories, ...rest } = input;
    const row = await this.db.supplier.create({
      data: { ...rest, categories: JSON.stringify(categories), contactPhoneEnc: phone ? this.pii.encrypt(phone) : null, createdBy: user.id, createdAt: now },
    });
    await this.scheduleExpiry(row, now);
    return row;
  }

  /** Changes the fields given; a new expiry date re-schedules its notice. */
  async update(supplier: SupplierRow, user: UserRecord, input: Partial<NewSupplier>, now: Date): Promise<SupplierRow> {
    await this.requireWrite(user);
    const { phone, categories, name: _name, ...rest } = input;
    const data = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    const row = await this.db.supplier.update({
      where: { id: supplier.id },
      data: { ...data, ...(categories ? { categories: JSON.stringify(categories) } : {}), ...(phone ? { contactPhoneEnc: this.pii.encrypt(phone) } : {}) },
    });
    if (input.qualificationExpiresAt !== undefined) await this.scheduleExpiry(row, now);
    return row;
  }

  // ---- qualification expiry -------------------------------------------------------------

  private async scheduleExpiry(supplier: SupplierRow, now: Date): Promise<void> {
    const expires = supplier.qualificationExpiresAt;
    if (!expires || expires.getTime() <= now.getTime()) return;
    const at = Math.max(now.getTime(), expires.getTime() - EXPIRY_NOTICE_DAYS * DAY_MS);
    await this.scheduler.at('supplier.expiry', `supplier-${supplier.id}-expiry-${expires.getTime()}`, { supplierId: supplier.id, expiresAt: expires.getTime() }, new Date(at));
  }

  /** Re-creates the notice jobs (start-up, Redis back); the job ids make this idempotent. */
  async recoverExpiry(now: Date): Promise<number> {
    // Only notices still ahead: one already due was sent (or is queued) when the date was set.
    const rows = await this.db.supplier.findMany({ where: { qualificationExpiresAt: { gt: new Date(now.getTime() + EXPIRY_NOTICE_DAYS * DAY_MS) } } });
    for (const row of rows) await this.scheduleExpiry(row, now);
    return rows.length;
  }

  /**
   * The notice: to whoever registered the supplier, and to the group of every upcoming meeting
   * with a budget line of it, each in its reader's language. Stale when the expiry date changed.
   */
  async announceExpiry(data: ScheduleJobs['supplier.expiry'], now: Date): Promise<string> {
    const supplier = await this.get(data.supplierId);
    if (!supplier?.qualificationExpiresAt || supplier.qualificationExpiresAt.getTime() !== data.expiresAt) return 'stale';
    const days = Math.max(0, Math.ceil((data.expiresAt - now.getTime()) / DAY_MS));
    const text = msg('supplier.expiryNotice', { name: supplier.name, date: supplier.qualificationExpiresAt, days });
    const lines = await this.db.budgetLine.findMany({ where: { supplierId: supplier.id }, select: { meetingId: true } });
    const meetings = await this.db.meeting.findMany({ where: { id: { in: [...new Set(lines.map((l) => l.meetingId))] }, status: 'scheduled', startAt: { gte: now } } });
    const groups = [...new Set(meetings.map((m) => m.conversationId))];
    for (const conversationId of groups) {
      const t = await this.locales.forConversation(conversationId);
      await this.outbox.enqueue({ id: `supplier-${supplier.id}-expiry-${data.expiresAt}-${conversationId}`, target: { kind: 'conversation', conversationId }, content: { type: 'text', text: t.render(text) }, priority: PRIORITY.normal });
    }
    const t = await this.locales.forUser(supplier.createdBy);
    await this.outbox.enqueue({ id: `supplier-${supplier.id}-expiry-${data.expiresAt}-owner`, target: { kind: 'user', userId: supplier.createdBy }, content: { type: 'text', text: t.render(text) }, priority: PRIORITY.normal });
    return `announced to ${groups.length + 1}`;
  }

  // ---- survey dimensions ----------------------------------------------------------------

  /** `供应商 维度 #1 餐饮 午餐满意度`: which survey dimension rates this meeting's suppliers of a category. */
  async mapDimension(meetingId: number, category: string, dimension: string): Promise<void> {
    await this.db.supplierDimension.upsert({ where: { meetingId_category: { meetingId, category } }, create: { meetingId, category, dimension }, update: { dimension } });
  }

  /** The dimension names that rate `category` in a meeting: its mapping, else the catalogue's defaults. */
  async dimensionsFor(meetingId: number, category: string): Promise<string[]> {
    const row = await this.db.supplierDimension.findUnique({ where: { meetingId_category: { meetingId, category } } });
    if (row) return [row.dimension];
    return words(`supplier.words.dimension.${category}`);
  }

  // ---- scorecards -----------------------------------------------------------------------

  /** Suppliers with something attributed to them in the quarter (incidents, tasks, lines of its meetings). */
  private async activeIn(from: Date, to: Date): Promise<Map<number, Set<number>>> {
    const meetingsOf = new Map<number, Set<number>>();
    const add = (supplierId: number | null, meetingId: number | null) => {
      if (supplierId === null) return;
      const set = meetingsOf.get(supplierId) ?? new Set<number>();
      if (meetingId !== null) set.add(meetingId);
      meetingsOf.set(supplierId, set);
    };
    const [incidents, tasks, lines] = await Promise.all([
      this.db.incident.findMany({ where: { supplierId: { not: null }, createdAt: { gte: from, lt: to } }, select: { supplierId: true, meetingId: true } }),
      this.db.task.findMany({ where: { supplierId: { not: null }, dueAt: { gte: from, lt: to } }, select: { supplierId: true, meetingId: true } }),
      this.db.budgetLine.findMany({ where: { supplierId: { not: null } }, select: { supplierId: true, meetingId: true } }),
    ]);
    for (const i of incidents) add(i.supplierId, i.meetingId);
    for (const task of tasks) add(task.supplierId, task.meetingId);
    const lineMeetings = await this.db.meeting.findMany({ where: { id: { in: [...new Set(lines.map((l) => l.meetingId))] }, startAt: { gte: from, lt: to } }, select: { id: true } });
    const inQuarter = new Set(lineMeetings.map((m) => m.id));
    for (const l of lines) if (inQuarter.has(l.meetingId)) add(l.supplierId, l.meetingId);
    return meetingsOf;
  }

  /** What the formula needs for one supplier and quarter, from Huiwu's own data. */
  async inputs(supplier: SupplierRow, meetingIds: ReadonlySet<number>, from: Date, to: Date, now: Date): Promise<ScoreInputs> {
    const incidents = await this.db.incident.findMany({ where: { supplierId: supplier.id, createdAt: { gte: from, lt: to } } });
    const tasks = await this.db.task.findMany({ where: { supplierId: supplier.id, dueAt: { gte: from, lt: to }, status: { not: 'cancelled' } } });
    const due = tasks.filter((t) => t.status === 'done' || t.dueAt < now);
    // Ratings: every answer of the mapped dimension in the surveys of its meetings.
    let sum = 0;
    let n = 0;
    const categories = this.categories(supplier);
    for (const meetingId of meetingIds) {
      const names = new Set((await Promise.all(categories.map((c) => this.dimensionsFor(meetingId, c)))).flat().map((d) => d.toLowerCase()));
      for (const survey of await this.db.survey.findMany({ where: { meetingId } })) {
        const dims = JSON.parse(survey.dimensions) as string[];
        const rows = (await this.db.surveyResponse.findMany({ where: { surveyId: survey.id } })).map((r) => ({ ratings: JSON.parse(r.ratings) as number[], comment: null, userId: null }));
        for (const d of computeResults(dims, rows, 0, 0).dimensions) {
          if (!names.has(d.name.toLowerCase())) continue;
          d.distribution.forEach((count, i) => {
            sum += count * (i + 1);
            n += count;
          });
        }
      }
    }
    const lines = await this.db.budgetLine.findMany({ where: { supplierId: supplier.id, meetingId: { in: [...meetingIds] } } });
    const expenses = await this.db.expense.findMany({ where: { lineId: { in: lines.map((l) => l.id) }, status: 'active' } });
    const none = { yes: 0, arrived: 0, meals: {}, roomsByNight: [] };
    const spent = lines.map((l: LineInput) => lineFigures(l, expenses, none)).filter((f) => f.expenses > 0);
    return {
      incidents: incidents.map((i) => ({ severity: i.severity, complaint: isComplaint(i.type), ackMinutes: i.ackedAt ? (i.ackedAt.getTime() - i.createdAt.getTime()) / 60_000 : null })),
      tasks: { due: due.length, onTime: due.filter((t) => t.status === 'done' && t.doneAt && t.doneAt <= t.dueAt).length },
      rating: n ? sum / n : null,
      cost: spent.length ? { approved: spent.reduce((s, f) => s + f.approved, 0), actual: spent.reduce((s, f) => s + f.actual, 0) } : null,
    };
  }

  async scorecard(supplier: SupplierRow, quarter: string, now: Date): Promise<Scorecard> {
    const range = this.range(quarter);
    const meetings = (await this.activeIn(range.from, range.to)).get(supplier.id) ?? new Set<number>();
    return scoreOf(await this.inputs(supplier, meetings, range.from, range.to, now));
  }

  range(quarter: string): { from: Date; to: Date } {
    const range = quarterRange(quarter, this.config.HUIWU_TIMEZONE);
    if (!range) throw new UserError('E_SUPPLIER_QUARTER', { quarter });
    return range;
  }

  currentQuarter(now: Date): string {
    return quarterOf(now, this.config.HUIWU_TIMEZONE);
  }

  /**
   * Scores every supplier active in the quarter, ranks them per category, stores the scores, and
   * creates the replacement tasks (grade D, or last of its category this quarter and the one before),
   * once per supplier and quarter. `by`: who asked (the tasks' creator), null for the quarterly job.
   */
  async rank(quarter: string, by: string | null, now: Date): Promise<Ranking> {
    const { from, to } = this.range(quarter);
    const active = await this.activeIn(from, to);
    const scored: Array<{ supplier: SupplierRow; card: Scorecard; meetings: Set<number> }> = [];
    for (const [id, meetings] of active) {
      const supplier = await this.get(id);
      if (supplier) scored.push({ supplier, card: scoreOf(await this.inputs(supplier, meetings, from, to, now)), meetings });
    }
    const categories = [...new Set(scored.flatMap((s) => this.categories(s.supplier)))].sort();
    const ranking: Ranking = { quarter, categories: [], replacements: [] };
    const lastIn = new Map<number, string[]>();
    for (const category of categories) {
      const rows = scored.filter((s) => this.categories(s.supplier).includes(category)).sort((a, b) => b.card.score - a.card.score || a.supplier.id - b.supplier.id);
      ranking.categories.push({ category, rows: rows.map((r, i) => ({ supplier: r.supplier, card: r.card, rank: i + 1, of: rows.length })) });
      if (rows.length > 1) lastIn.set(rows.at(-1)!.supplier.id, [...(lastIn.get(rows.at(-1)!.supplier.id) ?? []), category]);
    }
    const before = previousQuarter(quarter);
    for (const s of scored) {
      const last = lastIn.get(s.supplier.id) ?? [];
      const stored = await this.db.supplierScore.upsert({
        where: { supplierId_quarter: { supplierId: s.supplier.id, quarter } },
        create: { supplierId: s.supplier.id, quarter, score: s.card.score, grade: s.card.grade, parts: JSON.stringify(s.card.parts), lastIn: JSON.stringify(last), computedAt: now },
        update: { score: s.card.score, grade: s.card.grade, parts: JSON.stringify(s.card.parts), lastIn: JSON.stringify(last), computedAt: now },
      });
      const previous = await this.db.supplierScore.findUnique({ where: { supplierId_quarter: { supplierId: s.supplier.id, quarter: before } } });
      const lastTwice = last.some((c) => (previous ? (JSON.parse(previous.lastIn) as string[]) : []).includes(c));
      const why = s.card.grade === 'D' ? 'grade' : lastTwice ? 'last' : null;
      if (!why || stored.replacementTaskId !== null) continue;
      const taskId = await this.replacementTask(s.supplier, s.card, quarter, why, s.meetings, by, now);
      if (taskId !== null) ranking.replacements.push({ supplier: s.supplier, taskId, why });
    }
    return ranking;
  }

  /** A task to the organizers of the supplier's latest meeting in the quarter (first organizer assigned, the others follow). */
  private async replacementTask(supplier: SupplierRow, card: Scorecard, quarter: string, why: 'grade' | 'last', meetingIds: Set<number>, by: string | null, now: Date): Promise<number | null> {
    const meeting = (await this.db.meeting.findMany({ where: { id: { in: [...meetingIds] } }, orderBy: { startAt: 'desc' }, take: 1 }))[0];
    const organizers = meeting ? this.meetings.organizerIds(meeting) : [supplier.createdBy];
    const assigneeId = organizers[0] ?? supplier.createdBy;
    const t = await this.locales.forUser(assigneeId);
    // Claim first: a concurrent ranking of the same quarter creates no second task.
    const claimed = await this.db.supplierScore.updateMany({ where: { supplierId: supplier.id, quarter, replacementTaskId: null }, data: { replacementTaskId: 0 } });
    if (claimed.count === 0) return null;
    const task = await this.tasks.create(
      {
        title: t.t('supplier.replaceTitle', { name: supplier.name, quarter, grade: card.grade, score: card.score, why: msg(`supplier.why.${why}`) }),
        creatorId: by ?? assigneeId,
        assigneeId,
        meetingId: meeting?.id ?? null,
        conversationId: meeting?.conversationId ?? (await this.db.incident.findFirst({ where: { supplierId: supplier.id }, orderBy: { id: 'desc' } }))?.conversationId ?? '',
        priority: 'high',
        dueAt: new Date(now.getTime() + REPLACEMENT_DUE_DAYS * DAY_MS),
        checklistKey: `supplier-replace-${supplier.id}-${quarter}`,
      },
      now,
    );
    const assignee = await this.directory.user(assigneeId);
    const followers = await this.directory.usersByIds(organizers.slice(1));
    if (assignee && followers.length > 0) await this.tasks.follow(task, assignee, followers, now);
    await this.db.supplierScore.update({ where: { supplierId_quarter: { supplierId: supplier.id, quarter } }, data: { replacementTaskId: task.id } });
    return task.id;
  }

  /** The quarterly job: ranks the quarter that just ended and posts it to the groups of its meetings. */
  async quarterly(now: Date, render: (t: Translator, ranking: Ranking) => string): Promise<string> {
    const quarter = previousQuarter(this.currentQuarter(now));
    const ranking = await this.rank(quarter, null, now);
    if (ranking.categories.length === 0) return 'nothing to rank';
    const { from, to } = this.range(quarter);
    const meetings = await this.db.meeting.findMany({ where: { startAt: { gte: from, lt: to }, status: 'scheduled' }, select: { conversationId: true } });
    const groups = [...new Set(meetings.map((m) => m.conversationId))];
    for (const conversationId of groups) {
      const t = await this.locales.forConversation(conversationId);
      await this.outbox.enqueue({ id: `supplier-ranking-${quarter}-${conversationId}`, target: { kind: 'conversation', conversationId }, content: { type: 'text', text: render(t, ranking) }, priority: PRIORITY.normal });
    }
    return `posted to ${groups.length}`;
  }

  async startQuarterly(): Promise<void> {
    await this.scheduler.recurring('supplier.quarterly', 'supplier-quarterly', '0 9 1 1,4,7,10 *', this.config.HUIWU_TIMEZONE, {});
  }

  /** Stored scores of a supplier, newest quarter first. */
  async history(supplierId: number) {
    return this.db.supplierScore.findMany({ where: { supplierId }, orderBy: { quarter: 'desc' }, take: 8 });
  }
}
