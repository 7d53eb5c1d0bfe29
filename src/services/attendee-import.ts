/**
 * Attendee lists uploaded as CSV (columns: name, platform user id, title, department, phone,
 * ID number, notes; Chinese or English headers, the word lists `meeting.import.words.*`). Every row is checked first: one bad row and
 * nothing is imported, with each problem reported by row and column. Phones and ID numbers are
 * encrypted before they are stored.
 */
import { parseCsv } from '../csv.js';
import type { PrismaClient } from '../db/client.js';
import type { Translator } from '../i18n/translator.js';
import { words } from '../i18n/vocabulary.js';
import type { Directory } from './directory.js';
import { internalId, platformOfId } from './ids.js';
import type { MeetingRow } from './meetings.js';
import { isValidIdNumber, normalizePhone, type PiiCipher } from './pii.js';
import type { AttendeeRow, RsvpService } from './rsvp.js';

declare module './services.js' {
  interface Services {
    attendeeImport: AttendeeImport;
  }
}

const COLUMN_KEYS = ['name', 'userId', 'title', 'department', 'phone', 'idNumber', 'notes'] as const;
type Column = (typeof COLUMN_KEYS)[number];

export const MAX_IMPORT_ROWS = 10_000;
const MAX_NAME = 40;

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

  /** Problems are worded in `t`'s language (the acting organizer's). */
  async importCsv(t: Translator, meeting: MeetingRow, csv: string, invitedBy: string): Promise<ImportResult> {
    const label = (c: Column) => t.t(`meeting.import.column.${c}`);
    let table: string[][];
    try {
      table = parseCsv(csv);
    } catch (error) {
      return { ok: false, problems: [{ row: 0, message: t.t('meeting.import.badCsv', { detail: (error as Error).message }) }] };
    }
    const [header, ...rows] = table;
    if (!header) return { ok: false, problems: [{ row: 1, message: t.t('meeting.import.empty') }] };
    const index = columnIndex(header);
    if (index.name === undefined) return { ok: false, problems: [{ row: 1, column: label('name'), message: t.t('meeting.import.noNameColumn') }] };
    if (rows.length === 0) return { ok: false, problems: [{ row: 2, message: t.t('meeting.import.noRows') }] };
    if (rows.length > MAX_IMPORT_ROWS) return { ok: false, problems: [{ row: 0, message: t.t('meeting.import.tooManyRows', { max: MAX_IMPORT_ROWS }) }] };

    const platform = platformOfId(meeting.conversationId);
    const existing = await this.db.attendee.findMany({ where: { meetingId: meeting.id }, select: { userId: true } });
    const taken = new Set(existing.map((e) => e.userId).filter(Boolean));
    const problems: ImportProblem[] = [];
    const prepared: Array<Parameters<PrismaClient['attendee']['create']>[0]['data'] & { meetingId: number }> = [];

    for (const [i, cells] of rows.entries()) {
      const line = i + 2;
      const get = (c: Column) => (index[c] === undefined ? '' : (cells[index[c]!] ?? '').trim());
      const problem = (column: Column, key: string, params: Record<string, string | number> = {}) =>
        problems.push({ row: line, column: label(column), message: t.t(`meeting.import.${key}`, params) });
      const name = get('name');
      if (!name) problem('name', 'nameEmpty');
      else if (name.length > MAX_NAME) problem('name', 'nameTooLong', { max: MAX_NAME });

      let userId: string | null = null;
      const rawUser = get('userId');
      if (rawUser) {
        userId = rawUser.includes(':') ? rawUser : internalId(platform, rawUser);
        const user = await this.directory.user(userId);
        if (!user) problem('userId', 'userUnknown', { user: rawUser });
        else if (taken.has(userId)) problem('userId', 'userDuplicate', { name: user.name });
        taken.add(userId);
      }
      const rawPhone = get('phone');
      const phone = rawPhone ? normalizePhone(rawPhone) : null;
      if (rawPhone && !phone) problem('phone', 'phoneInvalid');
      const idNumber = get('idNumber').toUpperCase();
      if (idNumber && !isValidIdNumber(idNumber)) problem('idNumber', 'idNumberInvalid');

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
    const column = COLUMN_KEYS.find((c) => words(`meeting.import.words.${c}`).some((w) => w.toLowerCase() === name));
    if (column && index[column] === undefined) index[column] = i;
  });
  return index;
}
