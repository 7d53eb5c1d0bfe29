/**
 * Check-in (签到): by the attendee (command or card button) or by an organizer for someone else.
 * A second check-in is reported as such and changes nothing.
 */
import { checkinCard } from '../../cards/meeting-cards.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { PRIORITY } from '../queue/queues.js';
import type { CardService } from './cards.js';
import { checkinCardId } from './meeting-card-ids.js';
import type { DomainEvents } from './events.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { AttendeeRow } from './rsvp.js';
import type { AdmissionCodes } from './admission-codes.js';

declare module './services.js' {
  interface Services {
    checkin: CheckinService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Check-in cards go out to confirmed attendees. */
    'meeting.checkin-open': { meetingId: number };
  }
}


/** Meetings without an end time stay open for check-in this long after the start. */
const OPEN_WITHOUT_END_MS = 12 * 3600_000;

export type CheckinResult = { already: false; at: Date } | { already: true; at: Date; by: string | null };

export class CheckinService {
  constructor(
    private readonly db: PrismaClient,
    private readonly events: DomainEvents,
    private readonly meetings: MeetingService,
    private readonly cards: CardService,
    private readonly locales: LocaleService,
    private readonly admission: AdmissionCodes,
  ) {
    // A confirmation after check-in opened gets its check-in card at once.
    events.on('meeting.late-confirmation', async ({ meetingId, attendeeId }) => {
      const [meeting, attendee] = await Promise.all([this.meetings.get(meetingId), this.db.attendee.findUnique({ where: { id: attendeeId } })]);
      if (meeting && attendee) await this.openCheckin(meeting, attendee);
    });
  }

  /** The scheduled meetings `userId` is invited to whose check-in is open now. */
  async openMeetingsOf(userId: string, now: Date): Promise<MeetingRow[]> {
    const invitations = await this.db.attendee.findMany({ where: { userId, meeting: { status: 'scheduled' } }, include: { meeting: true } });
    return invitations.map((i) => i.meeting).filter((m) => this.isOpen(m, now));
  }

  /** Refuses (coded) unless check-in is open: from the opening before the start until the end. */
  checkWindow(meeting: MeetingRow, now: Date): void {
    if (meeting.status !== 'scheduled') throw new UserError('E_MEETING_CANCELLED', { id: meeting.id });
    const opens = this.meetings.checkinOpensAt(meeting);
    const closes = meeting.endAt ?? new Date(meeting.startAt.getTime() + OPEN_WITHOUT_END_MS);
    if (now < opens) throw new UserError('E_CHECKIN_NOT_OPEN', { id: meeting.id, opens });
    if (now > closes) throw new UserError('E_CHECKIN_CLOSED', { id: meeting.id, closes });
  }

  isOpen(meeting: MeetingRow, now: Date): boolean {
    try {
      this.checkWindow(meeting, now);
      return true;
    } catch (error) {
      if (error instanceof UserError) return false;
      throw error;
    }
  }

  async checkIn(meeting: MeetingRow, attendee: AttendeeRow, byUserId: string, now: Date): Promise<CheckinResult> {
    // Conditional update: two taps at once still record one check-in. Someone at the door attends.
    const updated = await this.db.attendee.updateMany({ where: { id: attendee.id, checkedInAt: null }, data: { checkedInAt: now, checkedInBy: byUserId, response: 'yes' } });
    if (updated.count === 0) {
      const current = await this.db.attendee.findUnique({ where: { id: attendee.id } });
      return { already: true, at: current?.checkedInAt ?? now, by: current?.checkedInBy ?? null };
    }
    const cardId = checkinCardId(meeting.id, attendee.id);
    if (await this.cards.get(cardId)) {
      await this.cards.update(cardId, (c, t) => ({ ...c, state: { status: 'checked-in', label: t.t('meeting.card.checkin.done', { at: now }), closed: true } }), PRIORITY.interactive);
    }
    await this.meetings.refreshStatusSoon(meeting.id);
    await this.events.emit('meeting.checked-in', { meetingId: meeting.id, attendeeId: attendee.id });
    return { already: false, at: now };
  }

  /**
   * Check-in cards to confirmed attendees when check-in opens; an attendee who confirms later gets
   * theirs with the confirmation (card ids are per attendee, so nobody gets two).
   */
  async openCheckin(meeting: MeetingRow, only?: AttendeeRow): Promise<number> {
    const confirmed = only
      ? [only]
      : await this.db.attendee.findMany({ where: { meetingId: meeting.id, response: 'yes', userId: { not: null }, checkedInAt: null } });
    const view = await this.meetings.view(meeting);
    const readers = await this.locales.forUsers(confirmed.map((a) => a.userId!));
    // Each card carries the attendee's admission code, scanned at the door.
    const images = new Map<number, Awaited<ReturnType<AdmissionCodes['image']>>>();
    for (const a of confirmed) if (this.admission.holdsCode(meeting, a)) images.set(a.id, await this.admission.image(meeting, a, readers.get(a.userId!)!));
    await this.cards.sendMany(
      confirmed.map((a) => ({
        card: { ...checkinCard(readers.get(a.userId!)!, checkinCardId(meeting.id, a.id), view, null), ...(images.has(a.id) ? { image: images.get(a.id)! } : {}) },
        options: { kind: 'meeting-checkin', refId: String(meeting.id), target: { kind: 'user' as const, userId: a.userId! }, recipientUserId: a.userId!, priority: PRIORITY.urgent },
      })),
    );
    return confirmed.length;
  }

  /** Attendees by exact name or by user id, in one query (names repeat: every match is returned). */
  async find(meetingId: number, names: readonly string[], userIds: readonly string[]): Promise<AttendeeRow[]> {
    if (names.length === 0 && userIds.length === 0) return [];
    return this.db.attendee.findMany({ where: { meetingId, OR: [{ name: { in: [...names] } }, { userId: { in: [...userIds] } }] } });
  }

  /** Finds an attendee by exact name (names repeat: all matches are returned). */
  async byName(meetingId: number, name: string): Promise<AttendeeRow[]> {
    return this.db.attendee.findMany({ where: { meetingId, name } });
  }
}
