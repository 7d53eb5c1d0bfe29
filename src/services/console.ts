/**
 * The organizer console's domain side: who may open it and which meetings they see, the boards
 * (attendees with personal data masked, incidents, tasks, checklist items) and the three actions
 * the page offers (follow-ups, check-in by name, attendee export), each behind the same permission
 * checks as its chat command. The pages themselves are in `src/web/console/`.
 */
import { stateOf } from '../../cards/meeting-cards.js';
import { labelMsg } from '../../cards/incident-labels.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { Msg, Translator } from '../i18n/translator.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import type { AttendeeExport } from './attendee-export.js';
import type { CheckinService } from './checkin.js';
import type { ChecklistService } from './checklists.js';
import type { UserRecord } from './directory.js';
import type { Directory } from './directory.js';
import type { IncidentService } from './incidents.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { PageAccess } from './page-access.js';
import type { RsvpService } from './rsvp.js';
import { OPEN_TASK } from './task-status.js';
import { databaseKind } from '../db/database-url.js';

declare module './services.js' {
  interface Services {
    console: ConsoleService;
  }
}

/** Where the console lives; the link the command sends opens it. */
export const CONSOLE_PATH = '/console';
/** Rows of the attendee board per page. */
export const ATTENDEE_PAGE = 50;

export interface AttendeeFilter {
  q?: string;
  answer?: string;
  meal?: string;
  room?: 'yes' | 'no';
  checkedIn?: 'yes' | 'no';
  page?: number;
}

export interface AttendeeBoardRow {
  id: number;
  name: string;
  department: string | null;
  state: string;
  dietary: string | null;
  accommodation: boolean | null;
  nights: number | null;
  checkedInAt: Date | null;
  phone: string;
  idNumber: string;
}

export interface IncidentBoardRow {
  id: number;
  type: string;
  label: Msg;
  severity: number;
  status: string;
  location: string | null;
  description: string;
  ownerId: string | null;
  createdAt: Date;
  ackedAt: Date | null;
  resolvedAt: Date | null;
  /** When an unacknowledged incident must be acknowledged. */
  ackDueAt: Date | null;
}

export interface TaskBoardRow {
  id: number;
  title: string;
  department: string | null;
  assigneeId: string | null;
  status: string;
  priority: string;
  dueAt: Date;
  doneAt: Date | null;
  overdue: boolean;
  checklistKey: string | null;
}

export class ConsoleService {
  constructor(
    private readonly db: PrismaClient,
    private readonly meetings: MeetingService,
    private readonly rsvp: RsvpService,
    private readonly checkin: CheckinService,
    private readonly checklists: ChecklistService,
    private readonly incidents: IncidentService,
    private readonly exporter: AttendeeExport,
    private readonly directory: Directory,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly pageAccess: PageAccess,
    private readonly config: Config,
  ) {}

  // ---- who sees what --------------------------------------------------------------------

  /** Organizers and admins by role, and anyone named organizer of a meeting. */
  async mayUse(user: UserRecord): Promise<boolean> {
    if (user.roles.includes('organizer') || user.roles.includes('admin')) return true;
    return (await this.organizedBy(user.id, 1)).length > 0;
  }

  /** The meetings a user's console lists: every one for admins, else those they organize; latest first. */
  async meetingsOf(user: UserRecord, limit = 50): Promise<MeetingRow[]> {
    if (user.roles.includes('admin')) return this.db.meeting.findMany({ orderBy: { startAt: 'desc' }, take: limit });
    return this.organizedBy(user.id, limit);
  }

  /** Through the MeetingOrganizer link rows (indexed by user), not a text search of `organizerIds`. */
  private organizedBy(userId: string, limit: number): Promise<MeetingRow[]> {
    return this.db.meeting.findMany({ where: { organizers: { some: { userId } } }, orderBy: { startAt: 'desc' }, take: limit });
  }

  /** The meeting if `user` may see it (its organizers and admins), else a coded refusal. */
  async meetingFor(user: UserRecord, meetingId: number): Promise<MeetingRow> {
    const meeting = Number.isSafeInteger(meetingId) ? await this.meetings.get(meetingId) : null;
    if (!meeting) throw new UserError('E_CONSOLE_MEETING_NOT_FOUND', { id: meetingId });
    await this.requireOrganizer(user, meeting);
    return meeting;
  }

