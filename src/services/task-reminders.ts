/**
 * Task due reminders and the overdue escalation, as delayed jobs whose ids carry the due time
 * (`task-<id>-remind-<offset>-<dueMs>`, `task-<id>-overdue-<dueMs>`): a new due time removes the
 * old jobs and adds new ones, completion removes them, and a processor whose due time no longer
 * matches does nothing. The task's lifecycle stays in `tasks.ts`.
 */
import { statusLabel } from '../../cards/task-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { PRIORITY, jobIdPart, type ScheduleJobs } from '../queue/queues.js';
import type { DepartmentService } from './departments.js';
import type { Directory } from './directory.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import { decodeNote, encodeNote, note } from './task-events.js';
import { OPEN_TASK } from './task-status.js';
import type { TaskRow } from './task-status.js';

/** What the reminders need from the task service: the row and the assignee's card. */
export interface ReminderHost {
  get(id: number): Promise<TaskRow | null>;
  refreshCard(task: TaskRow): Promise<TaskRow>;
}

const unique = (ids: ReadonlyArray<string | null | undefined>): string[] => [...new Set(ids.filter((id): id is string => !!id))];

export class TaskReminders {
  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Scheduler,
    private readonly outbox: Outbox,
    private readonly directory: Directory,
    private readonly departments: DepartmentService,
    private readonly locales: LocaleService,
    private readonly config: Config,
    private readonly host: ReminderHost,
  ) {}

  private jobIds(task: TaskRow): string[] {
    const due = task.dueAt.getTime();
    return [...this.config.HUIWU_TASK_REMINDERS.map((o) => `task-${task.id}-remind-${o.key}-${due}`), `task-${task.id}-overdue-${due}`];
  }

  async schedule(task: TaskRow): Promise<void> {
    const due = task.dueAt.getTime();
    for (const offset of this.config.HUIWU_TASK_REMINDERS) {
      if (due - offset.ms > Date.now()) await this.scheduler.at('task.remind', `task-${task.id}-remind-${offset.key}-${due}`, { taskId: task.id, offset: offset.key, dueAt: due }, new Date(due - offset.ms));
    }
    await this.scheduler.at('task.overdue', `task-${task.id}-overdue-${due}`, { taskId: task.id, dueAt: due }, new Date(due + this.config.HUIWU_TASK_ESCALATE_AFTER.ms));
  }

  async unschedule(task: TaskRow): Promise<void> {
    for (const id of this.jobIds(task)) await this.scheduler.cancel(id);
  }

  /** Processor re-check: the task is still open and its due time is the one the job was made for. */
  private async stillDue(taskId: number, dueAt: number): Promise<TaskRow | null> {
    const task = await this.host.get(taskId);
    return task && OPEN_TASK.includes(task.status) && task.dueAt.getTime() === dueAt ? task : null;
  }

  async remind(data: ScheduleJobs['task.remind']): Promise<string> {
    const task = await this.stillDue(data.taskId, data.dueAt);
    if (!task) return 'skipped';
    const to = task.assigneeId ?? task.creatorId;
    const atDue = this.config.HUIWU_TASK_REMINDERS.find((o) => o.key === data.offset)?.ms === 0;
    const t = await this.locales.forUser(to);
    const text = t.t(atDue ? 'task.notify.remindAtDue' : 'task.notify.remindBefore', { id: task.id, title: task.title, due: task.dueAt, status: statusLabel(t, task.status) });
    await this.outbox.enqueue({ id: `task-${task.id}-remind-${data.offset}-${data.dueAt}`, target: { kind: 'user', userId: to }, content: { type: 'text', text }, priority: PRIORITY.urgent });
    return 'reminded';
  }

  /**
   * Overdue: escalated to the department head (the task's department, else the assignee's own) and
   * the creator, and the followers are told; once per due time (a retried job finds the recorded
   * escalation and sends nothing new).
   */
  async overdue(data: ScheduleJobs['task.overdue'], now: Date): Promise<string> {
    const task = await this.stillDue(data.taskId, data.dueAt);
    if (!task || (await this.escalated(task))) return 'skipped';
    const assignee = task.assigneeId ? await this.directory.user(task.assigneeId) : null;
    const head = await this.departments.headOf(task.department ?? assignee?.department ?? null);
    const escalateTo = unique([head, task.creatorId]).filter((id) => id !== task.assigneeId);
    if (escalateTo.length === 0) escalateTo.push(task.creatorId);
    const followers = unique(JSON.parse(task.followerIds) as string[]).filter((id) => id !== task.assigneeId && !escalateTo.includes(id));
    const readers = await this.locales.forUsers([...escalateTo, ...followers]);
    const message = (userId: string, key: string) => {
      const t = readers.get(userId)!;
      const text = t.t(key, {
        id: task.id,
        title: task.title,
        due: task.dueAt,
        assignee: assignee?.name ?? t.t('task.notify.noAssignee'),
        status: statusLabel(t, task.status),
        reason: task.blockedReason ? t.t('task.paren', { text: task.blockedReason }) : '',
      });
      return { id: `task-${task.id}-overdue-${data.dueAt}-${jobIdPart(userId)}`, target: { kind: 'user' as const, userId }, content: { type: 'text' as const, text }, priority: PRIORITY.urgent };
    };
    await this.outbox.enqueueMany([...escalateTo.map((id) => message(id, 'task.notify.overdue')), ...followers.map((id) => message(id, 'task.notify.overdueFollower'))]);
    const names = (await this.directory.usersByIds(escalateTo)).map((u) => u.name);
    await this.db.taskEvent.create({ data: { taskId: task.id, kind: 'overdue', actorId: null, text: encodeNote(note('task.note.overdue', { names, due: task.dueAt })), createdAt: now } });
    await this.host.refreshCard(task);
    return `escalated to ${escalateTo.length}, told ${followers.length} followers`;
  }

  /** Whether this due time's escalation is already recorded. */
  private async escalated(task: TaskRow): Promise<boolean> {
    const events = await this.db.taskEvent.findMany({ where: { taskId: task.id, kind: 'overdue' }, select: { text: true } });
    return events.some((e) => {
      const recorded = decodeNote(e.text);
      const due = typeof recorded === 'object' ? recorded?.params?.due : null;
      return due instanceof Date && due.getTime() === task.dueAt.getTime();
    });
  }
}
