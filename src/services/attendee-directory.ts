/**
 * The attendee directory: each person's history across meetings (attended, no-show, dietary
 * needs, surveys answered) and the dietary needs that pre-fill their next invitation. The
 * dietary profile follows their own answers (`meeting.attendees-changed`); they can see it, correct
 * it and delete it (`我的信息`). Survey feedback is counted from receipts only: an anonymous answer
 * is never linked to a person.
 */
import { findInSlices } from '../db/in-slices.js';
import type { PrismaClient } from '../db/client.js';
import type { DomainEvents } from './events.js';
import type { SurveyService } from './surveys.js';

declare module './services.js' {
  interface Services {
    attendeeDirectory: AttendeeDirectory;
  }
}

export interface MeetingHistoryLine {
  meetingId: number;
  title: string;
  startAt: Date;
  response: string;
  /** attended | no-show | upcoming | declined | unanswered */
  outcome: 'attended' | 'no-show' | 'upcoming' | 'declined' | 'unanswered';
}

export interface AttendeeRecord {
  dietary: string | null;
  dietaryNote: string | null;
  attended: number;
  noShows: number;
  surveysAnswered: number;
  meetings: MeetingHistoryLine[];
}

const HISTORY_LINES = 10;

export class AttendeeDirectory {
  constructor(
    private readonly db: PrismaClient,
    private readonly surveys: SurveyService,
    events: DomainEvents,
    private readonly clock: () => Date,
  ) {
    events.on('meeting.attendees-changed', ({ meetingId, userIds }) => this.learnDietary(meetingId, userIds));
  }

  /** A dietary answer the person gave themselves becomes their known need (an organizer's entry for them does not). */
  private async learnDietary(meetingId: number, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const rows = await findInSlices(userIds, (slice) =>
      this.db.attendee.findMany({ where: { meetingId, userId: { in: slice }, answeredBy: null, response: { in: ['yes', 'maybe'] }, dietary: { not: null } } }),
    );
    for (const row of rows) {
      const data = { dietary: row.dietary, dietaryNote: row.dietaryNote };
      await this.db.attendeeProfile.upsert({ where: { userId: row.userId! }, create: { userId: row.userId!, ...data }, update: data });
    }
  }

  async record(userId: string): Promise<AttendeeRecord> {
    const now = this.clock();
    const profile = await this.db.attendeeProfile.findUnique({ where: { userId } });
    const rows = await this.db.attendee.findMany({ where: { userId, meeting: { status: 'scheduled' } }, include: { meeting: true }, orderBy: { meeting: { startAt: 'desc' } } });
    const meetings = rows.map((r): MeetingHistoryLine => {
      const ended = (r.meeting.endAt ?? r.meeting.startAt) < now;
      const outcome = r.checkedInAt ? 'attended' : r.response === 'no' ? 'declined' : !ended ? 'upcoming' : r.response === 'yes' ? 'no-show' : 'unanswered';
      return { meetingId: r.meetingId, title: r.meeting.title, startAt: r.meeting.startAt, response: r.response, outcome };
    });
    return {
      dietary: profile?.dietary ?? null,
      dietaryNote: profile?.dietaryNote ?? null,
      attended: meetings.filter((m) => m.outcome === 'attended').length,
      noShows: meetings.filter((m) => m.outcome === 'no-show').length,
      surveysAnswered: await this.surveys.receiptsOf(userId),
      meetings: meetings.slice(0, HISTORY_LINES),
    };
  }

  /** A correction by the person: their known need from now on (answers already given stay as they are). */
  async setDietary(userId: string, dietary: string, dietaryNote: string | null): Promise<void> {
    await this.db.attendeeProfile.upsert({ where: { userId }, create: { userId, dietary, dietaryNote }, update: { dietary, dietaryNote } });
  }

  /**
   * Deletes what no meeting requires: the known dietary needs, and the meal needs and notes on the
   * answers of meetings that are over. Upcoming meetings keep theirs (the caterer needs them; the
   * person changes them by answering again). Returns how many past answers were cleared.
   */
  async deleteOptional(userId: string): Promise<number> {
    const now = this.clock();
    await this.db.attendeeProfile.deleteMany({ where: { userId } });
    const past = await this.db.attendee.findMany({
      where: { userId, OR: [{ meeting: { endAt: { lt: now } } }, { meeting: { endAt: null, startAt: { lt: now } } }, { meeting: { status: 'cancelled' } }] },
      select: { id: true },
    });
    if (past.length === 0) return 0;
    return (await this.db.attendee.updateMany({ where: { id: { in: past.map((p) => p.id) } }, data: { dietary: null, dietaryNote: null, note: null } })).count;
  }
}
