/**
 * Meetings: created in a group chat, with organizers, a live-count card in that group, and the
 * scheduled follow-ups, reminders and check-in opening that go with the start time. Changing the
 * time re-schedules those jobs (their ids derive from the meeting id and offset); cancelling
 * removes them, and every processor re-checks the meeting before acting.
 */
import { checkinCard, inviteCard, keepImage, statusCard, venueText, type MeetingView } from '../../cards/meeting-cards.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { PrismaClient } from '../db/client.js';
import { PRIORITY } from '../queue/queues.js';
import { type Msg, type Translator, msg } from '../i18n/translator.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { DomainEvents } from './events.js';
import type { Directory, UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import type { MeetingStatsService } from './meeting-stats.js';
import { checkinCardId, inviteCardId } from './meeting-card-ids.js';

declare module './services.js' {
  interface Services {
    meetings: MeetingService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Follow-up to attendees who have not answered, `offset` before the start (e.g. `3d`). */
    'meeting.followup': { meetingId: number; offset: string };
    /** Reminder to confirmed attendees, `offset` before the start. */
    'meeting.remind': { meetingId: number; offset: string };
    /** Coalesced refresh of the live-count card. */
    'meeting.status': { meetingId: number };
  }
}

export type MeetingRow = NonNullable<Awaited<ReturnType<PrismaClient['meeting']['findUnique']>>>;

export class MeetingService {
  constructor(
    private readonly db: PrismaClient,
    private readonly events: DomainEvents,
    private readonly scheduler: Scheduler,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly directory: Directory,
    private readonly stats: MeetingStatsService,
    private readonly locales: LocaleService,
    private readonly config: Config,
  ) {}

  async create(input: { title: string; startAt: Date; endAt: Date | null; venue: string | null; conversationId: string; creatorId: string }): Promise<MeetingRow> {
    const meeting = await this.db.meeting.create({
      data: { ...input, organizerIds: JSON.stringify([input.creatorId]), organizers: { create: [{ userId: input.creatorId }] } },
    });
    const statusCardId = `mstat-${meeting.id}`;
    const withCard = await this.db.meeting.update({ where: { id: meeting.id }, data: { statusCardId } });
    const t = await this.locales.forConversation(withCard.conversationId);
    await this.cards.send(await this.renderStatusCard(t, withCard), {
      kind: 'meeting-status',
      refId: String(meeting.id),
      target: { kind: 'conversation', conversationId: meeting.conversationId },
      priority: PRIORITY.normal,
    });
    await this.schedule(withCard);
    await this.events.emit('meeting.schedule-changed', { meetingId: meeting.id });
    return withCard;
  }

  /** high | medium | low, for executives' schedule conflicts (organizers). */
  async setImportance(id: number, importance: string): Promise<void> {
    await this.db.meeting.update({ where: { id }, data: { importance } });
  }

  async get(id: number): Promise<MeetingRow | null> {
    return this.db.meeting.findUnique({ where: { id } });
  }

  /** Upcoming (and running) meetings of a group, soonest first. */
  async listForConversation(conversationId: string, now: Date): Promise<MeetingRow[]> {
    return this.db.meeting.findMany({
      where: { conversationId, status: 'scheduled', OR: [{ endAt: { gte: now } }, { endAt: null, startAt: { gte: new Date(now.getTime() - 12 * 3600_000) } }] },
      orderBy: { startAt: 'asc' },
      take: 20,
    });
  }

  /** Meetings not cancelled that start at or after `since` (start-up recovery of their jobs). */
  async scheduledSince(since: Date): Promise<MeetingRow[]> {
    return this.db.meeting.findMany({ where: { status: 'scheduled', startAt: { gte: since } }, orderBy: { id: 'asc' } });
  }

  /**
   * The meeting an item typed in a group without `会议 #N` belongs to. Candidates are the group's
   * meetings running now or starting within 12 hours; only a single candidate is chosen (and the
   * caller names it in its reply), several are `ambiguous` (the caller asks for `会议 #N`).
   */
  async implicit(conversationId: string, now: Date): Promise<{ meeting: MeetingRow | null; candidates: MeetingRow[] }> {
    const soon = new Date(now.getTime() + 12 * 3600_000);
    const candidates = (await this.listForConversation(conversationId, now)).filter((m) => m.startAt <= soon);
    return { meeting: candidates.length === 1 ? candidates[0]! : null, candidates };
  }

  /** The group's implicit meeting, or a coded refusal naming the candidates when there are several. */
  async current(conversationId: string, now: Date): Promise<MeetingRow | null> {
    const { meeting, candidates } = await this.implicit(conversationId, now);
    if (candidates.length > 1) {
      throw new UserError('E_MEETING_AMBIGUOUS', { meetings: candidates.map((m) => `#${m.id} ${m.title}`).join(' / ') });
    }
    return meeting;
  }

  organizerIds(meeting: MeetingRow): string[] {
    return JSON.parse(meeting.organizerIds) as string[];
  }

  isOrganizer(meeting: MeetingRow, user: UserRecord): boolean {
    return this.organizerIds(meeting).includes(user.id) || user.roles.includes('admin');
  }

  /** Cards name the organizers: they are re-rendered (nobody is notified). */
  async addOrganizers(meeting: MeetingRow, userIds: string[]): Promise<MeetingRow> {
    const ids = [...new Set([...this.organizerIds(meeting), ...userIds])];
    // The MeetingOrganizer rows are rewritten to the same list in the same (nested-write) transaction.
    const updated = await this.db.meeting.update({
      where: { id: meeting.id },
      data: { organizerIds: JSON.stringify(ids), organizers: { deleteMany: {}, create: ids.map((userId) => ({ userId })) } },
    });
    await this.refreshCards(updated);
    return updated;
  }

  /** Invitation cards show until when answers can change: they are re-rendered (nobody is notified). */
  async setCutoff(meeting: MeetingRow, cutoff: Date): Promise<MeetingRow> {
    const updated = await this.db.meeting.update({ where: { id: meeting.id }, data: { rsvpCutoffAt: cutoff } });
    await this.refreshCards(updated);
    return updated;
  }

  /**
   * Moves the meeting: its jobs follow the new time, every card shows it, and everyone invited who
   * has not declined is told once (old -> new). Returns the meeting and how many were told.
   */
  async reschedule(meeting: MeetingRow, startAt: Date, endAt: Date | null): Promise<{ meeting: MeetingRow; notified: number }> {
    if (startAt.getTime() === meeting.startAt.getTime() && (endAt?.getTime() ?? null) === (meeting.endAt?.getTime() ?? null)) {
      throw new UserError('E_MEETING_TIME_UNCHANGED', { id: meeting.id, time: this.timeText(meeting) });
    }
    const updated = await this.db.meeting.update({ where: { id: meeting.id }, data: { startAt, endAt } });
    await this.unschedule(meeting);
    await this.schedule(updated);
    const notified = await this.notifyInvited(updated, 'time', msg('meeting.notice.time', { id: updated.id, title: updated.title, new: this.timeText(updated), old: this.timeText(meeting) }));
    await this.refreshCards(updated);
    await this.events.emit('meeting.schedule-changed', { meetingId: meeting.id });
    return { meeting: updated, notified };
  }

  /** A new venue: every card shows it, and everyone invited who has not declined is told once (old -> new). */
  async changeVenue(meeting: MeetingRow, venue: string): Promise<{ meeting: MeetingRow; notified: number }> {
    if (venue === meeting.venue) throw new UserError('E_MEETING_VENUE_UNCHANGED', { id: meeting.id, venue });
    const updated = await this.db.meeting.update({ where: { id: meeting.id }, data: { venue } });
    const notified = await this.notifyInvited(updated, 'venue', msg('meeting.notice.venue', { id: updated.id, title: updated.title, new: venue, old: meeting.venue ?? msg('meeting.venueTbd') }));
    await this.refreshCards(updated);
    await this.events.emit('meeting.schedule-changed', { meetingId: meeting.id });
    return { meeting: updated, notified };
  }

  /** Cancels: jobs removed, every card closed, everyone invited who has not declined told. Returns how many were told. */
  async cancel(meeting: MeetingRow): Promise<number> {
    const updated = await this.db.meeting.update({ where: { id: meeting.id }, data: { status: 'cancelled' } });
    await this.unschedule(meeting);
    const notified = await this.notifyInvited(updated, 'cancel', msg('meeting.notice.cancel', { id: updated.id, title: updated.title, time: this.timeText(updated) }));
    await this.refreshCards(updated);
    await this.events.emit('meeting.schedule-changed', { meetingId: meeting.id });
    return notified;
  }

  /**
   * Re-renders every card of the meeting from the database, each in its reader's language: the
   * invitations (answered or not, declined too), the check-in cards and the status card.
   */
  async refreshCards(meeting: MeetingRow): Promise<void> {
    const ref = String(meeting.id);
    const [invites, checkins] = await Promise.all([this.cards.byRef('meeting-invite', ref), this.cards.byRef('meeting-checkin', ref)]);
    const inviteIds = new Set(invites.map((c) => c.id));
    const checkinIds = new Set(checkins.map((c) => c.id));
    const view = await this.view(meeting);
    const cutoff = this.cutoff(meeting);
    const cancelled = meeting.status === 'cancelled';
    const attendees = await this.db.attendee.findMany({ where: { meetingId: meeting.id, userId: { not: null } }, orderBy: { id: 'asc' } });
    const recorders = await this.directory.usersByIds([...new Set(attendees.flatMap((a) => (a.answeredBy ? [a.answeredBy] : [])))]);
    const recorderName = new Map(recorders.map((u) => [u.id, u.name]));
    for (const a of attendees) {
      const inviteId = inviteCardId(meeting.id, a.id);
      if (inviteIds.has(inviteId)) {
        const answer = a.response === 'pending' ? null : a;
        const answeredBy = a.answeredBy ? (recorderName.get(a.answeredBy) ?? a.answeredBy) : null;
        await this.cards.update(inviteId, (prev, t) => keepImage(prev, inviteCard(t, { cardId: inviteId, meeting: view, attendeeName: a.name, answer, answeredBy, cutoff, cancelled })), PRIORITY.normal);
      }
      const checkinId = checkinCardId(meeting.id, a.id);
      if (checkinIds.has(checkinId)) {
        await this.cards.update(checkinId, (prev, t) => keepImage(prev, checkinCard(t, checkinId, view, a.checkedInAt, cancelled)), PRIORITY.normal);
      }
    }
    await this.refreshStatusNow(meeting.id);
  }

  /**
   * Coalesced: a burst of answers becomes one card update that shows the latest counts. Every count
   * change passes here, so this is where `meeting.counts-changed` is reported.
   */
  async refreshStatusSoon(meetingId: number): Promise<void> {
    await this.scheduler.coalesced('meeting.status', `meeting-status-${meetingId}`, { meetingId }, this.config.HUIWU_STATUS_REFRESH_MS);
    await this.events.emit('meeting.counts-changed', { meetingId });
  }

  async refreshStatusNow(meetingId: number): Promise<void> {
    const meeting = await this.get(meetingId);
    if (!meeting?.statusCardId) return;
    const view = await this.view(meeting);
    const stats = await this.stats.compute(meeting.id, new Date());
    await this.cards.update(meeting.statusCardId, (_, t) => this.statusCardOf(t, meeting, view, stats), PRIORITY.normal);
  }

  /** The neutral view of a meeting that cards and replies show. */
  async view(meeting: MeetingRow): Promise<MeetingView> {
    const organizers = await this.directory.usersByIds(this.organizerIds(meeting));
    return { id: meeting.id, title: meeting.title, time: this.timeText(meeting), venue: meeting.venue, organizers: organizers.map((o) => o.name) };
  }

  timeText(meeting: Pick<MeetingRow, 'startAt' | 'endAt'>): string {
    const zone = this.config.HUIWU_TIMEZONE;
    const start = formatDateTime(meeting.startAt, zone);
    if (!meeting.endAt) return start;
    const end = formatDateTime(meeting.endAt, zone);
    return end.slice(0, 10) === start.slice(0, 10) ? `${start}~${end.slice(11)}` : `${start}~${end}`;
  }

  /**
   * Answers can change until the meeting's own cut-off, else the configured time before the start;
   * a meeting created after that point (a short-notice meeting) takes answers until it starts.
   */
  cutoff(meeting: MeetingRow): Date {
    if (meeting.rsvpCutoffAt) return meeting.rsvpCutoffAt;
    const usual = meeting.startAt.getTime() - this.config.HUIWU_RSVP_CUTOFF.ms;
    return new Date(usual > meeting.createdAt.getTime() ? usual : meeting.startAt.getTime());
  }

  /** The end, or two hours after the start when no end was given. */
  endsAt(meeting: Pick<MeetingRow, 'startAt' | 'endAt'>): Date {
    return meeting.endAt ?? new Date(meeting.startAt.getTime() + 2 * 3600_000);
  }

  /** When check-in cards go out and self check-in opens. */
  checkinOpensAt(meeting: MeetingRow): Date {
    return new Date(meeting.startAt.getTime() - this.config.HUIWU_CHECKIN_OPENS.ms);
  }

  /** The organizers' names as one string in `t`'s language (for replies and refusals). */
  async organizerNames(meeting: MeetingRow, t: Translator): Promise<string> {
    const names = (await this.view(meeting)).organizers;
    return names.length > 0 ? t.list(names) : '—';
  }

  /** The venue, or "to be decided", in `t`'s language. */
  venueText(meeting: Pick<MeetingRow, 'venue'>, t: Translator): string {
    return venueText(t, meeting.venue);
  }

  private async renderStatusCard(t: Translator, meeting: MeetingRow) {
    return this.statusCardOf(t, meeting, await this.view(meeting), await this.stats.compute(meeting.id, new Date()));
  }

  private statusCardOf(t: Translator, meeting: MeetingRow, view: MeetingView, stats: Awaited<ReturnType<MeetingStatsService['compute']>>) {
    return statusCard(t, {
      cardId: meeting.statusCardId ?? `mstat-${meeting.id}`,
      meeting: view,
      stats,
      cancelled: meeting.status === 'cancelled',
      updatedAt: new Date(),
      checkinTarget: this.config.HUIWU_CHECKIN_TARGET_PER_MINUTE,
    });
  }

  /**
   * One message to each invitee with an account who has not declined (answered or not), each in its
   * reader's language; keyed by the change, so a retried command tells nobody twice.
   */
  private async notifyInvited(meeting: MeetingRow, what: string, text: Msg): Promise<number> {
    const invited = await this.db.attendee.findMany({ where: { meetingId: meeting.id, response: { not: 'no' }, userId: { not: null } } });
    const stamp = meeting.updatedAt.getTime();
    const readers = await this.locales.forUsers(invited.map((a) => a.userId!));
    await this.outbox.enqueueMany(
      invited.map((a) => ({
        id: `meeting-${meeting.id}-${what}-${stamp}-a${a.id}`,
        target: { kind: 'user' as const, userId: a.userId! },
        content: { type: 'text' as const, text: readers.get(a.userId!)!.render(text) },
        priority: PRIORITY.urgent,
      })),
    );
    return invited.length;
  }

  private jobIds(meeting: MeetingRow): string[] {
    return [
      ...this.config.HUIWU_RSVP_FOLLOWUPS.map((o) => `meeting-${meeting.id}-followup-${o.key}`),
      ...this.config.HUIWU_MEETING_REMINDERS.map((o) => `meeting-${meeting.id}-remind-${o.key}`),
      `meeting-${meeting.id}-checkin-open`,
      `meeting-${meeting.id}-survey`,
    ];
  }

  private async schedule(meeting: MeetingRow): Promise<void> {
    const now = Date.now();
    const start = meeting.startAt.getTime();
    for (const offset of this.config.HUIWU_RSVP_FOLLOWUPS) {
      if (start - offset.ms > now) {
        await this.scheduler.at('meeting.followup', `meeting-${meeting.id}-followup-${offset.key}`, { meetingId: meeting.id, offset: offset.key }, new Date(start - offset.ms));
      }
    }
    for (const offset of this.config.HUIWU_MEETING_REMINDERS) {
      if (start - offset.ms > now) {
        await this.scheduler.at('meeting.remind', `meeting-${meeting.id}-remind-${offset.key}`, { meetingId: meeting.id, offset: offset.key }, new Date(start - offset.ms));
      }
    }
    const opens = Math.max(now, this.checkinOpensAt(meeting).getTime());
    await this.scheduler.at('meeting.checkin-open', `meeting-${meeting.id}-checkin-open`, { meetingId: meeting.id }, new Date(opens));
    if (this.config.HUIWU_SURVEY_AUTO === 'on') {
      await this.scheduler.at('meeting.survey', `meeting-${meeting.id}-survey`, { meetingId: meeting.id }, this.endsAt(meeting));
    }
  }

  private async unschedule(meeting: MeetingRow): Promise<void> {
    for (const id of this.jobIds(meeting)) await this.scheduler.cancel(id);
  }

  /** Whether a scheduled job still applies: the meeting exists, is not cancelled, and the start has not moved. */
  async stillDue(meetingId: number, offsetMs: number, firedAt: number): Promise<MeetingRow | null> {
    const meeting = await this.get(meetingId);
    if (!meeting || meeting.status !== 'scheduled') return null;
    // A job left from an earlier, later-moved start time fires too early: it must not act.
    // (One left from an earlier-moved start keys its messages by the current start, so the
    // messages dedupe with the new job's.)
    const due = meeting.startAt.getTime() - offsetMs;
    return firedAt >= due - 60_000 ? meeting : null;
  }
}
