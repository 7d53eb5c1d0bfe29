/**
 * Executives' schedules: who assists whom, manual entries (日程 添加), and the schedule itself as
 * one list of items from three sources: Huiwu meetings the executive attends (not declined) or
 * organizes (as host), manual entries, and busy times from the platform calendar.
 *
 * Every query is bounded by time and uses an index: Attendee(userId), MeetingOrganizer(userId),
 * ScheduleEntry(userId, status, startAt). Items are found when they start at most MAX_SPAN_MS
 * before the window, so an item longer than that (7 days) is seen only from inside its first 7 days.
 */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { dateFromSqlite, type RawDates, sqliteDate, sqliteDirect } from '../db/sqlite-direct.js';
import { UserError } from '../errors.js';
import type { CalendarPort } from './calendar.js';
import type { Directory, UserRecord } from './directory.js';
import { busyKey, compareItems, type Importance, type ItemRole, type ScheduleItem } from './schedule-logic.js';

declare module './services.js' {
  interface Services {
    schedule: ScheduleService;
  }
}

/** A meeting or entry without an end counts as this long. */
export const DEFAULT_DURATION_MS = 60 * 60_000;
/** How far before a window an item may start and still be looked at. */
export const MAX_SPAN_MS = 7 * 86_400_000;

export type EntryRow = NonNullable<Awaited<ReturnType<PrismaClient['scheduleEntry']['findUnique']>>>;
export type ConflictRow = NonNullable<Awaited<ReturnType<PrismaClient['scheduleConflict']['findUnique']>>>;

const asImportance = (v: string): Importance => (v === 'high' || v === 'low' ? v : 'medium');
const asRole = (v: string): ItemRole => (v === 'host' || v === 'speaker' ? v : 'attendee');
/** A row of the window query: a meeting (with the executive's attendee row, if any) or an entry. */
interface WindowRow {
  source: 'm' | 'e';
  id: number;
  title: string;
  startAt: Date;
  /** Never null for entries. */
  endAt: Date;
  venue: string | null;
  importance: string;
  organizerIds: string;
  role: string | null;
  response: string | null;
}

/** What a meeting contributes to a schedule item. */
interface MeetingFields {
  id: number;
  title: string;
  startAt: Date;
  endAt: Date | null;
  venue: string | null;
  importance: string;
  organizerIds: string;
}

const organizes = (meeting: { organizerIds: string }, userId: string): boolean => (JSON.parse(meeting.organizerIds) as string[]).includes(userId);

