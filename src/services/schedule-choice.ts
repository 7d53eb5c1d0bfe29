/**
 * The recorded choice on a schedule conflict (保留前者 / 保留后者 / 请助理协调): who chose and when,
 * the conflict's cards closed, and the dropped item carried out — a meeting marks the executive
 * 不参加 and tells its other organizers, an entry is marked dropped and its creator told.
 * Detection and alerting stay in `schedule-conflicts.ts`.
 */
import { itemLine, itemTitle } from '../../cards/schedule-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { type Msg, type Translator, msg } from '../i18n/translator.js';
import { jobIdPart, PRIORITY } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import { inviteCardId } from './rsvp.js';
import type { ScheduleItem } from './schedule-logic.js';
import type { ConflictRow, ScheduleService } from './schedule.js';

export type Choice = 'keep-first' | 'keep-second' | 'assistant';

const LIVE = ['open', 'delegated'];

/** What the choice needs from the conflict service: the row, its current cards, a re-check. */
export interface ChoiceHost {
  get(id: number): Promise<ConflictRow | null>;
  liveCards(row: ConflictRow): ReturnType<CardService['byRef']>;
  enqueue(executiveId: string, item: string): Promise<void>;
}

/** Who chose and when, as every message about the choice shows it. */
interface Chooser {
  user: UserRecord;
  execName: string;
  stamp: string;
  now: Date;
}

export class ConflictChoice {
  constructor(
    private readonly db: PrismaClient,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly schedule: ScheduleService,
    private readonly meetings: MeetingService,
    private readonly config: Config,
    private readonly host: ChoiceHost,
  ) {}

  /** Records `user`'s choice on conflict `id` and carries it out; returns what to tell them, in `t`. */
  async choose(id: number, choice: Choice, user: UserRecord, now: Date, t: Translator): Promise<string> {
    const row = await this.host.get(id);
    if (!row) throw new UserError('E_SCHEDULE_CONFLICT_NOT_FOUND', { id });
    if (!(await this.schedule.mayManage(user, row.executiveId))) throw new UserError('E_SCHEDULE_CONFLICT_NOT_YOURS', { id });
    if (row.status === 'gone') throw new UserError('E_SCHEDULE_CONFLICT_GONE', { id });
    if (row.status === 'resolved') throw new UserError('E_SCHEDULE_CONFLICT_RESOLVED', { id });
    const who: Chooser = { user, execName: await this.schedule.name(row.executiveId), stamp: formatDateTime(now, this.config.HUIWU_TIMEZONE), now };
    if (choice === 'assistant') return this.delegate(row, who, t);

    const [first, second] = await Promise.all([this.describe(row.executiveId, row.itemA), this.describe(row.executiveId, row.itemB)]);
    const [kept, dropped] = choice === 'keep-first' ? [first, second] : [second, first];
    const claimed = await this.db.scheduleConflict.updateMany({
      where: { id: row.id, status: { in: LIVE } },
      data: { status: 'resolved', choice, chosenBy: user.id, chosenAt: now, droppedItem: dropped.key },
    });
    if (claimed.count === 0) throw new UserError('E_SCHEDULE_CONFLICT_RESOLVED', { id });
    for (const card of await this.host.liveCards(row)) {
      await this.cards.update(
        card.id,
        (c, ct) => {
          const side = ct.t(choice === 'keep-first' ? 'schedule.first' : 'schedule.second');
          const label = ct.t('schedule.card.stateChosen', { side, kept: itemTitle(ct, kept), dropped: itemTitle(ct, dropped), who: user.name, at: who.stamp });
          return { ...c, state: { status: choice, label, closed: true } };
        },
        PRIORITY.interactive,
      );
    }
    const note = await this.drop(row, dropped, kept, who);
    await this.host.enqueue(row.executiveId, dropped.key);
    return t.t('schedule.choice.recorded', { kept: itemTitle(t, kept), dropped: itemTitle(t, dropped), note });
  }

