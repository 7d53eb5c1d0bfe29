/**
 * The recorded choice on a schedule conflict (保留前者 / 保留后者 / 请助理协调): who chose and when,
 * the conflict's cards closed, and the dropped item carried out — a meeting marks the executive
 * 不参加 and tells its other organizers, an entry is marked dropped and its creator told.
 * Detection and alerting stay in `schedule-conflicts.ts`.
 */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { jobIdPart, PRIORITY } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { UserRecord } from './directory.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { inviteCardId } from './rsvp.js';
import type { ConflictRow } from './schedule-conflicts.js';
import type { ScheduleItem } from './schedule-logic.js';
import type { ScheduleService } from './schedule.js';

export type Choice = 'keep-first' | 'keep-second' | 'assistant';

const LIVE = ['open', 'delegated'];

/** What the choice needs from the conflict service: the row, its current cards, a re-check. */
export interface ChoiceHost {
  get(id: number): Promise<ConflictRow | null>;
  liveCards(row: ConflictRow): ReturnType<CardService['byRef']>;
  enqueue(executiveId: string, item: string): Promise<void>;
}

export class ConflictChoice {
  constructor(
    private readonly db: PrismaClient,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly schedule: ScheduleService,
    private readonly meetings: MeetingService,
    private readonly config: Config,
    private readonly host: ChoiceHost,
  ) {}

  /** Records `user`'s choice on conflict `id` and carries it out; returns what to tell them. */
  async choose(id: number, choice: Choice, user: UserRecord, now: Date): Promise<string> {
    const row = await this.host.get(id);
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
    for (const card of await this.host.liveCards(row)) {
      await this.cards.update(card.id, (c) => ({ ...c, state: { status: choice, label, closed: true } }), PRIORITY.interactive);
    }
    const note = await this.drop(row, dropped, kept, user, execName, stamp, now);
    await this.host.enqueue(row.executiveId, dropped.key);
    return `已记录：保留「${kept.title}」，放弃「${dropped.title}」。${note}`;
  }

  private async delegate(row: ConflictRow, user: UserRecord, execName: string, stamp: string, now: Date): Promise<string> {
    if (row.status === 'delegated') throw new UserError(`日程冲突 #${row.id} 已交给助理协调`);
    const assistants = await this.schedule.assistantsOf(row.executiveId);
    if (assistants.length === 0) throw new UserError(`${execName}还没有助理，请组织者设置：日程 助理 @${execName} @助理`);
    await this.db.scheduleConflict.update({ where: { id: row.id }, data: { status: 'delegated', choice: 'assistant', chosenBy: user.id, chosenAt: now } });
    for (const card of await this.host.liveCards(row)) {
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
}
