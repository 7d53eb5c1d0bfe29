/**
 * 任务 / task: assign to @someone or a department (its head), the card's text fallbacks
 * (接受 / 完成 / 受阻 / 转交), due changes, followers, nudges (催办) and lists; plus the task
 * card's buttons. Permission checks are in the TaskService (creator, assignee, department head,
 * organizer); every refusal says why.
 */
import { PRIORITY_LABEL, TASK_ACTIONS, TASK_STATUS_LABEL } from '../cards/task-cards.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { Services } from '../src/services/services.js';
import { OPEN_TASK } from '../src/services/task-status.js';
import type { TaskRow } from '../src/services/tasks.js';
import { formatDateTime, parseTime } from '../src/time/parse-time.js';
import { matchSub } from './args.js';
import { createFromSpec, loadTask, parseAssignment, resolvePerson, takeTaskId } from './task-args.js';

const SUB = {
  list: ['列表', 'list', 'ls'],
  show: ['查看', '详情', 'show'],
  nudge: ['催办', '催', 'nudge'],
  accept: ['接受', 'accept'],
  done: ['完成', 'done'],
  block: ['受阻', '阻塞', 'block'],
  transfer: ['转交', 'transfer'],
  due: ['改期', 'due'],
  follow: ['关注', 'follow'],
  cancel: ['取消', 'cancel'],
} as const;

export const taskCommand: CommandSpec = {
  id: 'task',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'list':
        return list(ctx, rest);
      case 'show':
        return show(ctx, takeTaskId(rest, '任务 查看 #1').id);
      case null:
        if (/^#?\d+$/.test(ctx.args)) return show(ctx, takeTaskId(ctx.args, '任务 #1').id);
        if (!ctx.args) throw new UsageError('请写任务');
        return createFromSpec(ctx, await parseAssignment(ctx, ctx.args));
      default:
        return change(ctx, sub, rest);
    }
  },
};

