/**
 * Tasks: assigned to a person or to a department (its head, who can hand it on within the
 * department), with a card in the assignee's DM, a history (`TaskEvent`), followers, nudges, due
 * reminders and an overdue escalation. Reminder job ids carry the due time
 * (`task-<id>-remind-<offset>-<dueMs>`): a new due time removes the old jobs and adds new ones, and
 * a processor whose due time no longer matches does nothing (jobs and processors: `task-reminders.ts`).
 */
import { priorityLabel, statusLabel, taskCard, type ClosedState, type TaskView } from '../../cards/task-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { TaskWhereInput } from '../generated/prisma/models.js';
import { UserError } from '../errors.js';
import { type Translator, msg } from '../i18n/translator.js';
import { PRIORITY, jobIdPart, type ScheduleJobs } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { DepartmentService } from './departments.js';
import type { Directory, UserRecord } from './directory.js';
import type { DomainEvents } from './events.js';
import type { LocaleService } from './locales.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import { type Note, encodeNote, note, renderNote } from './task-events.js';
import { TaskReminders } from './task-reminders.js';
import { OPEN_TASK, type TaskRow } from './task-status.js';

declare module './services.js' {
  interface Services {
    tasks: TaskService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Task due reminder `offset` before `dueAt` (ms; a moved due time makes the job stale). */
    'task.remind': { taskId: number; offset: string; dueAt: number };
    /** Unfinished after its due time (`dueAt` ms): escalation to the department head and the creator. */
    'task.overdue': { taskId: number; dueAt: number };
  }
}

export type { TaskRow };

export interface NewTask {
  title: string;
  creatorId: string;
  /** A person; with `department` unset this is a personal task. */
  assigneeId?: string | null;
  /** A department: the task goes to its head. */
  department?: string | null;
  meetingId: number | null;
  incidentId?: number | null;
  conversationId: string;
  priority: string;
  dueAt: Date;
  checklistKey?: string | null;
  /** The supplier whose work it is (its on-time completion feeds the supplier's scorecard). */
  supplierId?: number | null;
}

const taskCardId = (id: number, userId: string) => `task-${id}-${jobIdPart(userId)}`;

/** What someone wanted to do, for a refusal (`task.verb.*`). */
export type TaskVerb = 'accept' | 'complete' | 'block' | 'transfer' | 'reschedule' | 'cancel' | 'follow' | 'nudge';

export class TaskService {
  private readonly reminders: TaskReminders;

  constructor(
    private readonly db: PrismaClient,
    scheduler: Scheduler,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly directory: Directory,
    private readonly departments: DepartmentService,
    private readonly meetings: MeetingService,
    private readonly locales: LocaleService,
    private readonly config: Config,
    private readonly events: DomainEvents,
  ) {
    this.reminders = new TaskReminders(db, scheduler, outbox, directory, departments, locales, config, {
      get: (id) => this.get(id),
      refreshCard: (task) => this.refreshCard(task),
    });
  }

  /** Tasks made from an incident's follow-up actions. */
  async forIncident(incidentId: number): Promise<TaskRow[]> {
    return this.db.task.findMany({ where: { incidentId } });
  }

  async get(id: number): Promise<TaskRow | null> {
    return this.db.task.findUnique({ where: { id } });
  }

  async create(input: NewTask, now: Date): Promise<TaskRow> {
    let assigneeId = input.assigneeId ?? null;
    if (input.department) {
      const dept = await this.departments.require(input.department);
      assigneeId = dept.headUserId;
    }
    const task = await this.db.task.create({
      data: {
        title: input.title,
        creatorId: input.creatorId,
        assigneeId,
        department: input.department ?? null,
        meetingId: input.meetingId,
        incidentId: input.incidentId ?? null,
        conversationId: input.conversationId,
        priority: input.priority,
        dueAt: input.dueAt,
        checklistKey: input.checklistKey ?? null,
        supplierId: input.supplierId ?? null,
        createdAt: now,
      },
    });
    const assignee = assigneeId ? await this.directory.user(assigneeId) : null;
    const created = assignee ? note('task.note.assigned', { name: assignee.name }) : note('task.note.unassigned', { department: input.department ?? '' });
    await this.record(task, 'created', input.creatorId, created, now, false);
    if (assigneeId) await this.sendCard(task, assigneeId);
    await this.reminders.schedule(task);
    return task;
  }