  private async delegate(row: ConflictRow, who: Chooser, t: Translator): Promise<string> {
    if (row.status === 'delegated') throw new UserError('E_SCHEDULE_CONFLICT_DELEGATED', { id: row.id });
    const assistants = await this.schedule.assistantsOf(row.executiveId);
    if (assistants.length === 0) throw new UserError('E_SCHEDULE_NO_ASSISTANT', { name: who.execName });
    await this.db.scheduleConflict.update({ where: { id: row.id }, data: { status: 'delegated', choice: 'assistant', chosenBy: who.user.id, chosenAt: who.now } });
    for (const card of await this.host.liveCards(row)) {
      const own = card.recipientUserId === row.executiveId;
      await this.cards.update(
        card.id,
        (c, ct) => ({
          ...c,
          state: own
            ? { status: 'delegated', label: ct.t('schedule.card.stateDelegated', { who: who.user.name, at: who.stamp }), closed: true }
            : { status: 'delegated', label: ct.t('schedule.card.stateAskAssistant', { name: who.execName, at: who.stamp }) },
        }),
        PRIORITY.urgent,
      );
    }
    // The card's new state alone is easy to miss: ask each assistant in a message of its own.
    const [first, second] = await Promise.all([this.describe(row.executiveId, row.itemA), this.describe(row.executiveId, row.itemB)]);
    const time = (i: ScheduleItem) => this.meetings.timeText({ startAt: i.start, endAt: i.end });
    await this.tell(assistants, `sconf-${row.id}-g${row.generation}-delegate`, (at) =>
      at.t('schedule.choice.askAssistant', { name: who.execName, id: row.id, first: itemLine(at, first, time), second: itemLine(at, second, time) }),
    );
    const names = await Promise.all(assistants.map((a) => this.schedule.name(a)));
    return t.t('schedule.choice.delegated', { names: t.list(names) });
  }

  /** Takes the dropped item off the schedule and tells its organizers; returns the note for the chooser. */
  private async drop(row: ConflictRow, dropped: ScheduleItem, kept: ScheduleItem, who: Chooser): Promise<Msg | string> {
    const noticeKey = `sconf-${row.id}-g${row.generation}-drop`;
    const { user, execName, stamp, now } = who;
    if (dropped.source === 'busy') return msg('schedule.choice.busyNote', { title: dropped.title || msg('schedule.busyTitle') });
    if (dropped.source === 'entry') {
      const entryId = Number(dropped.key.slice(1));
      const entry = await this.schedule.entry(entryId);
      await this.schedule.dropEntry(entryId);
      if (entry && entry.createdBy !== user.id) {
        await this.tell([entry.createdBy], noticeKey, (t) =>
          t.t('schedule.choice.entryDropped', { name: execName, id: entryId, title: entry.title, kept: itemTitle(t, kept), who: user.name, at: stamp }),
        );
      }
      return msg('schedule.choice.entryNote', { id: entryId });
    }
    const meetingId = Number(dropped.key.slice(1));
    const meeting = await this.meetings.get(meetingId);
    if (!meeting) return '';
    // The note stays on the attendee row, read by the organizers in the meeting's group.
    const groupT = await this.locales.forConversation(meeting.conversationId);
    const note = groupT.t('schedule.choice.attendeeNote', { kept: itemTitle(groupT, kept) });
    const attendee = await this.db.attendee.findUnique({ where: { meetingId_userId: { meetingId, userId: row.executiveId } } });
    if (attendee) {
      await this.db.attendee.update({ where: { id: attendee.id }, data: { response: 'no', respondedAt: now, note } });
      const cardId = inviteCardId(meetingId, attendee.id);
      if (await this.cards.get(cardId)) {
        await this.cards.update(cardId, (c, ct) => ({ ...c, state: { status: 'answered-no', label: ct.t('schedule.choice.inviteState', { who: user.name, at: stamp }) } }), PRIORITY.interactive);
      }
    } else {
      // An organizer hosting it: recorded as a declining attendee so the counts and the schedule agree.
      await this.db.attendee.create({ data: { meetingId, userId: row.executiveId, name: execName, role: 'host', response: 'no', respondedAt: now, invitedBy: user.id, note } });
    }
    await this.meetings.refreshStatusSoon(meetingId);
    const organizers = this.meetings.organizerIds(meeting).filter((o) => o !== row.executiveId);
    const time = this.meetings.timeText(meeting);
    await this.tell(organizers, noticeKey, (t) =>
      t.t('schedule.choice.meetingDropped', { name: execName, id: meetingId, title: meeting.title, time, kept: itemTitle(t, kept), who: user.name, at: stamp }),
    );
    return msg('schedule.choice.meetingNote', { name: execName, id: meetingId });
  }

  /** A DM to each of `userIds`, in their language, keyed `<prefix>-<user>`. */
  private async tell(userIds: readonly string[], prefix: string, text: (t: Translator) => string): Promise<void> {
    const translators = await this.locales.forUsers(userIds);
    await this.outbox.enqueueMany(
      userIds.map((u) => ({
        id: `${prefix}-${jobIdPart(u)}`,
        target: { kind: 'user' as const, userId: u },
        content: { type: 'text' as const, text: text(translators.get(u)!) },
        priority: PRIORITY.urgent,
      })),
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
    return found ?? { key, source: key.startsWith('m') ? 'meeting' : key.startsWith('e') ? 'entry' : 'busy', title: key.startsWith('b') ? '' : key, start, end, venue: null, role: null, importance: null };
  }
}