export class ScheduleService {
  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
    private readonly calendar: CalendarPort,
    private readonly config: Config,
  ) {}

  isExecutive(user: UserRecord): boolean {
    return user.roles.includes('executive');
  }

  /** Ids of every user with the executive role. */
  async executiveIds(): Promise<string[]> {
    const rows = await this.db.user.findMany({ where: { roles: { contains: '"executive"' } }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** Direct on SQLite: every conflict alert asks (`npm run bench -- --only conflicts`). */
  async assistantsOf(executiveId: string): Promise<string[]> {
    const direct = sqliteDirect(this.db);
    if (direct) return direct.all<{ assistantId: string }>('SELECT "assistantId" FROM "ExecutiveAssistant" WHERE "executiveId" = ? ORDER BY "createdAt"', executiveId).map((r) => r.assistantId);
    const rows = await this.db.executiveAssistant.findMany({ where: { executiveId }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => r.assistantId);
  }

  async executivesAssistedBy(assistantId: string): Promise<string[]> {
    const rows = await this.db.executiveAssistant.findMany({ where: { assistantId }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => r.executiveId);
  }

  async link(executiveId: string, assistantId: string, by: string): Promise<boolean> {
    const found = await this.db.executiveAssistant.findUnique({ where: { executiveId_assistantId: { executiveId, assistantId } } });
    if (found) return false;
    await this.db.executiveAssistant.create({ data: { executiveId, assistantId, createdBy: by } });
    return true;
  }

  async unlink(executiveId: string, assistantId: string): Promise<boolean> {
    const { count } = await this.db.executiveAssistant.deleteMany({ where: { executiveId, assistantId } });
    return count > 0;
  }

  /** May `user` see and change `executive`'s schedule: the executive, an assistant, or an admin. */
  async mayManage(user: UserRecord, executiveId: string): Promise<boolean> {
    if (user.id === executiveId || user.roles.includes('admin')) return true;
    return (await this.assistantsOf(executiveId)).includes(user.id);
  }

  async addEntry(input: { userId: string; title: string; startAt: Date; endAt: Date | null; venue: string | null; importance: Importance; createdBy: string }): Promise<EntryRow> {
    const endAt = input.endAt ?? new Date(input.startAt.getTime() + DEFAULT_DURATION_MS);
    return this.db.scheduleEntry.create({ data: { ...input, endAt } });
  }

  /** Direct on SQLite: every conflict check about an entry reads it (see itemsInWindow). */
  async entry(id: number): Promise<EntryRow | null> {
    const direct = sqliteDirect(this.db);
    if (!direct) return this.db.scheduleEntry.findUnique({ where: { id } });
    const row = direct.get<RawDates<EntryRow>>('SELECT * FROM "ScheduleEntry" WHERE "id" = ?', id);
    return row
      ? { ...row, startAt: dateFromSqlite(row.startAt), endAt: dateFromSqlite(row.endAt), createdAt: dateFromSqlite(row.createdAt), updatedAt: dateFromSqlite(row.updatedAt) }
      : null;
  }

  async deleteEntry(entry: EntryRow): Promise<void> {
    if (entry.status !== 'active') throw new UserError(entry.status === 'dropped' ? 'E_SCHEDULE_ENTRY_DROPPED' : 'E_SCHEDULE_ENTRY_DELETED', { id: entry.id });
    await this.db.scheduleEntry.update({ where: { id: entry.id }, data: { status: 'deleted' } });
  }

  async dropEntry(id: number): Promise<void> {
    await this.db.scheduleEntry.updateMany({ where: { id, status: 'active' }, data: { status: 'dropped' } });
  }

  /** One item of `executiveId`'s schedule by key, or null when it is no longer on it. Calendar slots are not looked up. */
  async item(executiveId: string, key: string): Promise<ScheduleItem | null> {
    const id = Number(key.slice(1));
    if (key.startsWith('m')) {
      const meeting = await this.meetingWithAttendance(id, executiveId);
      if (!meeting || meeting.status !== 'scheduled') return null;
      const organizer = organizes(meeting, executiveId);
      if (meeting.response === 'no' || (meeting.role === null && !organizer)) return null;
      return this.meetingItem(meeting, meeting.role, organizer);
    }
    if (key.startsWith('e')) {
      const entry = await this.entry(id);
      return entry && entry.userId === executiveId && entry.status === 'active' ? this.entryItem(entry) : null;
    }
    return null;
  }

  /** Meeting `id` with `userId`'s attendee row (role and response null without one). Direct on SQLite: it runs for every conflict check (see itemsInWindow). */
  private async meetingWithAttendance(id: number, userId: string): Promise<(MeetingFields & { status: string; role: string | null; response: string | null }) | null> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      const row = direct.get<RawDates<MeetingFields> & { status: string; role: string | null; response: string | null }>(
        `SELECT m."id", m."title", m."startAt", m."endAt", m."venue", m."importance", m."organizerIds", m."status", a."role", a."response"
         FROM "Meeting" m LEFT JOIN "Attendee" a ON a."meetingId" = m."id" AND a."userId" = ? WHERE m."id" = ?`,
        userId,
        id,
      );
      return row ? { ...row, startAt: dateFromSqlite(row.startAt), endAt: row.endAt === null ? null : dateFromSqlite(row.endAt) } : null;
    }
    const meeting = await this.db.meeting.findUnique({ where: { id }, include: { attendees: { where: { userId }, select: { role: true, response: true } } } });
    if (!meeting) return null;
    const attendee = meeting.attendees[0];
    return { ...meeting, role: attendee?.role ?? null, response: attendee?.response ?? null };
  }

  /**
   * Every item of `executiveId`'s schedule overlapping [from, to), sorted by start.
   *
   * One SQL query for meetings and entries (raw: Prisma has no UNION). Meetings are found from the
   * executive's side (their Attendee rows and MeetingOrganizer link rows), each with the
   * executive's attendee row if any. This runs for every conflict check; on the conflicts bench
   * (`npm run bench -- --only conflicts`) the three Prisma reads it replaces (attendees with their
   * meetings, organized meetings, entries) took 1.1-1.4 ms per window, this query 0.3-0.4 ms.
   * A `meeting.findMany` with `OR: [attendees some, organizers some]` was worse still: it tests
   * every meeting in the window (1.5 ms of SQL alone at 30 executives).
   */
  async itemsInWindow(executiveId: string, from: Date, to: Date): Promise<ScheduleItem[]> {
    const earliest = new Date(from.getTime() - MAX_SPAN_MS);
    const [rows, busy] = await Promise.all([this.windowRows(executiveId, earliest, to), this.calendar.freeBusy(executiveId, from, to)]);
    const items = new Map<string, ScheduleItem>();
    for (const r of rows) {
      if (r.source === 'e') {
        items.set(`e${r.id}`, this.entryItem(r));
        continue;
      }
      if (r.response === 'no') continue;
      // Found without an attendee row: found as an organizer.
      items.set(`m${r.id}`, this.meetingItem(r, r.role, r.role === null || organizes(r, executiveId)));
    }
    for (const s of busy) {
      const key = busyKey(s.start, s.end);
      items.set(key, { key, source: 'busy', title: s.title?.trim() ?? '', start: s.start, end: s.end, venue: null, role: null, importance: null });
    }
    return [...items.values()].filter((i) => i.end > from && i.start < to).sort(compareItems);
  }

  /**
   * Meetings (`m`: attended, not cancelled, or organized) and active entries (`e`) starting in
   * [earliest, to). Direct on SQLite: through `$queryRaw` the same statement cost ~0.9 ms per
   * check, run directly ~0.15 ms (`npm run bench -- --only conflicts`).
   */
  private async windowRows(executiveId: string, earliest: Date, to: Date): Promise<WindowRow[]> {
    const direct = sqliteDirect(this.db);
    if (direct) {
      const [from, until] = [sqliteDate(earliest), sqliteDate(to)];
      return direct
        .all<RawDates<WindowRow>>(
          `SELECT 'm' AS "source", m."id", m."title", m."startAt", m."endAt", m."venue", m."importance", m."organizerIds", a."role", a."response"
           FROM "Meeting" m LEFT JOIN "Attendee" a ON a."meetingId" = m."id" AND a."userId" = ?
           WHERE m."id" IN (SELECT "meetingId" FROM "Attendee" WHERE "userId" = ? UNION SELECT "meetingId" FROM "MeetingOrganizer" WHERE "userId" = ?)
             AND m."status" = 'scheduled' AND m."startAt" >= ? AND m."startAt" < ?
           UNION ALL
           SELECT 'e', e."id", e."title", e."startAt", e."endAt", e."venue", e."importance", NULL, NULL, NULL
           FROM "ScheduleEntry" e
           WHERE e."userId" = ? AND e."status" = 'active' AND e."startAt" >= ? AND e."startAt" < ?`,
          executiveId, executiveId, executiveId, from, until, executiveId, from, until,
        )
        .map((r) => ({ ...r, startAt: dateFromSqlite(r.startAt), endAt: (r.endAt === null ? null : dateFromSqlite(r.endAt)) as Date }));
    }
    return this.db.$queryRaw<WindowRow[]>`
      SELECT 'm' AS "source", m."id", m."title", m."startAt", m."endAt", m."venue", m."importance", m."organizerIds", a."role", a."response"
      FROM "Meeting" m LEFT JOIN "Attendee" a ON a."meetingId" = m."id" AND a."userId" = ${executiveId}
      WHERE m."id" IN (SELECT "meetingId" FROM "Attendee" WHERE "userId" = ${executiveId} UNION SELECT "meetingId" FROM "MeetingOrganizer" WHERE "userId" = ${executiveId})
        AND m."status" = 'scheduled' AND m."startAt" >= ${earliest} AND m."startAt" < ${to}
      UNION ALL
      SELECT 'e', e."id", e."title", e."startAt", e."endAt", e."venue", e."importance", NULL, NULL, NULL
      FROM "ScheduleEntry" e
      WHERE e."userId" = ${executiveId} AND e."status" = 'active' AND e."startAt" >= ${earliest} AND e."startAt" < ${to}`;
  }

  private meetingItem(
    m: Omit<MeetingFields, 'organizerIds'>,
    attendeeRole: string | null,
    organizer: boolean,
  ): ScheduleItem {
    // An organizer hosts unless the organizers gave them an explicit speaker role as an attendee.
    const role: ItemRole = attendeeRole && attendeeRole !== 'attendee' ? asRole(attendeeRole) : organizer ? 'host' : 'attendee';
    return {
      key: `m${m.id}`,
      source: 'meeting',
      title: m.title,
      start: m.startAt,
      end: m.endAt ?? new Date(m.startAt.getTime() + DEFAULT_DURATION_MS),
      venue: m.venue,
      role,
      importance: asImportance(m.importance),
    };
  }

  private entryItem(e: Pick<EntryRow, 'id' | 'title' | 'startAt' | 'endAt' | 'venue' | 'importance'>): ScheduleItem {
    return { key: `e${e.id}`, source: 'entry', title: e.title, start: e.startAt, end: e.endAt, venue: e.venue, role: null, importance: asImportance(e.importance) };
  }

  /** Display name, for cards and texts. */
  async name(userId: string): Promise<string> {
    return (await this.directory.user(userId))?.name ?? userId;
  }

  get bufferMs(): number {
    return this.config.HUIWU_TRAVEL_BUFFER.ms;
  }
}