  // ---- permissions ---------------------------------------------------------------------

  /** Creator, assignee, the department's head or an organizer (of the task's meeting; of anything without one) may change a task. */
  async canChange(task: TaskRow, user: UserRecord): Promise<boolean> {
    if (user.roles.includes('admin') || user.id === task.creatorId || user.id === task.assigneeId) return true;
    if (task.department && (await this.departments.headOf(task.department)) === user.id) return true;
    const meeting = task.meetingId ? await this.meetings.get(task.meetingId) : null;
    return meeting ? this.meetings.isOrganizer(meeting, user) : user.roles.includes('organizer');
  }

  async requireChange(task: TaskRow, user: UserRecord, verb: TaskVerb): Promise<void> {
    if (await this.canChange(task, user)) return;
    const names = await this.directory.usersByIds([task.creatorId, ...(task.assigneeId ? [task.assigneeId] : [])]);
    const name = (id: string | null | undefined) => names.find((n) => n.id === id)?.name;
    const paren = (text: string | null | undefined) => (text ? msg('task.paren', { text }) : '');
    const params = {
      id: task.id,
      creator: name(task.creatorId) ?? task.creatorId,
      assignee: paren(name(task.assigneeId)),
      organizers: msg(task.meetingId ? 'task.role.meetingOrganizers' : 'task.role.organizers'),
      verb: msg(`task.verb.${verb}`),
    };
    if (!task.department) throw new UserError('E_TASK_NOT_ALLOWED', params);
    const headId = await this.departments.headOf(task.department);
    const head = headId ? (await this.directory.user(headId))?.name : null;
    throw new UserError('E_TASK_NOT_ALLOWED_DEPT', { ...params, department: task.department, head: paren(head) });
  }

  private requireOpen(task: TaskRow): void {
    if (task.status === 'done') throw new UserError('E_TASK_DONE', { id: task.id });
    if (task.status === 'cancelled') throw new UserError('E_TASK_CANCELLED', { id: task.id });
  }

  // ---- changes ---------------------------------------------------------------------------

