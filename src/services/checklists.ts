/**
 * Preparation checklists: a template of the usual stages, each with a default department and a due
 * offset before the meeting, applied to a meeting as department tasks. The preparation completion
 * rate is items done on time / items due (due time passed, or done), overall and per department,
 * against the target (98 %). While items are open, organizers get a daily digest (a BullMQ job
 * scheduler per meeting, removed once nothing is open or the meeting is over).
 */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { Translator } from '../i18n/translator.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import template from './checklist-template.json' with { type: 'json' };
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import { OPEN_TASK } from './task-status.js';
import type { TaskRow, TaskService } from './tasks.js';

declare module './services.js' {
  interface Services {
    checklists: ChecklistService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Daily preparation digest of a meeting's checklist to its organizers (a job scheduler). */
    'checklist.digest': { meetingId: number };
  }
}

export interface ChecklistItemTemplate {
  /** The item's name is `checklist.items.<key>`, in the language of the organizer who applies it. */
  key: string;
  /** A department's name as stored (data, the same in every language). */
  department: string;
  /** Due this long before the meeting starts, in ms. */
  beforeMs: number;
}

const H = 3_600_000;

/** The default template, from the usual stages of preparing a meeting (checklist-template.json). */
export const DEFAULT_CHECKLIST: readonly ChecklistItemTemplate[] = template.map((i) => ({ key: i.key, department: i.department, beforeMs: i.beforeHours * H }));

export interface RateLine {
  due: number;
  onTime: number;
  /** null when nothing is due yet. */
  rate: number | null;
}

export interface ChecklistReport extends RateLine {
  items: TaskRow[];
  late: number;
  overdueOpen: number;
  notDue: number;
  /** department null: items without one. */
  byDepartment: Array<RateLine & { department: string | null }>;
  target: number;
}

export const digestSchedulerId = (meetingId: number) => `checklist-digest-${meetingId}`;

export class ChecklistService {
  constructor(
    private readonly db: PrismaClient,
    private readonly tasks: TaskService,
    private readonly meetings: MeetingService,
    private readonly scheduler: Scheduler,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly config: Config,
  ) {}

  /**
   * Creates the template's items as department tasks, named in `t`'s language (the organizer's);
   * items already on the meeting are kept as they are.
   */
  async apply(meeting: MeetingRow, creatorId: string, now: Date, t: Translator, template: readonly ChecklistItemTemplate[] = DEFAULT_CHECKLIST): Promise<{ created: TaskRow[]; skipped: string[] }> {
    if (meeting.status !== 'scheduled') throw new UserError('E_CHECKLIST_MEETING_CANCELLED', { id: meeting.id });
    const existing = new Set((await this.items(meeting.id)).map((t) => t.checklistKey));
    const created: TaskRow[] = [];
    const skipped: string[] = [];
    for (const item of template) {
      if (existing.has(item.key)) {
        skipped.push(item.key);
        continue;
      }
      // A stage whose usual due time has passed is due soon instead (never after the start).
      const usual = meeting.startAt.getTime() - item.beforeMs;
      const due = usual > now.getTime() ? usual : Math.min(meeting.startAt.getTime(), now.getTime() + H);
      created.push(
        await this.tasks.create(
          { title: t.t(`checklist.items.${item.key}`), creatorId, department: item.department, meetingId: meeting.id, conversationId: meeting.conversationId, priority: 'normal', dueAt: new Date(due), checklistKey: item.key },
          now,
        ),
      );
    }
    await this.scheduler.recurring('checklist.digest', digestSchedulerId(meeting.id), this.config.HUIWU_CHECKLIST_DIGEST_CRON, this.config.HUIWU_TIMEZONE, { meetingId: meeting.id });
    return { created, skipped };
  }

