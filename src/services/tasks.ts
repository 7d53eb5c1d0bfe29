/**
 * Tasks: assigned to a person or to a department (its head, who can hand it on within the
 * department), with a card in the assignee's DM, a history (`TaskEvent`), followers, nudges, due
 * reminders and an overdue escalation. Reminder job ids carry the due time
 * (`task-<id>-remind-<offset>-<dueMs>`): a new due time removes the old jobs and adds new ones, and
 * a processor whose due time no longer matches does nothing (jobs and processors: `task-reminders.ts`).
 */
import { PRIORITY_LABEL, TASK_STATUS_LABEL, taskCard, type TaskView } from '../../cards/task-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { TaskWhereInput } from '../generated/prisma/models.js';
import { UserError } from '../errors.js';
import { PRIORITY, jobIdPart, type ScheduleJobs } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { DepartmentService } from './departments.js';
import type { Directory, UserRecord } from './directory.js';
import type { MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import { TaskReminders } from './task-reminders.js';
import { OPEN_TASK } from './task-status.js';

export type TaskRow = NonNullable<Awaited<ReturnType<PrismaClient['task']['findUnique']>>>;

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
}

const taskCardId = (id: number, userId: string) => `task-${id}-${jobIdPart(userId)}`;

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
    private readonly config: Config,
  ) {
    this.reminders = new TaskReminders(db, scheduler, outbox, directory, departments, config, {
      get: (id) => this.get(id),
      time: (at) => this.time(at),
      refreshCard: (task) => this.refreshCard(task),
    });
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
        createdAt: now,
      },
    });
    const assignee = assigneeId ? await this.directory.user(assigneeId) : null;
    await this.record(task, 'created', input.creatorId, assignee ? `指派给 ${assignee.name}` : `部门「${input.department}」未设负责人，待指派`, now, false);
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

  async requireChange(task: TaskRow, user: UserRecord, verb: string): Promise<void> {
    if (await this.canChange(task, user)) return;
    const names = await this.directory.usersByIds([task.creatorId, ...(task.assigneeId ? [task.assigneeId] : [])]);
    const creator = names.find((n) => n.id === task.creatorId)?.name ?? '创建人';
    const assignee = names.find((n) => n.id === task.assigneeId)?.name;
    const head = task.department ? (await this.directory.user((await this.departments.headOf(task.department)) ?? ''))?.name : null;
    const who = [`创建人（${creator}）`, `负责人${assignee ? `（${assignee}）` : ''}`, ...(task.department ? [`${task.department}负责人${head ? `（${head}）` : ''}`] : [])];
    throw new UserError(`只有任务 #${task.id} 的${who.join('、')}或${task.meetingId ? '会议' : ''}组织者可以${verb}`);
  }

  private requireOpen(task: TaskRow): void {
    if (task.status === 'done') throw new UserError(`任务 #${task.id} 已完成`);
    if (task.status === 'cancelled') throw new UserError(`任务 #${task.id} 已取消`);
  }

  // ---- changes ---------------------------------------------------------------------------

  async accept(task: TaskRow, user: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, '接受');
    if (task.status === 'accepted') throw new UserError(`任务 #${task.id} 已接受`);
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'accepted', acceptedAt: task.acceptedAt ?? now, blockedReason: null } });
    await this.record(updated, task.status === 'blocked' ? 'resumed' : 'accepted', user.id, null, now);
    return this.refreshCard(updated);
  }

  async complete(task: TaskRow, user: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, '完成');
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'done', doneAt: now, blockedReason: null } });
    await this.reminders.unschedule(task);
    await this.record(updated, 'done', user.id, now <= task.dueAt ? '按时完成' : `逾期完成（截止 ${this.time(task.dueAt)}）`, now);
    return this.refreshCard(updated);
  }

  async block(task: TaskRow, user: UserRecord, reason: string, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, '标记受阻');
    if (!reason) throw new UserError('请写受阻原因，例如：任务 受阻 #3 等待供应商报价');
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'blocked', blockedReason: reason } });
    await this.record(updated, 'blocked', user.id, reason, now);
    return this.refreshCard(updated);
  }

  /** 转交: a department task stays within the department (its head decides who does it). */
  async transfer(task: TaskRow, user: UserRecord, to: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, '转交');
    if (to.id === task.assigneeId) throw new UserError(`任务 #${task.id} 的负责人已经是 ${to.name}`);
    if (task.department && !(await this.departments.isMember(task.department, to.id))) {
      throw new UserError(`任务 #${task.id} 属于${task.department}，只能转交给${task.department}的成员（${to.name} 不在该部门）`);
    }
    const previous = task.assigneeId;
    const updated = await this.db.task.update({ where: { id: task.id }, data: { assigneeId: to.id, status: 'open', acceptedAt: null, blockedReason: null } });
    if (previous) {
      const oldCard = taskCardId(task.id, previous);
      if (await this.cards.get(oldCard)) {
        const view = await this.view(updated);
        await this.cards.update(oldCard, () => taskCard(oldCard, view, `已转交给 ${to.name}`), PRIORITY.interactive);
      }
    }
    await this.record(updated, 'transferred', user.id, `转交给 ${to.name}`, now);
    await this.sendCard(updated, to.id);
    return updated;
  }

  async reschedule(task: TaskRow, user: UserRecord, dueAt: Date, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, '改截止时间');
    await this.reminders.unschedule(task);
    const updated = await this.db.task.update({ where: { id: task.id }, data: { dueAt } });
    await this.reminders.schedule(updated);
    await this.record(updated, 'due', user.id, `截止时间改为 ${this.time(dueAt)}（原 ${this.time(task.dueAt)}）`, now);
    return this.refreshCard(updated);
  }

  async cancel(task: TaskRow, user: UserRecord, now: Date): Promise<TaskRow> {
    this.requireOpen(task);
    await this.requireChange(task, user, '取消');
    const updated = await this.db.task.update({ where: { id: task.id }, data: { status: 'cancelled' } });
    await this.reminders.unschedule(task);
    await this.record(updated, 'cancelled', user.id, null, now);
    return this.refreshCard(updated);
  }

  async follow(task: TaskRow, user: UserRecord, followers: readonly UserRecord[], now: Date): Promise<TaskRow> {
    const self = followers.length === 1 && followers[0]!.id === user.id;
    if (!self) await this.requireChange(task, user, '添加关注人');
    const list = [...new Set([...(JSON.parse(task.followerIds) as string[]), ...followers.map((f) => f.id)])];
    const updated = await this.db.task.update({ where: { id: task.id }, data: { followerIds: JSON.stringify(list) } });
    await this.record(updated, 'followers', user.id, `关注人：${followers.map((f) => f.name).join('、')}`, now, false);
    return updated;
  }

  /** 催办: a DM to the assignee, recorded with who and when. */
  async nudge(task: TaskRow, user: UserRecord, now: Date): Promise<number> {
    this.requireOpen(task);
    const followers = JSON.parse(task.followerIds) as string[];
    if (!followers.includes(user.id)) await this.requireChange(task, user, '催办');
    if (!task.assigneeId) throw new UserError(`任务 #${task.id} 还没有负责人（${task.department ?? ''}未设负责人），请先转交给具体的人`);
    const updated = await this.db.task.update({ where: { id: task.id }, data: { nudges: { increment: 1 } } });
    const event = await this.record(updated, 'nudge', user.id, `第 ${updated.nudges} 次催办`, now, false);
    await this.outbox.enqueue({
      id: `task-${task.id}-nudge-${event}`,
      target: { kind: 'user', userId: task.assigneeId },
      content: { type: 'text', text: `📣 ${user.name} 催办任务 #${task.id}「${task.title}」（截止 ${this.time(task.dueAt)}，${TASK_STATUS_LABEL[task.status]}）。完成后请点卡片「完成」或回复：任务 完成 #${task.id}` },
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

  /** Overdue: the department head and the creator are told (once per due time). */
  overdue(data: ScheduleJobs['task.overdue'], now: Date): Promise<string> {
    return this.reminders.overdue(data, now);
  }

  // ---- lists, cards and views -----------------------------------------------------------

  async list(where: TaskWhereInput): Promise<TaskRow[]> {
    return this.db.task.findMany({ where, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: 50 });
  }

  /** One line per task, as in lists: `#3 [高] 布置会场 · 张伟（行政部）· 截止 … · 进行中`. */
  async line(task: TaskRow, now: Date): Promise<string> {
    const assignee = task.assigneeId ? (await this.directory.user(task.assigneeId))?.name : null;
    const overdue = OPEN_TASK.includes(task.status) && task.dueAt < now ? ' ⚠️逾期' : '';
    const priority = task.priority !== 'normal' ? `[${PRIORITY_LABEL[task.priority]}] ` : '';
    return `#${task.id} ${priority}${task.title} · ${assignee ?? '待指派'}${task.department ? `（${task.department}）` : ''} · 截止 ${this.time(task.dueAt)} · ${TASK_STATUS_LABEL[task.status]}${overdue}`;
  }

  private async sendCard(task: TaskRow, userId: string): Promise<void> {
    const cardId = taskCardId(task.id, userId);
    const card = taskCard(cardId, await this.view(task));
    if (await this.cards.get(cardId)) {
      // Handed back to someone who had it before: their card comes back to life.
      await this.cards.update(cardId, () => card, PRIORITY.interactive);
      return;
    }
    await this.cards.send(card, { kind: 'task', refId: String(task.id), target: { kind: 'user', userId }, recipientUserId: userId, priority: PRIORITY.interactive });
  }

  /** Updates the current assignee's card. */
  private async refreshCard(task: TaskRow): Promise<TaskRow> {
    if (!task.assigneeId) return task;
    const cardId = taskCardId(task.id, task.assigneeId);
    if (!(await this.cards.get(cardId))) return task;
    const view = await this.view(task);
    await this.cards.update(cardId, () => taskCard(cardId, view), PRIORITY.interactive);
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
  private async record(task: TaskRow, kind: string, actorId: string | null, text: string | null, now: Date, notify = true): Promise<number> {
    const event = await this.db.taskEvent.create({ data: { taskId: task.id, kind, actorId, text, createdAt: now } });
    if (!notify) return event.id;
    const actor = actorId ? await this.directory.user(actorId) : null;
    const audience = [task.creatorId, ...(JSON.parse(task.followerIds) as string[]), ...(kind === 'transferred' ? [] : task.assigneeId ? [task.assigneeId] : [])];
    const recipients = [...new Set(audience)].filter((id) => id !== actorId);
    const what = { accepted: '已接受', resumed: '已继续处理', done: '已完成', blocked: '标记受阻', transferred: '已转交', due: '修改了截止时间', cancelled: '已取消' }[kind] ?? kind;
    const message = `📋 任务 #${task.id}「${task.title}」：${actor?.name ?? '系统'} ${what}${text ? `（${text}）` : ''}`;
    await this.outbox.enqueueMany(
      recipients.map((userId) => ({ id: `task-${task.id}-ev${event.id}-${jobIdPart(userId)}`, target: { kind: 'user' as const, userId }, content: { type: 'text' as const, text: message }, priority: PRIORITY.interactive })),
    );
    return event.id;
  }
}