/**
 * Attendee exports. The attendee list shows phones and ID numbers masked unless an organizer asks
 * for them in full, which is logged with who and when. The supplier export (caterers, hotels)
 * carries counts and needs only: the allergy texts with how many gave each, but no names, phones
 * or anything tying a need to a person.
 */
import { DIETARY, dietaryLabel, responseLabel, stateOf, venueText } from '../../cards/meeting-cards.js';
import { formatCsv } from '../csv.js';
import type { PrismaClient } from '../db/client.js';
import type { Translator } from '../i18n/translator.js';
import type { MeetingStatsService } from './meeting-stats.js';
import type { MeetingRow } from './meetings.js';
import { maskIdNumber, maskPhone, type PiiCipher } from './pii.js';

declare module './services.js' {
  interface Services {
    attendeeExport: AttendeeExport;
  }
}

const LIST_COLUMNS = ['name', 'department', 'title', 'response', 'meal', 'mealNote', 'rooms', 'nights', 'note', 'checkedInAt', 'phone', 'idNumber', 'importNotes', 'answeredBy'] as const;

export class AttendeeExport {
  constructor(
    private readonly db: PrismaClient,
    private readonly stats: MeetingStatsService,
    private readonly pii: PiiCipher,
  ) {}

  /** Phone and ID number of one attendee, masked (for chat) or in full (for a logged export). */
  personal(row: { phoneEnc: string | null; idNumberEnc: string | null }, full: boolean): { phone: string; idNumber: string } {
    const phone = row.phoneEnc ? this.pii.decrypt(row.phoneEnc) : '';
    const idNumber = row.idNumberEnc ? this.pii.decrypt(row.idNumberEnc) : '';
    return full ? { phone, idNumber } : { phone: phone && maskPhone(phone), idNumber: idNumber && maskIdNumber(idNumber) };
  }

  /** The attendee list in the reader's language (`t`: the acting organizer's). */
  async attendeeList(t: Translator, meeting: MeetingRow, options: { full: boolean; actorId: string }): Promise<string> {
    const rows = await this.db.attendee.findMany({ where: { meetingId: meeting.id }, orderBy: { id: 'asc' } });
    if (options.full) await this.db.piiAccessLog.create({ data: { meetingId: meeting.id, userId: options.actorId, kind: 'attendee-list-full', rows: rows.length } });
    const table: Array<Array<string | number | null>> = [LIST_COLUMNS.map((c) => t.t(`meeting.export.column.${c}`))];
    const recorderIds = [...new Set(rows.flatMap((r) => (r.answeredBy ? [r.answeredBy] : [])))];
    const recorders = new Map((await this.db.user.findMany({ where: { id: { in: recorderIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
    for (const r of rows) {
      const p = this.personal(r, options.full);
      table.push([
        r.name,
        r.department,
        r.title,
        responseLabel(t, stateOf(r)),
        r.dietary ? dietaryLabel(t, r.dietary) : '',
        r.dietaryNote,
        r.accommodation === null ? '' : t.t(r.accommodation ? 'meeting.card.invite.roomsYes' : 'meeting.card.invite.roomsNo'),
        r.nights,
        r.note,
        r.checkedInAt ? t.dateTime(r.checkedInAt) : '',
        p.phone,
        p.idNumber,
        r.notes,
        r.answeredBy ? (recorders.get(r.answeredBy) ?? r.answeredBy) : '',
      ]);
    }
    table.push([], ...(await this.summaryRows(t, meeting)));
    return formatCsv(table);
  }

  async supplier(t: Translator, meeting: MeetingRow): Promise<string> {
    return formatCsv([
      [t.t('meeting.export.meeting'), `#${meeting.id} ${meeting.title}`],
      [t.t('meeting.export.time'), t.dateTime(meeting.startAt)],
      [t.t('meeting.export.venue'), venueText(t, meeting.venue)],
      [],
      ...(await this.summaryRows(t, meeting)),
    ]);
  }

  async accessLog(meetingId: number) {
    return this.db.piiAccessLog.findMany({ where: { meetingId }, orderBy: { id: 'asc' } });
  }

  /**
   * Counts only: confirmed people, meals by type, each allergy/other text with how many gave it
   * (the caterer needs the allergens, not who has them), rooms by night.
   */
  private async summaryRows(t: Translator, meeting: MeetingRow): Promise<string[][]> {
    const stats = await this.stats.compute(meeting.id, new Date());
    const other = dietaryLabel(t, 'other');
    return [
      [t.t('meeting.export.summary'), t.t('meeting.export.count')],
      [t.t('meeting.export.confirmed'), String(stats.yes)],
      [t.t('meeting.export.maybe'), String(stats.maybe)],
      ...DIETARY.map((key) => [t.t('meeting.export.meal', { meal: dietaryLabel(t, key) }), String(stats.meals[key] ?? 0)]),
      ...(await this.dietaryNotes(meeting.id)).map(({ text, count }) => [t.t('meeting.export.dietaryNote', { other, note: text }), String(count)]),
      ...stats.roomsByNight.map((n, i) => [t.t('meeting.export.night', { night: i + 1 }), String(n)]),
    ];
  }

  /** Confirmed attendees' allergy/other texts, the same text (ignoring case and spacing) counted once, most frequent first. */
  private async dietaryNotes(meetingId: number): Promise<Array<{ text: string; count: number }>> {
    const rows = await this.db.attendee.findMany({
      where: { meetingId, response: 'yes', dietary: 'other', dietaryNote: { not: null } },
      select: { dietaryNote: true },
    });
    const byKey = new Map<string, { text: string; count: number }>();
    for (const { dietaryNote } of rows) {
      const text = dietaryNote!.trim().replace(/\s+/g, ' ');
      if (!text) continue;
      const key = text.toLowerCase();
      const entry = byKey.get(key) ?? { text, count: 0 };
      entry.count++;
      byKey.set(key, entry);
    }
    return [...byKey.values()].sort((a, b) => b.count - a.count || a.text.localeCompare(b.text));
  }
}
