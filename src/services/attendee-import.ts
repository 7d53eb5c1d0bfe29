/**
 * Attendee lists uploaded as CSV (columns: name, platform user id, title, department, phone,
 * ID number, notes; Chinese or English headers). Every row is checked first: one bad row and
 * nothing is imported, with each problem reported by row and column. Phones and ID numbers are
 * encrypted before they are stored.
 */
import { parseCsv } from '../csv.js';
import type { PrismaClient } from '../db/client.js';
import type { Directory } from './directory.js';
import { internalId, platformOfId } from './ids.js';
import type { MeetingRow } from './meetings.js';
import { isValidIdNumber, normalizePhone, type PiiCipher } from './pii.js';
import type { AttendeeRow, RsvpService } from './rsvp.js';

const COLUMNS = {
  name: ['姓名', 'name'],
  userId: ['用户id', '平台用户id', 'userid', 'user_id', 'platform_user_id', 'platform user id'],
  title: ['职务', '职位', 'title'],
  department: ['部门', 'department'],
  phone: ['手机', '手机号', '电话', 'phone'],
  idNumber: ['身份证号', '身份证', '证件号', 'id_number', 'id number', 'idnumber'],
  notes: ['备注', 'notes', 'note'],
} as const;
type Column = keyof typeof COLUMNS;

export const MAX_IMPORT_ROWS = 10_000;

export interface ImportProblem {
  /** 1-based line number in the file, the header being line 1. */
  row: number;
  column?: string;
  message: string;
}

export type ImportResult = { ok: true; imported: number; invited: number } | { ok: false; problems: ImportProblem[] };

export class AttendeeImport {
  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
    private readonly rsvp: RsvpService,
    private readonly pii: PiiCipher,
  ) {}

  async importCsv(meeting: MeetingRow, csv: string, invitedBy: string): Promise<ImportResult> {
    let table: string[][];
    try {
      table = parseCsv(csv);
    } catch (error) {
      return { ok: false, problems: [{ row: 0, message: `CSV 格式错误：${(error as Error).message}` }] };
    }
    const [header, ...rows] = table;
    if (!header) return { ok: false, problems: [{ row: 1, message: '文件为空，第一行应为表头：姓名,用户ID,职务,部门,手机,身份证号,备注' }] };
    const index = columnIndex(header);
    if (index.name === undefined) return { ok: false, problems: [{ row: 1, column: '姓名', message: '表头缺少「姓名」(name) 列' }] };
    if (rows.length === 0) return { ok: false, problems: [{ row: 2, message: '没有数据行' }] };
    if (rows.length > MAX_IMPORT_ROWS) return { ok: false, problems: [{ row: 0, message: `一次最多导入 ${MAX_IMPORT_ROWS} 行` }] };

    const platform = platformOfId(meeting.conversationId);
    const existing = await this.db.attendee.findMany({ where: { meetingId: meeting.id }, select: { userId: true } });
    const taken = new Set(existing.map((e) => e.userId).filter(Boolean));
    const problems: ImportProblem[] = [];
    const prepared: Array<Parameters<PrismaClient['attendee']['create']>[0]['data'] & { meetingId: number }> = [];

    for (const [i, cells] of rows.entries()) {
      const line = i + 2;
      const get = (c: Column) => (index[c] === undefined ? '' : (cells[index[c]!] ?? '').trim());
      const problem = (column: string, message: string) => problems.push({ row: line, column, message });
      const name = get('name');
      if (!name) problem('姓名', '姓名不能为空');
      else if (name.length > 40) problem('姓名', '姓名最多 40 个字');

      let userId: string | null = null;
      const rawUser = get('userId');
      if (rawUser) {
        userId = rawUser.includes(':') ? rawUser : internalId(platform, rawUser);
        const user = await this.directory.user(userId);
        if (!user) problem('用户ID', `找不到用户「${rawUser}」`);
        else if (taken.has(userId)) problem('用户ID', `${user.name} 已在名单中（重复的行或已邀请）`);
        taken.add(userId);
      }
      const rawPhone = get('phone');
      const phone = rawPhone ? normalizePhone(rawPhone) : null;
      if (rawPhone && !phone) problem('手机', '手机号应为 11 位中国大陆手机号');
      const idNumber = get('idNumber').toUpperCase();
      if (idNumber && !isValidIdNumber(idNumber)) problem('身份证号', '身份证号格式或校验位不正确');

      prepared.push({
        meetingId: meeting.id,
        userId,
        name,
        title: get('title') || null,
        department: get('department') || null,
        phoneEnc: phone ? this.pii.encrypt(phone) : null,
        idNumberEnc: idNumber ? this.pii.encrypt(idNumber) : null,
        notes: get('notes') || null,
        invitedBy,
      });
    }
    if (problems.length > 0) return { ok: false, problems };

    const created: AttendeeRow[] = await this.db.$transaction(async (tx) => {
      const out: AttendeeRow[] = [];
      for (let i = 0; i < prepared.length; i += 500) out.push(...(await tx.attendee.createManyAndReturn({ data: prepared.slice(i, i + 500) })));
      return out;
    });
    await this.rsvp.sendInvitations(meeting, created);
    return { ok: true, imported: created.length, invited: created.filter((a) => a.userId).length };
  }
}

function columnIndex(header: string[]): Partial<Record<Column, number>> {
  const index: Partial<Record<Column, number>> = {};
  header.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const column = (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(name));
    if (column && index[column] === undefined) index[column] = i;
  });
  return index;
}
