/**
 * Schedule conflicts of executives: detection after every change, one alert per clash, the
 * recorded choice, and the morning digest.
 *
 * Flow: a change (meeting created/moved/cancelled, executive invited or answering, entry added)
 * queues a coalesced `schedule.check` job per executive and item; the job reads the latest state,
 * so a clash that appeared and went away within the coalescing delay is never alerted. A clash is
 * a `ScheduleConflict` row keyed by the executive and the item pair: a re-check of the same pair
 * sends nothing (an open alert is updated in place when its details changed); a clash that went
 * away is marked `gone` and its cards closed; one that comes back later is a new alert (the next
 * generation, with new card ids).
 * The recorded choice is in `schedule-choice.ts`, the morning digest in `schedule-digest.ts`.
 */
import type { Logger } from 'pino';
import { conflictCard, pairText } from '../../cards/schedule-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { dateFromSqlite, type RawDates, sqliteDate, sqliteDirect } from '../db/sqlite-direct.js';
import type { Translator } from '../i18n/translator.js';
import { jobIdPart, PRIORITY } from '../queue/queues.js';
import type { CardService } from './cards.js';
import type { DomainEvents } from './events.js';
import type { UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { ConflictChoice, type Choice } from './schedule-choice.js';
import { ScheduleDigest } from './schedule-digest.js';
import type { Scheduler } from './scheduler.js';
import { clashesWith, clashKey, suggest, type Clash, type ScheduleItem } from './schedule-logic.js';
import type { ConflictRow, ScheduleService } from './schedule.js';

declare module './services.js' {
  interface Services {
    conflicts: ConflictService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Re-check an executive's schedule around one item (`m12`, `e5`): alert new clashes, close gone ones. */
    'schedule.check': { executiveId: string; item: string };
    /** The executives' morning digest (a job scheduler at HUIWU_DIGEST_TIME). */
    'schedule.digest': { kind: 'daily' };
  }
}

export type { Choice } from './schedule-choice.js';
export type { ConflictRow } from './schedule.js';

/** A burst of changes to one item becomes one check this long after the first. */
export const CHECK_DELAY_MS = 300;
const LIVE = ['open', 'delegated'];

const conflictRow = (r: RawDates<ConflictRow>): ConflictRow => ({
  ...r,
  startAt: dateFromSqlite(r.startAt),
  chosenAt: r.chosenAt === null ? null : dateFromSqlite(r.chosenAt),
  createdAt: dateFromSqlite(r.createdAt),
  updatedAt: dateFromSqlite(r.updatedAt),
});

export class ConflictService {
  private readonly choice: ConflictChoice;
  private readonly digester: ScheduleDigest;

  constructor(
    private readonly db: PrismaClient,
    events: Pick<DomainEvents, 'on'>,
    private readonly scheduler: Pick<Scheduler, 'coalesced' | 'recurring'>,
    private readonly cards: CardService,
    outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly schedule: ScheduleService,
    private readonly meetings: MeetingService,
    config: Config,
    private readonly log: Logger,
  ) {
    events.on('meeting.schedule-changed', ({ meetingId }) => this.meetingChanged(meetingId));
    events.on('meeting.attendees-changed', ({ meetingId, userIds }) => this.attendeesChanged(meetingId, userIds));
    this.choice = new ConflictChoice(db, cards, outbox, locales, schedule, meetings, config, {
      get: (id) => this.get(id),
      liveCards: (row) => this.liveCards(row),
      enqueue: (executiveId, item) => this.enqueue(executiveId, item),
    });
    this.digester = new ScheduleDigest(scheduler, outbox, locales, schedule, config, {
      record: (executiveId, clashes) => this.record(executiveId, clashes),
      timeText: (item) => this.timeText(item),
    });
  }

  // ---- triggers (cheap: they only queue checks) -------------------------------------------

  async enqueue(executiveId: string, item: string): Promise<void> {
    await this.scheduler.coalesced('schedule.check', `schedck-${jobIdPart(executiveId)}-${item}`, { executiveId, item }, CHECK_DELAY_MS);
  }

  /** A meeting was created, moved, re-venued or cancelled: check it for every executive in it or alerted about it. */
  async meetingChanged(meetingId: number): Promise<void> {
    const executives = await this.schedule.executiveIds();
    if (executives.length === 0) return;
    const meeting = await this.db.meeting.findUnique({ where: { id: meetingId }, select: { organizerIds: true } });
    const involved = new Set((JSON.parse(meeting?.organizerIds ?? '[]') as string[]).filter((id) => executives.includes(id)));
    const attendees = await this.db.attendee.findMany({ where: { meetingId, userId: { in: executives } }, select: { userId: true } });
    for (const a of attendees) involved.add(a.userId!);
    const key = `m${meetingId}`;
    const alerted = await this.db.scheduleConflict.findMany({ where: { executiveId: { in: executives }, status: { in: LIVE } }, select: { executiveId: true, itemA: true, itemB: true } });
    for (const c of alerted) if (c.itemA === key || c.itemB === key) involved.add(c.executiveId);
    for (const id of involved) await this.enqueue(id, key);
  }

  /** People were invited to a meeting or answered: check it for the executives among them. */
  async attendeesChanged(meetingId: number, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const executives = await this.db.user.findMany({ where: { id: { in: [...userIds] }, roles: { contains: '"executive"' } }, select: { id: true } });
    for (const e of executives) await this.enqueue(e.id, `m${meetingId}`);
  }

  // ---- detection ----------------------------------------------------------------------------

  /** The clashes `item` would have now, without recording or alerting (for command replies). */
  async preview(executiveId: string, key: string): Promise<Clash[]> {
    const item = await this.schedule.item(executiveId, key);
    return item ? this.clashesOf(executiveId, item) : [];
  }

  /**
   * Re-checks `executiveId`'s schedule around one item: alerts every new clash, updates open
   * alerts, closes alerts of clashes that went away. Returns the number of current clashes.
   */
  async check(executiveId: string, key: string): Promise<number> {
    const item = await this.schedule.item(executiveId, key);
    const clashes = item ? await this.clashesOf(executiveId, item) : [];
    // One read for both: the rows of the clashes found now, and the live alerts about this item.
    const keys = clashes.map((c) => clashKey(executiveId, c.a.key, c.b.key));
    const rows = await this.rowsAbout(executiveId, keys, key);
    const current = new Set((await this.recordAll(executiveId, clashes, rows)).map((r) => r.key));
    for (const c of rows) {
      if (LIVE.includes(c.status) && (c.itemA === key || c.itemB === key) && !current.has(c.key)) await this.markGone(c);
    }
    return clashes.length;
  }

  private async clashesOf(executiveId: string, item: ScheduleItem): Promise<Clash[]> {
    const buffer = this.schedule.bufferMs;
    const others = await this.schedule.itemsInWindow(executiveId, new Date(item.start.getTime() - buffer), new Date(item.end.getTime() + buffer));
    return clashesWith(item, others, buffer);
  }

  /** Stores clashes of one executive and alerts each new one once; returns their rows (in order). */
  private async record(executiveId: string, clashes: readonly Clash[]): Promise<ConflictRow[]> {
    if (clashes.length === 0) return [];
    const keys = clashes.map((c) => clashKey(executiveId, c.a.key, c.b.key));
    return this.recordAll(executiveId, clashes, await this.db.scheduleConflict.findMany({ where: { key: { in: keys } } }));
  }

  /**
   * `record` with the rows already read (`known` may hold other rows too). New clashes are created
   * in one statement and alerted in one batch of cards: a change that clashes with three items
   * costs about what one clash does.
   */
  private async recordAll(executiveId: string, clashes: readonly Clash[], known: readonly ConflictRow[]): Promise<ConflictRow[]> {
    const byKey = new Map(known.map((r) => [r.key, r]));
    const result = new Map<string, ConflictRow>();
    const alerts: Array<{ row: ConflictRow; clash: Clash }> = [];
    const fresh: Array<{ key: string; clash: Clash }> = [];
    for (const clash of clashes) {
      const key = clashKey(executiveId, clash.a.key, clash.b.key);
      const fields = { itemA: clash.a.key, itemB: clash.b.key, kind: clash.kind, startAt: clash.a.start };
      const existing = byKey.get(key);
      if (!existing) {
        if (!fresh.some((f) => f.key === key)) fresh.push({ key, clash });
      } else if (existing.status === 'gone') {
        const row = await this.db.scheduleConflict.update({
          where: { id: existing.id },
          data: { ...fields, status: 'open', generation: existing.generation + 1, choice: null, chosenBy: null, chosenAt: null, droppedItem: null },
        });
        alerts.push({ row, clash });
        result.set(key, row);
      } else if (existing.status === 'open') {
        result.set(key, await this.updateOpen(existing, fields, clash));
      } else {
        result.set(key, existing);
      }
    }
    if (fresh.length > 0) {
      const created = await this.create(fresh.map(({ key, clash }) => ({ key, executiveId, itemA: clash.a.key, itemB: clash.b.key, kind: clash.kind, startAt: clash.a.start })));
      const createdByKey = new Map(created.map((r) => [r.key, r]));
      for (const { key, clash } of fresh) {
        const row = createdByKey.get(key)!;
        alerts.push({ row, clash });
        result.set(key, row);
      }
    }
    await this.alert(executiveId, alerts);
    return clashes.map((c) => result.get(clashKey(executiveId, c.a.key, c.b.key))!);
  }

  /**
   * The conflicts of `executiveId` with one of `keys`, and the live ones about `item`. This and
   * `create` run directly on SQLite: with the window query they are the statements of every
   * check, and through Prisma they were most of its time (`npm run bench -- --only conflicts`).
   */
  private async rowsAbout(executiveId: string, keys: readonly string[], item: string): Promise<ConflictRow[]> {
    const direct = sqliteDirect(this.db);
    if (!direct) return this.db.scheduleConflict.findMany({ where: { executiveId, OR: [{ key: { in: [...keys] } }, { status: { in: LIVE }, OR: [{ itemA: item }, { itemB: item }] }] } });
    return direct
      .all<RawDates<ConflictRow>>(
        `SELECT * FROM "ScheduleConflict" WHERE "executiveId" = ?
           AND ("key" IN (SELECT "value" FROM json_each(?)) OR ("status" IN (SELECT "value" FROM json_each(?)) AND ("itemA" = ? OR "itemB" = ?)))`,
        executiveId, JSON.stringify(keys), JSON.stringify(LIVE), item, item,
      )
      .map(conflictRow);
  }

  /** New open conflicts, in one transaction; their rows in the same order. */
  private async create(rows: ReadonlyArray<Pick<ConflictRow, 'key' | 'executiveId' | 'itemA' | 'itemB' | 'kind' | 'startAt'>>): Promise<ConflictRow[]> {
    const direct = sqliteDirect(this.db);
    if (!direct) return this.db.scheduleConflict.createManyAndReturn({ data: [...rows] });
    const now = sqliteDate(new Date());
    return direct.atomically(rows.length, () =>
      rows.map((r) =>
        conflictRow(
          direct.get<RawDates<ConflictRow>>(
            `INSERT INTO "ScheduleConflict" ("key", "executiveId", "itemA", "itemB", "kind", "status", "generation", "startAt", "createdAt", "updatedAt")
             VALUES (?, ?, ?, ?, ?, 'open', 1, ?, ?, ?) RETURNING *`,
            r.key, r.executiveId, r.itemA, r.itemB, r.kind, sqliteDate(r.startAt), now, now,
          )!,
        ),
      ),
    );
  }

  /** Same pair, details may have moved: update the open cards in place, never a new message. */
  private async updateOpen(existing: ConflictRow, fields: Pick<ConflictRow, 'itemA' | 'itemB' | 'kind' | 'startAt'>, clash: Clash): Promise<ConflictRow> {
    const same = existing.itemA === fields.itemA && existing.itemB === fields.itemB && existing.kind === fields.kind && existing.startAt.getTime() === fields.startAt.getTime();
    const row = same ? existing : await this.db.scheduleConflict.update({ where: { id: existing.id }, data: fields });
    const executiveName = await this.schedule.name(row.executiveId);
    for (const card of await this.liveCards(row)) {
      const t = await this.locales.forUser(card.recipientUserId ?? row.executiveId);
      const next = this.render(t, row, executiveName, clash, card.recipientUserId === row.executiveId, card.id);
      if (JSON.stringify({ ...next, state: card.model.state }) !== JSON.stringify(card.model)) {
        await this.cards.update(card.id, () => ({ ...next, ...(card.model.state ? { state: card.model.state } : {}) }), PRIORITY.interactive);
      }
    }
    return row;
  }

  private cardId(row: ConflictRow, userId: string): string {
    return `sconf-${row.id}-g${row.generation}-${jobIdPart(userId)}`;
  }

  private async liveCards(row: ConflictRow) {
    const prefix = `sconf-${row.id}-g${row.generation}-`;
    return (await this.cards.byRef('schedule-conflict', String(row.id))).filter((c) => c.id.startsWith(prefix));
  }

  private render(t: Translator, row: ConflictRow, executiveName: string, clash: Clash, forExecutive: boolean, cardId: string) {
    return conflictCard(t, {
      cardId,
      conflictId: row.id,
      executiveName,
      clash,
      suggestion: suggest(clash),
      time: (i) => this.timeText(i),
      bufferMinutes: Math.round(this.schedule.bufferMs / 60_000),
      forExecutive,
    });
  }

  /** DM cards to the executive and each assistant, all alerts in one batch; ids derive from the conflict and its generation. */
  private async alert(executiveId: string, alerts: ReadonlyArray<{ row: ConflictRow; clash: Clash }>): Promise<void> {
    if (alerts.length === 0) return;
    const recipients = [executiveId, ...(await this.schedule.assistantsOf(executiveId))];
    const translators = await this.locales.forUsers(recipients);
    const executiveName = await this.schedule.name(executiveId);
    await this.cards.sendMany(
      alerts.flatMap(({ row, clash }) =>
        recipients.map((userId) => ({
          card: this.render(translators.get(userId)!, row, executiveName, clash, userId === executiveId, this.cardId(row, userId)),
          options: { kind: 'schedule-conflict', refId: String(row.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.urgent },
        })),
      ),
    );
    for (const { row } of alerts) this.log.info({ conflict: row.key, kind: row.kind }, 'schedule conflict alerted');
  }

  private async markGone(row: ConflictRow): Promise<void> {
    const updated = await this.db.scheduleConflict.updateMany({ where: { id: row.id, status: { in: LIVE } }, data: { status: 'gone' } });
    if (updated.count === 0) return;
    for (const card of await this.liveCards(row)) {
      if (card.model.state?.closed) continue;
      await this.cards.update(card.id, (c, t) => ({ ...c, state: { status: 'gone', label: t.t('schedule.card.stateGone'), closed: true } }), PRIORITY.interactive);
    }
  }

  // ---- the choice ---------------------------------------------------------------------------

  /** Open and delegated conflicts of an executive, soonest first. */
  async live(executiveId: string): Promise<ConflictRow[]> {
    return this.db.scheduleConflict.findMany({ where: { executiveId, status: { in: LIVE } }, orderBy: { startAt: 'asc' } });
  }

  async get(id: number): Promise<ConflictRow | null> {
    return this.db.scheduleConflict.findUnique({ where: { id } });
  }

  /** Records `user`'s choice on conflict `id` and carries it out; returns what to tell them, in `t`. */
  choose(id: number, choice: Choice, user: UserRecord, now: Date, t: Translator): Promise<string> {
    return this.choice.choose(id, choice, user, now, t);
  }

  timeText(item: Pick<ScheduleItem, 'start' | 'end'>): string {
    return this.meetings.timeText({ startAt: item.start, endAt: item.end });
  }

  // ---- morning digest (schedule-digest.ts) -------------------------------------------------

  /** The daily job scheduler at HUIWU_DIGEST_TIME in the configured zone (idempotent). */
  startDigest(): Promise<void> {
    return this.digester.start();
  }

  /** Each executive's day (the day of `now` in the zone), conflicts first, to them and their assistants. */
  digest(now: Date): Promise<number> {
    return this.digester.send(now);
  }

  /** For replies and lists: `会议 #12「A」（time）↔ 日程 #5「B」（time）`. */
  pairText(t: Translator, clash: Clash): string {
    return pairText(t, clash, (i) => this.timeText(i));
  }
}