  /** DMs `user` a sign-in link to the console (from a group: the link must not be seen by others). */
  async sendLink(user: UserRecord, key: string): Promise<void> {
    const url = await this.pageAccess.issueLink(user.id, CONSOLE_PATH);
    const t = this.locales.ofUser(user);
    await this.outbox.enqueue({
      id: `console-link-${jobIdPart(key)}`,
      target: { kind: 'user', userId: user.id },
      content: { type: 'text', text: this.linkText(t, url) },
      priority: PRIORITY.interactive,
    });
  }

  /** A `contains` filter that ignores case on SQLite and PostgreSQL alike (`mode` exists only in PostgreSQL's client). */
  private containsText(q: string): { contains: string } {
    return databaseKind(this.config.DATABASE_URL) === 'postgresql' ? ({ contains: q, mode: 'insensitive' } as { contains: string }) : { contains: q };
  }

  linkText(t: Translator, url: string): string {
    return t.t('console.link', { url, minutes: Math.round(this.config.HUIWU_PAGE_LINK_TTL.ms / 60_000) });
  }

  // ---- boards ---------------------------------------------------------------------------

  /** One page of the attendee board; phones and ID numbers always masked. */
  async attendees(meetingId: number, filter: AttendeeFilter): Promise<{ total: number; page: number; pageSize: number; rows: AttendeeBoardRow[] }> {
    const q = filter.q?.trim();
    const where = {
      meetingId,
      // Case-insensitive on both databases: SQLite's LIKE already is (ASCII); PostgreSQL needs ILIKE.
      ...(q ? { OR: [{ name: this.containsText(q) }, { department: this.containsText(q) }] } : {}),
      ...(filter.answer === 'noAccount'
        ? { response: 'pending', userId: null }
        : filter.answer === 'pending'
          ? { response: 'pending', NOT: { userId: null } }
          : filter.answer
            ? { response: filter.answer }
            : {}),
      ...(filter.meal ? { dietary: filter.meal } : {}),
      ...(filter.room ? { accommodation: filter.room === 'yes' } : {}),
      ...(filter.checkedIn ? { checkedInAt: filter.checkedIn === 'yes' ? { not: null } : null } : {}),
    };
    const page = Math.max(0, Math.floor(filter.page ?? 0));
    const [total, rows] = await Promise.all([
      this.db.attendee.count({ where }),
      this.db.attendee.findMany({ where, orderBy: { id: 'asc' }, skip: page * ATTENDEE_PAGE, take: ATTENDEE_PAGE }),
    ]);
    return {
      total,
      page,
      pageSize: ATTENDEE_PAGE,
      rows: rows.map((r) => ({
        id: r.id,
        name: r.name,
        department: r.department,
        state: stateOf(r),
        dietary: r.dietary,
        accommodation: r.accommodation,
        nights: r.nights,
        checkedInAt: r.checkedInAt,
        ...this.exporter.personal(r, false),
      })),
    };
  }

  /** Open incidents first (oldest first: they have waited longest), then the resolved, latest first. */
  async incidentBoard(meetingId: number): Promise<IncidentBoardRow[]> {
    const rows = await this.db.incident.findMany({ where: { meetingId }, orderBy: { id: 'asc' } });
    const open = rows.filter((r) => r.status !== 'resolved');
    const closed = rows.filter((r) => r.status === 'resolved').reverse();
    return [...open, ...closed].map((r) => ({
      id: r.id,
      type: r.type,
      label: labelMsg(r.type, r.severity),
      severity: r.severity,
      status: r.status,
      location: r.location,
      description: r.description,
      ownerId: r.ownerId,
      createdAt: r.createdAt,
      ackedAt: r.ackedAt,
      resolvedAt: r.resolvedAt,
      ackDueAt: r.status === 'open' ? new Date(r.createdAt.getTime() + this.incidents.ackDeadlineMs(r)) : null,
    }));
  }

