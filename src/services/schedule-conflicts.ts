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
 */
import type { Logger } from 'pino';
import { conflictCard, digestText, sourceText } from '../../cards/schedule-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { jobIdPart, PRIORITY } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import { addDays, toInstant, wallClockOf } from '../time/zoned.js';
import type { CardService } from './cards.js';
import type { UserRecord } from './directory.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { inviteCardId } from './rsvp.js';
import type { Scheduler } from './scheduler.js';
import { allClashes, clashesWith, clashKey, suggest, type Clash, type ScheduleItem } from './schedule-logic.js';
import type { ScheduleService } from './schedule.js';

/** A burst of changes to one item becomes one check this long after the first. */
export const CHECK_DELAY_MS = 300;
const LIVE = ['open', 'delegated'];

export type ConflictRow = NonNullable<Awaited<ReturnType<PrismaClient['scheduleConflict']['findUnique']>>>;
export type Choice = 'keep-first' | 'keep-second' | 'assistant';

export class ConflictService {
  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Pick<Scheduler, 'coalesced' | 'recurring'>,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly schedule: ScheduleService,
    private readonly meetings: MeetingService,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

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
    const current = new Set<string>();
    for (const clash of clashes) current.add((await this.record(executiveId, clash)).key);
    const live = await this.db.scheduleConflict.findMany({ where: { executiveId, status: { in: LIVE } } });
    for (const c of live) {
      if ((c.itemA === key || c.itemB === key) && !current.has(c.key)) await this.markGone(c);
    }
    return clashes.length;
  }

  private async clashesOf(executiveId: string, item: ScheduleItem): Promise<Clash[]> {
    const buffer = this.schedule.bufferMs;
    const others = await this.schedule.itemsInWindow(executiveId, new Date(item.start.getTime() - buffer), new Date(item.end.getTime() + buffer));
    return clashesWith(item, others, buffer);
  }

  /** Stores a clash and alerts it once; returns its row. */
  private async record(executiveId: string, clash: Clash): Promise<ConflictRow> {
    const key = clashKey(executiveId, clash.a.key, clash.b.key);
    const fields = { itemA: clash.a.key, itemB: clash.b.key, kind: clash.kind, startAt: clash.a.start };
    const existing = await this.db.scheduleConflict.findUnique({ where: { key } });
    if (!existing) {
      const row = await this.db.scheduleConflict.create({ data: { key, executiveId, ...fields } });
      await this.alert(row, clash);
      return row;
    }
    if (existing.status === 'gone') {
      const row = await this.db.scheduleConflict.update({
        where: { id: existing.id },
        data: { ...fields, status: 'open', generation: existing.generation + 1, choice: null, chosenBy: null, chosenAt: null, droppedItem: null },
      });
      await this.alert(row, clash);
      return row;
    }
    if (existing.status === 'open') {
      // Same pair, details may have moved: update the open cards in place, never a new message.
      const row = await this.db.scheduleConflict.update({ where: { id: existing.id }, data: fields });
      for (const card of await this.liveCards(row)) {
        const next = await this.render(row, clash, card.recipientUserId === executiveId, card.id);
        if (JSON.stringify({ ...next, state: card.model.state }) !== JSON.stringify(card.model)) {
          await this.cards.update(card.id, () => ({ ...next, ...(card.model.state ? { state: card.model.state } : {}) }), PRIORITY.interactive);
        }
      }
      return row;
    }
    return existing;
  }

  private cardId(row: ConflictRow, userId: string): string {
    return `sconf-${row.id}-g${row.generation}-${jobIdPart(userId)}`;
  }

  private async liveCards(row: ConflictRow) {
    const prefix = `sconf-${row.id}-g${row.generation}-`;
    return (await this.cards.byRef('schedule-conflict', String(row.id))).filter((c) => c.id.startsWith(prefix));
  }

  private async render(row: ConflictRow, clash: Clash, forExecutive: boolean, cardId: string) {
    return conflictCard({
      cardId,
      conflictId: row.id,
      executiveName: await this.schedule.name(row.executiveId),
      clash,
      suggestion: suggest(clash),
      time: (i) => this.timeText(i),
      bufferMinutes: Math.round(this.schedule.bufferMs / 60_000),
      forExecutive,
    });
  }

  /** DM cards to the executive and each assistant; ids derive from the conflict and its generation. */
  private async alert(row: ConflictRow, clash: Clash): Promise<void> {
    const recipients = [row.executiveId, ...(await this.schedule.assistantsOf(row.executiveId))];
    const items = [];
    for (const userId of recipients) {
      const cardId = this.cardId(row, userId);
      items.push({
        card: await this.render(row, clash, userId === row.executiveId, cardId),
        options: { kind: 'schedule-conflict', refId: String(row.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.urgent },
      });
    }
    await this.cards.sendMany(items);
    this.log.info({ conflict: row.key, kind: row.kind }, 'schedule conflict alerted');
  }

  private async markGone(row: ConflictRow): Promise<void> {
    const updated = await this.db.scheduleConflict.updateMany({ where: { id: row.id, status: { in: LIVE } }, data: { status: 'gone' } });
    if (updated.count === 0) return;
    for (const card of await this.liveCards(row)) {
      if (card.model.state?.closed) continue;
      await this.cards.update(card.id, (c) => ({ ...c, state: { status: 'gone', label: '✅ 冲突已消除（日程已变更）', closed: true } }), PRIORITY.interactive);
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

  /** Records `user`'s choice on conflict `id` and carries it out; returns what to tell them. */
  async choose(id: number, choice: Choice, user: UserRecord, now: Date): Promise<string> {
    const row = await this.get(id);
    if (!row) throw new UserError(`日程冲突 #${id} 不存在`);
    if (!(await this.schedule.mayManage(user, row.executiveId))) throw new UserError(`只有本人或其助理可以处理日程冲突 #${id}`);
    if (row.status === 'gone') throw new UserError(`日程冲突 #${id} 已消除，无需处理`);
    if (row.status === 'resolved') throw new UserError(`日程冲突 #${id} 已处理`);
    const execName = await this.schedule.name(row.executiveId);
    const stamp = formatDateTime(now, this.config.HUIWU_TIMEZONE);
    if (choice === 'assistant') return this.delegate(row, user, execName, stamp, now);

    const [first, second] = await Promise.all([this.describe(row.executiveId, row.itemA), this.describe(row.executiveId, row.itemB)]);
    const [kept, dropped] = choice === 'keep-first' ? [first, second] : [second, first];
    const claimed = await this.db.scheduleConflict.updateMany({
      where: { id: row.id, status: { in: LIVE } },
      data: { status: 'resolved', choice, chosenBy: user.id, chosenAt: now, droppedItem: dropped.key },
    });
    if (claimed.count === 0) throw new UserError(`日程冲突 #${id} 已处理`);
    const label = `✅ 已选择保留${choice === 'keep-first' ? '前者' : '后者'}「${kept.title}」，放弃「${dropped.title}」（${user.name} ${stamp}）`;
    for (const card of await this.liveCards(row)) {
      await this.cards.update(card.id, (c) => ({ ...c, state: { status: choice, label, closed: true } }), PRIORITY.interactive);
    }
    const note = await this.drop(row, dropped, kept, user, execName, stamp, now);
    await this.enqueue(row.executiveId, dropped.key);
    return `已记录：保留「${kept.title}」，放弃「${dropped.title}」。${note}`;
  }

  private async delegate(row: ConflictRow, user: UserRecord, execName: string, stamp: string, now: Date): Promise<string> {
    if (row.status === 'delegated') throw new UserError(`日程冲突 #${row.id} 已交给助理协调`);
    const assistants = await this.schedule.assistantsOf(row.executiveId);
    if (assistants.length === 0) throw new UserError(`${execName}还没有助理，请组织者设置：日程 助理 @${execName} @助理`);
    await this.db.scheduleConflict.update({ where: { id: row.id }, data: { status: 'delegated', choice: 'assistant', chosenBy: user.id, chosenAt: now } });
    for (const card of await this.liveCards(row)) {
      const own = card.recipientUserId === row.executiveId;
      const state = own
        ? { status: 'delegated', label: `🤝 已请助理协调（${user.name} ${stamp}）`, closed: true }
        : { status: 'delegated', label: `🤝 ${execName}请您协调：请选择保留前者或后者（${stamp}）` };
      await this.cards.update(card.id, (c) => ({ ...c, state }), PRIORITY.urgent);
    }
    const names = (await Promise.all(assistants.map((a) => this.schedule.name(a)))).join('、');
    return `已请助理（${names}）协调。`;
  }

  /** Takes the dropped item off the schedule and tells its organizers. */
  private async drop(row: ConflictRow, dropped: ScheduleItem, kept: ScheduleItem, user: UserRecord, execName: string, stamp: string, now: Date): Promise<string> {
    const base = `sconf-${row.id}-g${row.generation}`;
    if (dropped.source === 'busy') return `「${dropped.title}」来自平台日历，请在日历中自行调整。`;
    if (dropped.source === 'entry') {
      const entryId = Number(dropped.key.slice(1));
      const entry = await this.schedule.entry(entryId);
      await this.schedule.dropEntry(entryId);
      if (entry && entry.createdBy !== user.id) {
        await this.tell([entry.createdBy], base, `📅 ${execName}的日程 #${entryId}「${entry.title}」因与「${kept.title}」冲突已放弃（${user.name} ${stamp} 选择）。`);
      }
      return `日程 #${entryId} 已标记为放弃。`;
    }
    const meetingId = Number(dropped.key.slice(1));
    const meeting = await this.meetings.get(meetingId);
    if (!meeting) return '';
    const attendee = await this.db.attendee.findUnique({ where: { meetingId_userId: { meetingId, userId: row.executiveId } } });
    if (attendee) {
      await this.db.attendee.update({ where: { id: attendee.id }, data: { response: 'no', respondedAt: now, note: `日程冲突，保留「${kept.title}」` } });
      const cardId = inviteCardId(meetingId, attendee.id);
      if (await this.cards.get(cardId)) {
        await this.cards.update(cardId, (c) => ({ ...c, state: { status: 'answered-no', label: `已回复：不参加（日程冲突，${user.name} ${stamp} 选择）` } }), PRIORITY.interactive);
      }
    } else {
      // An organizer hosting it: recorded as a declining attendee so the counts and the schedule agree.
      await this.db.attendee.create({
        data: { meetingId, userId: row.executiveId, name: execName, role: 'host', response: 'no', respondedAt: now, invitedBy: user.id, note: `日程冲突，保留「${kept.title}」` },
      });
    }
    await this.meetings.refreshStatusSoon(meetingId);
    const organizers = this.meetings.organizerIds(meeting).filter((o) => o !== row.executiveId);
    await this.tell(
      organizers,
      base,
      `📅 ${execName}因日程冲突将不参加会议 #${meetingId}「${meeting.title}」（${this.meetings.timeText(meeting)}），改为「${kept.title}」（${user.name} ${stamp} 选择）。`,
    );
    return `已将${execName}标记为不参加会议 #${meetingId}，并通知了组织者。`;
  }

  private async tell(userIds: readonly string[], base: string, text: string): Promise<void> {
    await this.outbox.enqueueMany(
      userIds.map((u) => ({ id: `${base}-drop-${jobIdPart(u)}`, target: { kind: 'user' as const, userId: u }, content: { type: 'text' as const, text }, priority: PRIORITY.urgent })),
    );
  }

  /** The item as it is now; for a calendar slot (or an item since removed), what its key says. */
  private async describe(executiveId: string, key: string): Promise<ScheduleItem> {
    const item = await this.schedule.item(executiveId, key);
    if (item) return item;
    const m = /^b(\d+)-(\d+)$/.exec(key);
    const start = new Date(m ? Number(m[1]) : 0);
    const end = new Date(m ? Number(m[2]) : 0);
    const found = m ? (await this.schedule.itemsInWindow(executiveId, start, end)).find((i) => i.key === key) : undefined;
    return found ?? { key, source: key.startsWith('m') ? 'meeting' : key.startsWith('e') ? 'entry' : 'busy', title: key.startsWith('b') ? '日历忙碌' : key, start, end, venue: null, role: null, importance: null };
  }

  timeText(item: Pick<ScheduleItem, 'start' | 'end'>): string {
    return this.meetings.timeText({ startAt: item.start, endAt: item.end });
  }

  // ---- morning digest -----------------------------------------------------------------------

  /** The daily job scheduler at HUIWU_DIGEST_TIME in the configured zone (idempotent). */
  async startDigest(): Promise<void> {
    const [h, m] = this.config.HUIWU_DIGEST_TIME.split(':').map(Number);
    await this.scheduler.recurring('schedule.digest', 'schedule-digest', `${m} ${h} * * *`, this.config.HUIWU_TIMEZONE, { kind: 'daily' });
  }

  /** Each executive's day (the day of `now` in the zone), conflicts first, to them and their assistants. */
  async digest(now: Date): Promise<number> {
    const zone = this.config.HUIWU_TIMEZONE;
    const today = wallClockOf(now, zone);
    const from = toInstant(today, 0, 0, zone);
    const to = toInstant(addDays(today, 1), 0, 0, zone);
    const dateLabel = formatDateTime(from, zone).slice(0, 10);
    let sent = 0;
    for (const executiveId of await this.schedule.executiveIds()) {
      const items = await this.schedule.itemsInWindow(executiveId, from, to);
      if (items.length === 0) continue;
      const clashes = allClashes(items, this.schedule.bufferMs);
      // New clashes (say, a calendar slot added on the platform) are alerted like any other.
      for (const clash of clashes) await this.record(executiveId, clash);
      const text = digestText({
        executiveName: await this.schedule.name(executiveId),
        dateLabel,
        items,
        clashes,
        time: (i) => this.timeText(i),
        bufferMinutes: Math.round(this.schedule.bufferMs / 60_000),
      });
      const recipients = [executiveId, ...(await this.schedule.assistantsOf(executiveId))];
      await this.outbox.enqueueMany(
        recipients.map((r) => ({ id: `digest-${jobIdPart(executiveId)}-${dateLabel}-${jobIdPart(r)}`, target: { kind: 'user' as const, userId: r }, content: { type: 'text' as const, text }, priority: PRIORITY.normal })),
      );
      sent++;
    }
    return sent;
  }

  /** For replies and lists: `会议 #12「A」↔ 日程 #5「B」`. */
  pairText(clash: Clash): string {
    return `${sourceText(clash.a)}「${clash.a.title}」（${this.timeText(clash.a)}）↔ ${sourceText(clash.b)}「${clash.b.title}」（${this.timeText(clash.b)}）`;
  }
}