async function change(ctx: CommandContext, sub: Exclude<keyof typeof SUB, 'list' | 'show'>, args: string): Promise<string> {
  const { id, rest } = takeTaskId(args, `任务 ${SUB[sub][0]} #1`);
  const task = await loadTask(ctx, id);
  const s = ctx.services.tasks;
  switch (sub) {
    case 'accept':
      await s.accept(task, ctx.user, ctx.now);
      return `✅ 已接受任务 #${id}「${task.title}」`;
    case 'done': {
      const done = await s.complete(task, ctx.user, ctx.now);
      return `🎉 任务 #${id}「${task.title}」已完成${done.doneAt! <= done.dueAt ? '（按时）' : '（逾期完成）'}`;
    }
    case 'block':
      if (!rest) throw new UsageError('缺少受阻原因');
      await s.block(task, ctx.user, rest, ctx.now);
      return `⛔ 任务 #${id} 已标记受阻：${rest}，已告知创建人`;
    case 'transfer': {
      const to = ctx.mentions[0] ?? (rest ? await resolvePerson(ctx, ctx.user.platform, rest) : null);
      if (!to) throw new UsageError('请 @ 要转交给的人');
      await s.transfer(task, ctx.user, to, ctx.now);
      return `➡️ 任务 #${id} 已转交给 ${to.name}`;
    }
    case 'due': {
      const parsed = parseTime(rest, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
      if (!parsed.ok) throw new UsageError(parsed.message);
      if (parsed.kind !== 'once') throw new UsageError('截止时间不能是循环时间');
      await s.reschedule(task, ctx.user, parsed.at, ctx.now);
      return `🕒 任务 #${id} 截止时间改为 ${s.time(parsed.at)}，提醒已按新时间重排`;
    }
    case 'follow': {
      const who = ctx.mentions.length > 0 ? ctx.mentions : [ctx.user];
      await s.follow(task, ctx.user, who, ctx.now);
      return `👀 ${who.map((w) => w.name).join('、')} 已关注任务 #${id}，之后的每次变化都会通知`;
    }
    case 'cancel':
      await s.cancel(task, ctx.user, ctx.now);
      return `🚫 任务 #${id} 已取消，提醒已撤销`;
    case 'nudge': {
      const n = await s.nudge(task, ctx.user, ctx.now);
      return `📣 已催办任务 #${id}（第 ${n} 次，已记录）`;
    }
  }
}

async function show(ctx: CommandContext, id: number): Promise<string> {
  const task = await loadTask(ctx, id);
  const s = ctx.services;
  const view = await s.tasks.view(task);
  const history = await s.tasks.history(id);
  const people = await s.directory.usersByIds([...new Set(history.flatMap((h) => (h.actorId ? [h.actorId] : [])))]);
  const followers = await s.directory.usersByIds(JSON.parse(task.followerIds) as string[]);
  const zone = s.config.HUIWU_TIMEZONE;
  return [
    `任务 #${id}「${task.title}」· ${TASK_STATUS_LABEL[task.status]}${view.overdue ? ' ⚠️逾期' : ''}`,
    `负责人：${view.assignee ?? '待指派'}${task.department ? `（${task.department}）` : ''} · 创建人：${view.creator}`,
    `截止：${view.due} · 优先级 ${PRIORITY_LABEL[task.priority]}${view.meeting ? ` · 会议 ${view.meeting}` : ''}`,
    ...(task.blockedReason && task.status === 'blocked' ? [`受阻原因：${task.blockedReason}`] : []),
    ...(followers.length ? [`关注人：${followers.map((f) => f.name).join('、')}`] : []),
    `催办 ${task.nudges} 次`,
    '记录：',
    ...history.map((h) => `${formatDateTime(h.createdAt, zone).slice(5)} ${h.actorId ? (people.find((p) => p.id === h.actorId)?.name ?? h.actorId) : '系统'} ${KIND_LABEL[h.kind] ?? h.kind}${h.text ? `：${h.text}` : ''}`),
  ].join('\n');
}

const KIND_LABEL: Record<string, string> = {
  created: '创建', accepted: '接受', resumed: '继续', done: '完成', blocked: '受阻', transferred: '转交', due: '改期', cancelled: '取消', followers: '添加关注', nudge: '催办', overdue: '逾期',
};

async function list(ctx: CommandContext, args: string): Promise<string> {
  const s = ctx.services;
  const { sub, rest } = matchSub(args, { meeting: ['会议', 'meeting'], department: ['部门', 'dept'], overdue: ['逾期', 'overdue'], mine: ['我的', 'mine'] });
  let title: string;
  let rows: TaskRow[];
  if (sub === 'meeting') {
    const meeting = rest ? await s.meetings.get(Number(rest.replace('#', ''))) : await s.meetings.current(ctx.conversation.id, ctx.now);
    if (!meeting) throw new UserError(rest ? `会议 ${rest} 不存在` : '本群当前没有会议，请写会议编号：任务 列表 会议 #1');
    title = `会议 #${meeting.id}「${meeting.title}」的任务`;
    rows = await s.tasks.list({ meetingId: meeting.id, status: { not: 'cancelled' } });
  } else if (sub === 'department') {
    const name = rest || ctx.user.department;
    if (!name) throw new UsageError('请写部门名称');
    await s.departments.require(name);
    title = `${name}的未完成任务`;
    rows = await s.tasks.list({ department: name, status: { in: OPEN_TASK } });
  } else if (sub === 'overdue') {
    const all = ctx.user.roles.some((r) => r === 'organizer' || r === 'admin');
    title = all ? '逾期任务（全部）' : '与你有关的逾期任务';
    rows = (await s.tasks.list({ status: { in: OPEN_TASK }, dueAt: { lt: ctx.now } })).filter((t) => all || related(t, ctx.user));
  } else {
    if (args && !sub) throw new UsageError(`不认识「${args}」：可以写 会议、部门、逾期`);
    title = '你负责的未完成任务';
    rows = await s.tasks.list({ assigneeId: ctx.user.id, status: { in: OPEN_TASK } });
  }
  if (rows.length === 0) return `${title}：无`;
  const lines = await Promise.all(rows.map((t) => s.tasks.line(t, ctx.now)));
  return `${title}（${rows.length}）：\n${lines.join('\n')}`;
}

function related(task: TaskRow, user: UserRecord): boolean {
  return task.assigneeId === user.id || task.creatorId === user.id || (JSON.parse(task.followerIds) as string[]).includes(user.id) || (user.roles.includes('department_head') && task.department === user.department);
}

// ---- card actions ---------------------------------------------------------------------

async function cardTask(services: Services, refId: string): Promise<TaskRow> {
  const task = await services.tasks.get(Number(refId));
  if (!task) throw new UserError('任务不存在');
  return task;
}

export const taskActions: CardActionSpec[] = [
  {
    key: TASK_ACTIONS.accept,
    async handle({ card, user, services, now }) {
      await services.tasks.accept(await cardTask(services, card.refId), user, now);
      return { accepted: true, message: '已接受' };
    },
  },
  {
    key: TASK_ACTIONS.done,
    async handle({ card, user, services, now }) {
      const done = await services.tasks.complete(await cardTask(services, card.refId), user, now);
      return { accepted: true, message: done.doneAt! <= done.dueAt ? '已完成（按时）' : '已完成（逾期）' };
    },
  },
  {
    key: TASK_ACTIONS.block,
    async handle({ card, user, services, now, event }) {
      const reason = event.values.reason?.trim() ?? '';
      if (!reason) return { accepted: false, reason: '请填写受阻原因' };
      await services.tasks.block(await cardTask(services, card.refId), user, reason, now);
      return { accepted: true, message: '已标记受阻，已告知创建人' };
    },
  },
  {
    key: TASK_ACTIONS.transfer,
    async handle({ card, user, services, now, event }) {
      const to = await resolvePerson({ services }, user.platform, event.values.to ?? '');
      await services.tasks.transfer(await cardTask(services, card.refId), user, to, now);
      return { accepted: true, message: `已转交给 ${to.name}` };
    },
  },
];