  /** Tasks of the meeting by department; in each, overdue first, then open by due time, then finished. */
  async taskBoard(meetingId: number, now: Date): Promise<Array<{ department: string | null; tasks: TaskBoardRow[] }>> {
    const rows = await this.db.task.findMany({ where: { meetingId, status: { not: 'cancelled' } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }] });
    const rank = (t: TaskBoardRow) => (t.overdue ? 0 : OPEN_TASK.includes(t.status) ? 1 : 2);
    const byDepartment = new Map<string | null, TaskBoardRow[]>();
    for (const task of rows.map((t) => boardRow(t, now))) byDepartment.set(task.department, [...(byDepartment.get(task.department) ?? []), task]);
    return [...byDepartment.entries()]
      .map(([department, tasks]) => ({ department, tasks: tasks.sort((a, b) => rank(a) - rank(b) || a.dueAt.getTime() - b.dueAt.getTime()) }))
      .sort((a, b) => Number(b.tasks.some((t) => t.overdue)) - Number(a.tasks.some((t) => t.overdue)) || (a.department ?? '').localeCompare(b.department ?? ''));
  }

  /** The preparation checklist's items, in due order. */
  async checklistItems(meetingId: number, now: Date): Promise<TaskBoardRow[]> {
    const report = await this.checklists.report(meetingId, now);
    return report.items.map((t) => boardRow(t, now));
  }

  /** Names of the people the boards mention (owners, assignees), in one query. */
  async names(ids: ReadonlyArray<string | null>): Promise<Record<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
    const users = await this.directory.usersByIds(wanted);
    return Object.fromEntries(users.map((u) => [u.id, u.name]));
  }

  // ---- actions (the same rules as the chat commands) -----------------------------------------

  /** `会议 催办`: organizers of a meeting that is not cancelled. `key` keeps one click one round. */
  async followUp(user: UserRecord, meeting: MeetingRow, key: string): Promise<number> {
    await this.requireOrganizer(user, meeting);
    if (meeting.status === 'cancelled') throw new UserError('E_MEETING_CANCELLED', { id: meeting.id });
    return this.rsvp.followUp(meeting, `console-${key}`);
  }

  /** `签到 #N 名字`: organizers, while check-in is open, one exact name. */
  async checkInByName(user: UserRecord, meeting: MeetingRow, name: string, now: Date): Promise<{ name: string; already: boolean; at: Date }> {
    if (!this.meetings.isOrganizer(meeting, user)) throw new UserError('E_CHECKIN_ORGANIZER_ONLY', { id: meeting.id });
    const wanted = name.trim();
    if (!wanted) throw new UserError('E_CONSOLE_NAME_MISSING');
    this.checkin.checkWindow(meeting, now);
    const matches = await this.checkin.byName(meeting.id, wanted);
    if (matches.length === 0) throw new UserError('E_CONSOLE_NO_SUCH_NAME', { name: wanted, id: meeting.id });
    if (matches.length > 1) throw new UserError('E_CONSOLE_SAME_NAME', { name: wanted, count: matches.length });
    const result = await this.checkin.checkIn(meeting, matches[0]!, user.id, now);
    return { name: wanted, already: result.already, at: result.at };
  }

  /** The attendee list as CSV in the reader's language; in full only on request, and then logged. */
  async exportCsv(user: UserRecord, meeting: MeetingRow, full: boolean, t: Translator): Promise<string> {
    await this.requireOrganizer(user, meeting);
    return this.exporter.attendeeList(t, meeting, { full, actorId: user.id });
  }

  private async requireOrganizer(user: UserRecord, meeting: MeetingRow): Promise<void> {
    if (this.meetings.isOrganizer(meeting, user)) return;
    throw new UserError('E_CONSOLE_NOT_ORGANIZER', { id: meeting.id, title: meeting.title, organizers: await this.meetings.organizerNames(meeting, this.locales.ofUser(user)) });
  }
}

/** A task as the boards show it: overdue once open past its due time. */
function boardRow(t: Omit<TaskBoardRow, 'overdue'>, now: Date): TaskBoardRow {
  return {
    id: t.id,
    title: t.title,
    department: t.department,
    assigneeId: t.assigneeId,
    status: t.status,
    priority: t.priority,
    dueAt: t.dueAt,
    doneAt: t.doneAt,
    overdue: OPEN_TASK.includes(t.status) && t.dueAt <= now,
    checklistKey: t.checklistKey,
  };
}
