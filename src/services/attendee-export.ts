/**
 * Attendee exports. The attendee list shows phones and ID numbers masked unless an organizer asks
 * for them in full, which is logged with who and when. The supplier export (caterers, hotels)
 * carries counts and needs only: no names, phones or medical details.
 */
import { DIETARY_LABEL, RESPONSE_LABEL } from '../../cards/meeting-cards.js';
import type { Config } from '../config.js';
import { formatCsv } from '../csv.js';
import type { PrismaClient } from '../db/client.js';
import { formatDateTime } from '../time/parse-time.js';
import type { MeetingStatsService } from './meeting-stats.js';
import type { MeetingRow } from './meetings.js';
import { maskIdNumber, maskPhone, type PiiCipher } from './pii.js';

export class AttendeeExport {
  constructor(
    private readonly db: PrismaClient,
    private readonly stats: MeetingStatsService,
    private readonly pii: PiiCipher,
    private readonly config: Config,
  ) {}

  /** Phone and ID number of one attendee, masked (for chat) or in full (for a logged export). */
  personal(row: { phoneEnc: string | null; idNumberEnc: string | null }, full: boolean): { phone: string; idNumber: string } {
    const phone = row.phoneEnc ? this.pii.decrypt(row.phoneEnc) : '';
    const idNumber = row.idNumberEnc ? this.pii.decrypt(row.idNumberEnc) : '';
    return full ? { phone, idNumber } : { phone: phone && maskPhone(phone), idNumber: idNumber && maskIdNumber(idNumber) };
  }

  async attendeeList(meeting: MeetingRow, options: { full: boolean; actorId: string }): Promise<string> {
    const rows = await this.db.attendee.findMany({ where: { meetingId: meeting.id }, orderBy: { id: 'asc' } });
    if (options.full) await this.db.piiAccessLog.create({ data: { meetingId: meeting.id, userId: options.actorId, kind: 'attendee-list-full', rows: rows.length } });
    const zone = this.config.HUIWU_TIMEZONE;
    const table: Array<Array<string | number | null>> = [
      ['姓名', '部门', '职务', '回复', '餐食', '餐食说明', '住宿', '晚数', '备注', '签到时间', '手机', '身份证号', '导入备注'],
    ];
    for (const r of rows) {
      const p = this.personal(r, options.full);
      table.push([
        r.name,
        r.department,
        r.title,
        RESPONSE_LABEL[r.response] ?? r.response,
        r.dietary ? (DIETARY_LABEL[r.dietary] ?? r.dietary) : '',
        r.dietaryNote,
        r.accommodation === null ? '' : r.accommodation ? '需要' : '不需要',
        r.nights,
        r.note,
        r.checkedInAt ? formatDateTime(r.checkedInAt, zone) : '',
        p.phone,
        p.idNumber,
        r.notes,
      ]);
    }
    table.push([], ...(await this.summaryRows(meeting)));
    return formatCsv(table);
  }

  async supplier(meeting: MeetingRow): Promise<string> {
    return formatCsv([['会议', `#${meeting.id} ${meeting.title}`], ['时间', formatDateTime(meeting.startAt, this.config.HUIWU_TIMEZONE)], ['地点', meeting.venue ?? '待定'], [], ...(await this.summaryRows(meeting))]);
  }

  async accessLog(meetingId: number) {
    return this.db.piiAccessLog.findMany({ where: { meetingId }, orderBy: { id: 'asc' } });
  }

  /** Counts only: confirmed people, meals by type, rooms by night. */
  private async summaryRows(meeting: MeetingRow): Promise<string[][]> {
    const stats = await this.stats.compute(meeting.id, new Date());
    return [
      ['汇总', '数量'],
      ['确认参加', String(stats.yes)],
      ['待定', String(stats.maybe)],
      ...Object.entries(DIETARY_LABEL).map(([key, label]) => [`餐食：${label}`, String(stats.meals[key] ?? 0)]),
      ...stats.roomsByNight.map((n, i) => [`住宿：第${i + 1}晚（间）`, String(n)]),
    ];
  }
}