  async items(meetingId: number): Promise<TaskRow[]> {
    return this.db.task.findMany({ where: { meetingId, checklistKey: { not: null }, status: { not: 'cancelled' } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }] });
  }

  async report(meetingId: number, now: Date): Promise<ChecklistReport> {
    const items = await this.items(meetingId);
    const counted = (t: TaskRow) => t.status === 'done' || t.dueAt <= now;
    const onTime = (t: TaskRow) => t.status === 'done' && t.doneAt !== null && t.doneAt <= t.dueAt;
    const rateOf = (list: TaskRow[]): RateLine => {
      const due = list.filter(counted);
      const ok = due.filter(onTime).length;
      return { due: due.length, onTime: ok, rate: due.length === 0 ? null : ok / due.length };
    };
    const departments = [...new Set(items.map((t) => t.department))];
    return {
      ...rateOf(items),
      items,
      late: items.filter((t) => t.status === 'done' && !onTime(t)).length,
      overdueOpen: items.filter((t) => OPEN_TASK.includes(t.status) && t.dueAt <= now).length,
      notDue: items.filter((t) => !counted(t)).length,
      byDepartment: departments.map((department) => ({ department, ...rateOf(items.filter((t) => t.department === department)) })),
      target: this.config.HUIWU_PREP_TARGET_PERCENT,
    };
  }

  /** `准备完成率 66.7%（2/3 项按时完成，目标 98%）❌`, the counts and one figure per department, in `t`'s language. */
  summaryLines(t: Translator, report: ChecklistReport): string[] {
    const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
    const mark = report.rate === null ? '' : t.t(report.rate * 100 >= report.target ? 'checklist.rateOk' : 'checklist.rateBad');
    const departments = report.byDepartment.map((d) =>
      t.t('checklist.departmentRate', { department: d.department ?? t.t('checklist.noDepartment'), rate: pct(d.rate), onTime: d.onTime, due: d.due }),
    );
    return [
      t.t('checklist.rate', { rate: pct(report.rate), onTime: report.onTime, due: report.due, target: report.target, mark }),
      t.t('checklist.counts', { late: report.late, overdueOpen: report.overdueOpen, notDue: report.notDue }),
      t.t('checklist.byDepartment', { lines: departments.join(' · ') }),
    ];
  }

  /** The daily digest to the organizers; stops itself once nothing is open or the meeting is over. */
  async digest(meetingId: number, occurrence: string, now: Date): Promise<string> {
    const meeting = await this.meetings.get(meetingId);
    const report = meeting ? await this.report(meetingId, now) : null;
    const open = report?.items.filter((t) => OPEN_TASK.includes(t.status)) ?? [];
    if (!meeting || !report || meeting.status !== 'scheduled' || meeting.startAt <= now || open.length === 0) {
      await this.scheduler.removeRecurring(digestSchedulerId(meetingId));
      return 'stopped';
    }
    const organizers = this.meetings.organizerIds(meeting);
    const readers = await this.locales.forUsers(organizers);
    // One text per language, not per organizer.
    const texts = new Map<Translator, Promise<string>>();
    const textFor = (t: Translator) => {
      let text = texts.get(t);
      if (!text) {
        text = (async () => {
          const lines = await Promise.all(open.slice(0, 20).map((task) => this.tasks.line(t, task, now)));
          return [t.t('checklist.digest', { id: meeting.id, title: meeting.title, count: open.length }), ...this.summaryLines(t, report), ...lines, t.t('checklist.digestFooter', { id: meeting.id })].join('\n');
        })();
        texts.set(t, text);
      }
      return text;
    };
    await this.outbox.enqueueMany(
      await Promise.all(
        organizers.map(async (userId) => ({
          id: `checklist-digest-m${meetingId}-${jobIdPart(occurrence)}-${jobIdPart(userId)}`,
          target: { kind: 'user' as const, userId },
          content: { type: 'text' as const, text: await textFor(readers.get(userId)!) },
          priority: PRIORITY.normal,
        })),
      ),
    );
    return `digest to ${this.meetings.organizerIds(meeting).length}`;
  }
}
