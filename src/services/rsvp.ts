/**
 * Invitations and answers: attendee rows, DM confirmation cards (sent in bulk, at bulk priority,
 * with progress in the group for big lists), recorded answers, follow-ups to non-responders only
 * and reminders to confirmed attendees.
 */
import { DIETARY, describeAnswer, inviteCard, type AnswerView } from '../../cards/meeting-cards.js';
import type { Card } from '../../cards/model.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { findInSlices } from '../db/in-slices.js';
import { type Msg, type Translator, msg } from '../i18n/translator.js';
import { PRIORITY, type ScheduleJobs } from '../queue/queues.js';
import { UserError } from '../errors.js';
import type { AdmissionCodes } from './admission-codes.js';
import type { CardService } from './cards.js';
import { inviteCardId } from './meeting-card-ids.js';
import type { DomainEvents } from './events.js';
import type { UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';

declare module './services.js' {
  interface Services {
    rsvp: RsvpService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Progress of an invitation fan-out, posted in the group until every card is sent. */
    'fanout.progress': { meetingId: number; batch: string; fromAttendeeId: number; toAttendeeId: number; total: number; startedAt: number; tick: number };
  }
}

export type AttendeeRow = NonNullable<Awaited<ReturnType<PrismaClient['attendee']['findUnique']>>>;

/** Below this many cards an invitation needs no progress reports: the reply says it all. */
const PROGRESS_THRESHOLD = 50;
const CHUNK = 500;

export { inviteCardId };

export interface AnswerInput {
  response: 'yes' | 'no' | 'maybe';
  dietary?: string;
  dietaryNote?: string;
  accommodation?: string;
  nights?: string;
  note?: string;
}

export class RsvpService {
  constructor(
    private readonly db: PrismaClient,
    private readonly events: DomainEvents,
    private readonly meetings: MeetingService,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly scheduler: Scheduler,
    private readonly locales: LocaleService,
    private readonly config: Config,
    private readonly admission: AdmissionCodes,
  ) {}

  /** Invites people by platform account; people already invited are reported, not invited twice. */
  async invite(meeting: MeetingRow, users: readonly UserRecord[], invitedBy: string): Promise<{ added: AttendeeRow[]; existing: string[] }> {
    const found = await this.db.attendee.findMany({ where: { meetingId: meeting.id, userId: { in: users.map((u) => u.id) } } });
    const known = new Set(found.map((a) => a.userId));
    const fresh = users.filter((u) => !known.has(u.id));
    // An invitation re-run after a crash (the inbound job is retried) finds the attendees it stored
    // but never got to queue a card for: those are finished now, not reported as already invited.
    const queued = new Set(
      (await this.db.outboundMessage.findMany({ where: { id: { in: found.map((a) => `card-${inviteCardId(meeting.id, a.id)}`) } }, select: { id: true } })).map((o) => o.id),
    );
    const unfinished = found.filter((a) => a.role === 'attendee' && a.response === 'pending' && !queued.has(`card-${inviteCardId(meeting.id, a.id)}`));
    const unfinishedIds = new Set(unfinished.map((a) => a.id));
    const already = found.filter((a) => !unfinishedIds.has(a.id));
    const added: AttendeeRow[] = [...unfinished];
    for (let i = 0; i < fresh.length; i += CHUNK) {
      added.push(
        ...(await this.db.attendee.createManyAndReturn({
          data: fresh.slice(i, i + CHUNK).map((u) => ({ meetingId: meeting.id, userId: u.id, name: u.name, department: u.department, invitedBy })),
        })),
      );
    }
    await this.sendInvitations(meeting, added);
    await this.events.emit('meeting.attendees-changed', { meetingId: meeting.id, userIds: added.flatMap((a) => (a.userId ? [a.userId] : [])) });
    return { added, existing: already.map((a) => a.name) };
  }

  /** Sends the confirmation card to every attendee with a platform account, in bulk. */
  async sendInvitations(meeting: MeetingRow, attendees: readonly AttendeeRow[]): Promise<void> {
    const reachable = attendees.filter((a) => a.userId);
    if (reachable.length === 0) return;
    const view = await this.meetings.view(meeting);
    const cutoff = this.meetings.cutoff(meeting);
    for (let i = 0; i < reachable.length; i += CHUNK) {
      const chunk = reachable.slice(i, i + CHUNK);
      const readers = await this.locales.forUsers(chunk.map((a) => a.userId!));
      // Known dietary needs (我的信息) pre-fill the card; the attendee still confirms them by answering.
      const profiles = await this.db.attendeeProfile.findMany({ where: { userId: { in: chunk.map((a) => a.userId!) }, dietary: { not: null } } });
      const known = new Map(profiles.map((p) => [p.userId, { dietary: p.dietary!, dietaryNote: p.dietaryNote }]));
      await this.cards.sendMany(
        chunk.map((a) => ({
          card: inviteCard(readers.get(a.userId!)!, { cardId: inviteCardId(meeting.id, a.id), meeting: view, attendeeName: a.name, answer: null, cutoff, known: known.get(a.userId!) ?? null }),
          options: { kind: 'meeting-invite', refId: String(meeting.id), target: { kind: 'user' as const, userId: a.userId! }, recipientUserId: a.userId!, priority: PRIORITY.bulk },
        })),
      );
    }
    if (reachable.length >= PROGRESS_THRESHOLD) await this.startProgress(meeting, reachable);
    await this.meetings.refreshStatusSoon(meeting.id);
  }

  /** The first `limit` attendees of a meeting, in invitation order. */
  async roster(meetingId: number, limit: number): Promise<AttendeeRow[]> {
    return this.db.attendee.findMany({ where: { meetingId }, orderBy: { id: 'asc' }, take: limit });
  }

  /** An executive's role in a meeting (主持/主讲/参会), for schedule-conflict suggestions. */
  async setRole(attendeeId: number, role: string): Promise<void> {
    await this.db.attendee.update({ where: { id: attendeeId }, data: { role } });
  }

  async attendeeFor(meetingId: number, userId: string): Promise<AttendeeRow | null> {
    return this.db.attendee.findUnique({ where: { meetingId_userId: { meetingId, userId } } });
  }

  /**
   * Records an answer; the card shows it and stays open for changes until the cut-off.
   * `recordedBy`: an organizer recording someone else's answer, allowed after the cut-off too and
   * recorded as theirs (the attendee is told). `t` is the requester's language (names in refusals).
   */
  async answer(meeting: MeetingRow, attendee: AttendeeRow, input: AnswerInput, now: Date, t: Translator, recordedBy: UserRecord | null = null): Promise<AnswerView> {
    if (meeting.status !== 'scheduled') throw new UserError('E_MEETING_CANCELLED', { id: meeting.id });
    const cutoff = this.meetings.cutoff(meeting);
    if (recordedBy && !this.meetings.isOrganizer(meeting, recordedBy)) {
      throw new UserError('E_RSVP_ON_BEHALF_ORGANIZER_ONLY', { id: meeting.id, organizers: await this.meetings.organizerNames(meeting, t) });
    }
    if (!recordedBy && now > cutoff) throw new UserError('E_RSVP_CUTOFF_PASSED', { cutoff, organizers: await this.meetings.organizerNames(meeting, t) });
    const answer = validateAnswer(input);
    await this.db.attendee.update({ where: { id: attendee.id }, data: { ...answer, respondedAt: now, answeredBy: recordedBy?.id ?? null } });
    const cardId = inviteCardId(meeting.id, attendee.id);
    if (await this.cards.get(cardId)) {
      const view = await this.meetings.view(meeting);
      const answeredBy = recordedBy?.name ?? null;
      // A confirmation shows the admission code in the same card update; any other answer drops it.
      const answered = { ...attendee, response: answer.response };
      const image = attendee.userId ? await this.admission.imageIfHeld(meeting, answered, await this.locales.forUser(attendee.userId)) : undefined;
      await this.cards.update(cardId, (_, rt) => ({ ...inviteCard(rt, { cardId, meeting: view, attendeeName: attendee.name, answer, answeredBy, cutoff }), ...(image ? { image } : {}) }), PRIORITY.interactive);
    }
    if (recordedBy && attendee.userId && attendee.userId !== recordedBy.id) {
      const reader = await this.locales.forUser(attendee.userId);
      await this.outbox.enqueue({
        id: `meeting-${meeting.id}-recorded-a${attendee.id}-${now.getTime()}`,
        target: { kind: 'user', userId: attendee.userId },
        content: { type: 'text', text: reader.t('meeting.answerRecordedNotice', { by: recordedBy.name, id: meeting.id, title: meeting.title, answer: describeAnswer(reader, answer) }) },
        priority: PRIORITY.normal,
      });
    }
    await this.meetings.refreshStatusSoon(meeting.id);
    if (answer.response === 'yes' && attendee.userId && now >= this.meetings.checkinOpensAt(meeting)) {
      await this.events.emit('meeting.late-confirmation', { meetingId: meeting.id, attendeeId: attendee.id });
    }
    if (attendee.userId) await this.events.emit('meeting.attendees-changed', { meetingId: meeting.id, userIds: [attendee.userId] });
    await this.events.emit('meeting.answered', { meetingId: meeting.id, attendeeId: attendee.id });
    return answer;
  }

  /** Follow-up to people who have not answered (never to decliners). `key` makes it send once. */
  async followUp(meeting: MeetingRow, key: string): Promise<number> {
    const pending = await this.db.attendee.findMany({ where: { meetingId: meeting.id, response: 'pending', userId: { not: null } } });
    const text = msg('meeting.followUp', { id: meeting.id, title: meeting.title, time: this.meetings.timeText(meeting) });
    await this.tell(pending, (a) => `meeting-${meeting.id}-followup-${key}-a${a.id}`, text, PRIORITY.normal);
    return pending.length;
  }

  /** Reminder to confirmed attendees before the start. */
  async remindConfirmed(meeting: MeetingRow, key: string): Promise<number> {
    const confirmed = await this.db.attendee.findMany({ where: { meetingId: meeting.id, response: 'yes', userId: { not: null } } });
    const text = msg('meeting.reminder', { id: meeting.id, title: meeting.title, time: this.meetings.timeText(meeting), venue: meeting.venue ?? msg('meeting.venueTbd') });
    await this.tell(confirmed, (a) => `meeting-${meeting.id}-remind-${key}-a${a.id}`, text, PRIORITY.urgent);
    return confirmed.length;
  }

  /** A text message to each attendee (all with an account), in each reader's language. */
  private async tell(attendees: readonly AttendeeRow[], id: (a: AttendeeRow) => string, text: Msg, priority: (typeof PRIORITY)[keyof typeof PRIORITY]): Promise<void> {
    const readers = await this.locales.forUsers(attendees.map((a) => a.userId!));
    await this.outbox.enqueueMany(
      attendees.map((a) => ({
        id: id(a),
        target: { kind: 'user' as const, userId: a.userId! },
        content: { type: 'text' as const, text: readers.get(a.userId!)!.render(text) },
        priority,
      })),
    );
  }

  /**
   * One progress tick of a fan-out: counts the batch's sent cards, updates the progress card, and
   * schedules the next tick until every card is sent or has failed for good.
   */
  async progress(data: ScheduleJobs['fanout.progress']): Promise<{ sent: number; failed: number }> {
    const ids: string[] = [];
    for (let a = data.fromAttendeeId; a <= data.toAttendeeId; a++) ids.push(`card-${inviteCardId(data.meetingId, a)}`);
    let sent = 0;
    let failed = 0;
    // One grouped count per slice of ids: Prisma does not split a long `in` list for groupBy.
    const groups = await findInSlices(ids, (slice) => this.db.outboundMessage.groupBy({ by: ['status'], where: { id: { in: slice } }, _count: { _all: true } }));
    for (const g of groups) {
      if (g.status === 'sent') sent += g._count._all;
      else if (g.status === 'failed') failed += g._count._all;
    }
    const done = sent + failed >= data.total;
    const seconds = Math.round((Date.now() - data.startedAt) / 1000);
    const params = { sent, total: data.total, failed, seconds };
    const body = (t: Translator) =>
      done
        ? t.t(failed === 0 ? 'meeting.progress.done' : 'meeting.progress.doneFailed', params)
        : t.t(failed === 0 ? 'meeting.progress.sending' : 'meeting.progress.sendingFailed', params);
    const cardId = `fanout-m${data.meetingId}-${data.batch}`;
    await this.cards.update(
      cardId,
      (c, t) => ({ ...c, body: body(t), ...(done ? { state: { status: 'done', label: t.t('meeting.progress.ended'), closed: true } } : {}) }),
      PRIORITY.interactive,
    );
    if (!done) {
      await this.scheduler.at(
        'fanout.progress',
        `fanout-m${data.meetingId}-${data.batch}-t${data.tick + 1}`,
        { ...data, tick: data.tick + 1 },
        new Date(Date.now() + this.config.HUIWU_FANOUT_PROGRESS_MS),
      );
    }
    return { sent, failed };
  }

  private async startProgress(meeting: MeetingRow, attendees: readonly AttendeeRow[]): Promise<void> {
    const ids = attendees.map((a) => a.id);
    const from = Math.min(...ids);
    const to = Math.max(...ids);
    const batch = `${from}-${to}`;
    const t = await this.locales.forConversation(meeting.conversationId);
    const card: Card = {
      id: `fanout-m${meeting.id}-${batch}`,
      title: t.t('meeting.progress.title', { id: meeting.id }),
      body: t.t('meeting.progress.sending', { sent: 0, total: attendees.length, failed: 0, seconds: 0 }),
    };
    await this.cards.send(
      card,
      { kind: 'fanout', refId: String(meeting.id), target: { kind: 'conversation', conversationId: meeting.conversationId }, priority: PRIORITY.interactive },
    );
    await this.scheduler.at(
      'fanout.progress',
      `fanout-m${meeting.id}-${batch}-t1`,
      { meetingId: meeting.id, batch, fromAttendeeId: from, toAttendeeId: to, total: attendees.length, startedAt: Date.now(), tick: 1 },
      new Date(Date.now() + this.config.HUIWU_FANOUT_PROGRESS_MS),
    );
  }
}

const MAX_NOTE = 200;
const MAX_NIGHTS = 30;

/** Checks the card's form values; a bad value is refused with what was wrong, nothing stored. */
export function validateAnswer(input: AnswerInput): AnswerView {
  const note = input.note?.trim() || null;
  if (note && note.length > MAX_NOTE) throw new UserError('E_RSVP_NOTE_TOO_LONG', { max: MAX_NOTE });
  if (input.response === 'no') return { response: 'no', dietary: null, dietaryNote: null, accommodation: null, nights: null, note };
  const dietary = input.dietary?.trim() || 'none';
  if (!(DIETARY as readonly string[]).includes(dietary)) throw new UserError('E_RSVP_DIETARY_INVALID');
  const dietaryNote = input.dietaryNote?.trim() || null;
  if (dietary === 'other' && !dietaryNote) throw new UserError('E_RSVP_DIETARY_NOTE_MISSING', { other: msg('meeting.dietary.other') });
  const accommodationText = input.accommodation?.trim() || 'no';
  if (accommodationText !== 'yes' && accommodationText !== 'no') throw new UserError('E_RSVP_ROOMS_INVALID');
  const accommodation = accommodationText === 'yes';
  let nights: number | null = null;
  if (accommodation) {
    nights = Number(input.nights?.trim() || '1');
    if (!Number.isInteger(nights) || nights < 1 || nights > MAX_NIGHTS) throw new UserError('E_RSVP_NIGHTS_INVALID', { max: MAX_NIGHTS });
  }
  return { response: input.response, dietary, dietaryNote: dietary === 'other' ? dietaryNote : null, accommodation, nights, note };
}
