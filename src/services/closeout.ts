/**
 * Close-out: after a meeting (`会议 结束 #N`, or by itself HUIWU_CLOSEOUT_DELAY after its end) a
 * checklist card in the organizers' group lists what is still open. The items come from every
 * capability's `closeOut` hook (src/capability.ts), so a new capability adds its own without a
 * change here. The card is one per meeting (`closeout-m<id>`): asking again or pressing 刷新
 * re-checks and updates it in place, and so does any change a capability announces (a task or
 * incident changed, a survey closed, the budget changed), coalesced into one update.
 *
 * Later steps of the close-out (the archive pack) belong after `post`: they read the same items to
 * decide whether anything still blocks them.
 */
import { closeoutCard } from '../../cards/closeout-cards.js';
import type { Config } from '../config.js';
import type { Translator } from '../i18n/translator.js';
import { PRIORITY } from '../queue/queues.js';
import type { CardService } from './cards.js';
import type { DomainEvents } from './events.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { OpenItem } from './open-item.js';
import type { Scheduler } from './scheduler.js';

declare module './services.js' {
  interface Services {
    closeout: CloseoutService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** The automatic close-out, HUIWU_CLOSEOUT_DELAY after the meeting's end at the time it was scheduled (`dueAt`, ms). */
    'closeout.auto': { meetingId: number; dueAt: number };
    /** An item of the meeting closed (or reopened): its checklist card is re-checked, once per burst. */
    'closeout.refresh': { meetingId: number };
  }
}

/** One capability's open items of a meeting. */
export type OpenItemSource = (meetingId: number, t: Translator) => Promise<OpenItem[]>;

export const closeoutCardId = (meetingId: number) => `closeout-m${meetingId}`;
const CARD_KIND = 'meeting-closeout';

export class CloseoutService {
  constructor(
    private readonly meetings: MeetingService,
    private readonly cards: CardService,
    private readonly scheduler: Scheduler,
    private readonly locales: LocaleService,
    private readonly config: Config,
    events: DomainEvents,
    /** Every capability's hook, read when used (the registry is complete only after every service exists). */
    private readonly sources: () => readonly OpenItemSource[],
  ) {
    events.on('meeting.schedule-changed', ({ meetingId }) => this.schedule(meetingId));
    // What the checklist lists changed: an open card follows by itself (the 刷新 button stays for impatience).
    const changed = async ({ meetingId }: { meetingId: number | null }) => (meetingId === null ? undefined : this.refreshSoon(meetingId));
    events.on('task.changed', changed);
    events.on('incident.changed', changed);
    events.on('survey.closed', changed);
    events.on('budget.changed', changed);
  }

  /**
   * Re-checks the meeting's checklist card shortly, if it has one: a burst of changes (a task
   * completed, its checklist item ticked) is one update, through the usual card update path.
   */
  async refreshSoon(meetingId: number): Promise<void> {
    if (!(await this.cards.get(closeoutCardId(meetingId)))) return;
    await this.scheduler.coalesced('closeout.refresh', `closeout-refresh-m${meetingId}`, { meetingId }, this.config.HUIWU_STATUS_REFRESH_MS);
  }

  /** The coalesced job: updates the card in place with what is open now. */
  async refresh(data: { meetingId: number }): Promise<string> {
    const meeting = await this.meetings.get(data.meetingId);
    if (!meeting || !(await this.cards.get(closeoutCardId(meeting.id)))) return 'skipped: no checklist';
    const items = await this.post(meeting);
    return `refreshed: ${items.length} open item(s)`;
  }

  /** When the automatic close-out of `meeting` is due. */
  dueAt(meeting: MeetingRow): Date {
    return new Date(this.meetings.endsAt(meeting).getTime() + this.config.HUIWU_CLOSEOUT_DELAY.ms);
  }

  /**
   * Schedules the automatic close-out. The job id carries the due time, so a moved meeting gets a
   * new job; the old one finds the meeting no longer due at its time and does nothing.
   */
  async schedule(meetingId: number): Promise<boolean> {
    const meeting = await this.meetings.get(meetingId);
    if (!meeting || meeting.status !== 'scheduled') return false;
    const due = this.dueAt(meeting);
    const jobId = `closeout-m${meetingId}-${due.getTime()}`;
    if (await this.scheduler.exists(jobId)) return false;
    await this.scheduler.at('closeout.auto', jobId, { meetingId, dueAt: due.getTime() }, due);
    return true;
  }

  /** The scheduled job: acts only when the meeting still ends then and has no checklist yet. */
  async auto(data: { meetingId: number; dueAt: number }): Promise<string> {
    const meeting = await this.meetings.get(data.meetingId);
    if (!meeting || meeting.status !== 'scheduled') return 'skipped: no such meeting';
    if (this.dueAt(meeting).getTime() !== data.dueAt) return 'skipped: the meeting moved';
    if (await this.cards.get(closeoutCardId(meeting.id))) return 'skipped: already closed out';
    const items = await this.post(meeting);
    return `posted ${items.length} open item(s)`;
  }

  /** Every capability's open items of the meeting, worded with `t`. */
  async openItems(meetingId: number, t: Translator): Promise<OpenItem[]> {
    const lists = await Promise.all(this.sources().map((source) => source(meetingId, t)));
    return lists.flat();
  }

  /** Posts the checklist card in the meeting's group, or updates the one already there. Returns the open items. */
  async post(meeting: MeetingRow, now: Date = new Date()): Promise<OpenItem[]> {
    const t = await this.locales.forConversation(meeting.conversationId);
    const items = await this.openItems(meeting.id, t);
    const cardId = closeoutCardId(meeting.id);
    const input = { cardId, meetingId: meeting.id, title: meeting.title, items, checkedAt: now };
    if (await this.cards.get(cardId)) {
      await this.cards.update(cardId, () => closeoutCard(t, input), PRIORITY.interactive);
    } else {
      await this.cards.send(closeoutCard(t, input), {
        kind: CARD_KIND,
        refId: String(meeting.id),
        target: { kind: 'conversation', conversationId: meeting.conversationId },
        priority: PRIORITY.interactive,
      });
    }
    return items;
  }

  /** Re-creates the automatic close-out of meetings not closed out yet (start-up, Redis back). */
  async recover(since: Date): Promise<number> {
    let restored = 0;
    for (const meeting of await this.meetings.scheduledSince(since)) {
      if (await this.cards.get(closeoutCardId(meeting.id))) continue;
      if (await this.schedule(meeting.id)) restored++;
    }
    return restored;
  }
}