  async accept(task: TaskRow, user: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, 'accept');
    if (task.status === 'accepted') throw new UserError('E_TASK_ALREADY_ACCEPTED', { id: task.id });
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'accepted', acceptedAt: task.acceptedAt ?? now, blockedReason: null } });
    await this.record(updated, task.status === 'blocked' ? 'resumed' : 'accepted', user.id, null, now);
    return this.refreshCard(updated);
  }

  async complete(task: TaskRow, user: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, 'complete');
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'done', doneAt: now, blockedReason: null } });
    await this.reminders.unschedule(task);
    await this.record(updated, 'done', user.id, now <= task.dueAt ? note('task.note.doneOnTime') : note('task.note.doneLate', { due: task.dueAt }), now);
    return this.refreshCard(updated);
  }

  async block(task: TaskRow, user: UserRecord, reason: string, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, 'block');
    if (!reason) throw new UserError('E_TASK_BLOCK_REASON');
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'blocked', blockedReason: reason } });
    await this.record(updated, 'blocked', user.id, note('task.note.text', { text: reason }), now);
    return this.refreshCard(updated);
  }

  /** 转交: a department task stays within the department (its head decides who does it). */
  async transfer(task: TaskRow, user: UserRecord, to: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, 'transfer');
    if (to.id === task.assigneeId) throw new UserError('E_TASK_SAME_ASSIGNEE', { id: task.id, name: to.name });
    if (task.department && !(await this.departments.isMember(task.department, to.id))) {
      throw new UserError('E_TASK_TRANSFER_OUTSIDE', { id: task.id, department: task.department, name: to.name });
    }
    const previous = task.assigneeId;
    const updated = await this.db.task.update({ where: { id: task.id }, data: { assigneeId: to.id, status: 'open', acceptedAt: null, blockedReason: null } });
    if (previous) {
      const oldCard = taskCardId(task.id, previous);
      if (await this.cards.get(oldCard)) {
        const view = await this.view(updated);
        const closed: ClosedState = { transferredTo: to.name };
        await this.cards.update(oldCard, (_card, t) => taskCard(t, oldCard, view, closed), PRIORITY.interactive);
      }
    }
    await this.record(updated, 'transferred', user.id, note('task.note.transferred', { name: to.name }), now);
    await this.sendCard(updated, to.id);
    return updated;
  }

  async reschedule(task: TaskRow, user: UserRecord, dueAt: Date, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, 'reschedule');
    await this.reminders.unschedule(task);
    const updated = await this.db.task.update({ where: { id: task.id }, data: { dueAt } });
    await this.reminders.schedule(updated);
    await this.record(updated, 'due', user.id, note('task.note.due', { due: dueAt, old: task.dueAt }), now);
    return this.refreshCard(updated);
  }

  async cancel(task: TaskRow, user: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, 'cancel');
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'cancelled' } });
    await this.reminders.unschedule(task);
    await this.record(updated, 'cancelled', user.id, null, now);
    return this.refreshCard(updated);
  }

  async follow(task: TaskRow, user: UserRecord, followers: readonly UserRecord[], now: Date): Promise<TaskRow> {
    const self = followers.length === 1 && followers[0]!.id === user.id;
    if (!self) await this.requireChange(task, user, 'follow');
    const list = [...new Set([...(JSON.parse(task.followerIds) as string[]), ...followers.map((f) => f.id)])];
    const updated = await this.db.task.update({ where: { id: task.id }, data: { followerIds: JSON.stringify(list) } });
    await this.record(updated, 'followers', user.id, note('task.note.followers', { names: followers.map((f) => f.name) }), now, false);
    return updated;
  }

  /** 催办: a DM to the assignee, recorded with who and when. */
  async nudge(task: TaskRow, user: UserRecord, now: Date): Promise<number> {
    this.requireOpen(task);
    const followers = JSON.parse(task.followerIds) as string[];
    if (!followers.includes(user.id)) await this.requireChange(task, user, 'nudge');
    if (!task.assigneeId) throw new UserError('E_TASK_NUDGE_NO_ASSIGNEE', { id: task.id, department: task.department ?? '' });
    const updated = await this.db.task.update({ where: { id: task.id }, data: { nudges: { increment: 1 } } });
    const event = await this.record(updated, 'nudge', user.id, note('task.note.nudge', { count: updated.nudges }), now, false);
    const t = await this.locales.forUser(task.assigneeId);
    await this.outbox.enqueue({
      id: `task-${task.id}-nudge-${event}`,
      target: { kind: 'user', userId: task.assigneeId },
      content: { type: 'text', text: t.t('task.notify.nudge', { name: user.name, id: task.id, title: task.title, due: task.dueAt, status: statusLabel(t, task.status) }) },
      priority: PRIORITY.interactive,
    });
    return updated.nudges;
  }

  async history(taskId: number) {
    return this.db.taskEvent.findMany({ where: { taskId }, orderBy: { id: 'asc' } });
  }
  // ---- reminders (schedule processors, in task-reminders.ts) ----------------------------------

  remind(data: ScheduleJobs['task.remind']): Promise<string> {
    return this.reminders.remind(data);
  }

  /** Overdue: escalated to the department head (the task's, else the assignee's) and the creator; followers are told; once per due time. */
  overdue(data: ScheduleJobs['task.overdue'], now: Date): Promise<string> {
    return this.reminders.overdue(data, now);
  }

  // ---- lists, cards and views -----------------------------------------------------------

  async list(where: TaskWhereInput): Promise<TaskRow[]> {
    return this.db.task.findMany({ where, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: 50 });
  }

  /** One line per task, as in lists: `#3 [高] 布置会场 · 张伟（行政部） · 截止 … · 进行中`, in `t`'s language. */
  async line(t: Translator, task: TaskRow, now: Date): Promise<string> {
    const assignee = task.assigneeId ? (await this.directory.user(task.assigneeId))?.name : null;
    return t.t('task.line', {
      id: task.id,
      priority: task.priority !== 'normal' ? t.t('task.linePriority', { priority: priorityLabel(t, task.priority) }) : '',
      title: task.title,
      assignee: assignee ?? t.t('task.unassigned'),
      department: task.department ? t.t('task.paren', { text: task.department }) : '',
      due: task.dueAt,
      status: statusLabel(t, task.status),
      overdue: OPEN_TASK.includes(task.status) && task.dueAt < now ? t.t('task.overdueFlag') : '',
    });
  }

  private async sendCard(task: TaskRow, userId: string): Promise<void> {
    const cardId = taskCardId(task.id, userId);
    const view = await this.view(task);
    if (await this.cards.get(cardId)) {
      // Handed back to someone who had it before: their card comes back to life.
      await this.cards.update(cardId, (_card, t) => taskCard(t, cardId, view), PRIORITY.interactive);
      return;
    }
    await this.cards.send(taskCard(await this.locales.forUser(userId), cardId, view), { kind: 'task', refId: String(task.id), target: { kind: 'user', userId }, recipientUserId: userId, priority: PRIORITY.interactive });
  }

  /** Updates the current assignee's card. */
  private async refreshCard(task: TaskRow): Promise<TaskRow> {
    if (!task.assigneeId) return task;
    const cardId = taskCardId(task.id, task.assigneeId);
    if (!(await this.cards.get(cardId))) return task;
    const view = await this.view(task);
    await this.cards.update(cardId, (_card, t) => taskCard(t, cardId, view), PRIORITY.interactive);
    return task;
  }

  async view(task: TaskRow): Promise<TaskView> {
    const people = await this.directory.usersByIds([task.creatorId, ...(task.assigneeId ? [task.assigneeId] : [])]);
    const meeting = task.meetingId ? await this.meetings.get(task.meetingId) : null;
    const members = task.department ? await this.departments.members(task.department) : [];
    return {
      id: task.id,
      title: task.title,
      status: task.status,
      priority: task.priority,
      due: this.time(task.dueAt),
      creator: people.find((p) => p.id === task.creatorId)?.name ?? task.creatorId,
      assignee: people.find((p) => p.id === task.assigneeId)?.name ?? null,
      department: task.department,
      meeting: meeting ? `#${meeting.id} ${meeting.title}` : null,
      blockedReason: task.blockedReason,
      transferOptions: members.filter((m) => m.id !== task.assigneeId).map((m) => ({ value: m.id, label: m.name })),
      overdue: OPEN_TASK.includes(task.status) && task.dueAt.getTime() < Date.now(),
    };
  }

  time(at: Date): string {
    return formatDateTime(at, this.config.HUIWU_TIMEZONE);
  }

  /**
   * Records a change and tells the creator, the followers and the assignee (whoever did not make
   * it). Message ids derive from the event id, so a retried job tells once. Returns the event id.
   */
  private async record(task: TaskRow, kind: string, actorId: string | null, detail: Note | null, now: Date, notify = true): Promise<number> {
    const event = await this.db.taskEvent.create({ data: { taskId: task.id, kind, actorId, text: encodeNote(detail), createdAt: now } });
    await this.events.emit('task.changed', { taskId: task.id, meetingId: task.meetingId });
    if (!notify) return event.id;
    const actor = actorId ? await this.directory.user(actorId) : null;
    const audience = [task.creatorId, ...(JSON.parse(task.followerIds) as string[]), ...(kind === 'transferred' ? [] : task.assigneeId ? [task.assigneeId] : [])];
    const recipients = [...new Set(audience)].filter((id) => id !== actorId);
    const readers = await this.locales.forUsers(recipients);
    const message = (t: Translator) =>
      t.t('task.notify.event', {
        id: task.id,
        title: task.title,
        actor: actor?.name ?? t.t('common.system'),
        what: t.has(`task.what.${kind}`) ? t.t(`task.what.${kind}`) : kind,
        note: detail ? t.t('task.paren', { text: renderNote(t, detail) }) : '',
      });
    await this.outbox.enqueueMany(
      recipients.map((userId) => ({
        id: `task-${task.id}-ev${event.id}-${jobIdPart(userId)}`,
        target: { kind: 'user' as const, userId },
        content: { type: 'text' as const, text: message(readers.get(userId)!) },
        priority: PRIORITY.interactive,
      })),
    );
    return event.id;
  }
}