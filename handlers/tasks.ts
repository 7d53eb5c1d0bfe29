/**
 * 任务 / task: assign to @someone or a department (its head), the card's text fallbacks
 * (接受 / 完成 / 受阻 / 转交), due changes, followers, nudges (催办) and lists; plus the task
 * card's buttons. Permission checks are in the TaskService (creator, assignee, department head,
 * organizer); every refusal says why.
 */
import { TASK_ACTIONS, priorityLabel, statusLabel } from '../cards/task-cards.js';
import { words } from '../src/i18n/vocabulary.js';
import { parseShortId } from '../src/router/normalize.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { MeetingRow } from '../src/services/meetings.js';
import type { HandlerServices } from '../src/services/services.js';
import { decodeNote, renderNote } from '../src/services/task-events.js';
import { OPEN_TASK } from '../src/services/task-status.js';
import type { TaskRow } from '../src/services/tasks.js';
import { parseTime } from '../src/time/parse-time.js';
import { matchSub, timeOptions } from './args.js';
import { createFromSpec, loadTask, parseAssignment, resolvePerson, takeTaskId } from './task-args.js';
import type { Capability } from '../src/capability.js';
import { ChecklistService } from '../src/services/checklists.js';
import { TaskService } from '../src/services/tasks.js';

const SUB = {
  list: words('task.words.list'),
  show: words('task.words.show'),
  nudge: words('task.words.nudge'),
  accept: words('task.words.accept'),
  done: words('task.words.done'),
  block: words('task.words.block'),
  transfer: words('task.words.transfer'),
  due: words('task.words.reschedule'),
  follow: words('task.words.follow'),
  cancel: words('task.words.cancel'),
};

const LIST_FILTERS = {
  meeting: words('task.words.meeting'),
  department: words('task.words.department'),
  overdue: words('task.words.overdue'),
  mine: words('task.words.mine'),
};

export const taskCommand: CommandSpec = {
  id: 'task',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'list':
        return list(ctx, rest);
      case 'show':
        return show(ctx, takeTaskId(rest, ctx.args.split(' ')[0]).id);
      case null:
        // `任务 #7` shows a task; a lone `#…` that is no id is refused as one, not read as a new task.
        if (/^[#＃]\S*$|^\d+$/.test(ctx.args)) return show(ctx, takeTaskId(ctx.args).id);
        if (!ctx.args) throw new UsageError('E_TASK_EMPTY');
        return createFromSpec(ctx, await parseAssignment(ctx, ctx.args));
      default:
        return change(ctx, sub, rest);
    }
  },
};

async function change(ctx: CommandContext, sub: Exclude<keyof typeof SUB, 'list' | 'show'>, args: string): Promise<string> {
  const { id, rest } = takeTaskId(args, ctx.args.split(' ')[0]);
  const task = await loadTask(ctx, id);
  const s = ctx.services.tasks;
  const { t } = ctx;
  switch (sub) {
    case 'accept':
      await s.accept(task, ctx.user, ctx.now);
      return t.t('task.accepted', { id, title: task.title });
    case 'done': {
      const done = await s.complete(task, ctx.user, ctx.now);
      return t.t(done.doneAt! <= done.dueAt ? 'task.doneOnTime' : 'task.doneLate', { id, title: task.title });
    }
    case 'block':
      if (!rest) throw new UsageError('E_TASK_BLOCK_REASON_MISSING');
      await s.block(task, ctx.user, rest, ctx.now);
      return t.t('task.blocked', { id, reason: rest });
    case 'transfer': {
      const to = ctx.mentions[0] ?? (rest ? await resolvePerson(ctx, ctx.user, rest) : null);
      if (!to) throw new UsageError('E_TASK_TRANSFER_WHO');
      await s.transfer(task, ctx.user, to, ctx.now);
      return t.t('task.transferred', { id, name: to.name });
    }
    case 'due': {
      const parsed = parseTime(rest, timeOptions(ctx));
      if (!parsed.ok) throw new UsageError(parsed.code, parsed.params);
      if (parsed.kind !== 'once') throw new UsageError('E_TASK_DUE_RECURRING');
      await s.reschedule(task, ctx.user, parsed.at, ctx.now);
      return t.t('task.rescheduled', { id, due: parsed.at });
    }
    case 'follow': {
      const who = ctx.mentions.length > 0 ? ctx.mentions : [ctx.user];
      await s.follow(task, ctx.user, who, ctx.now);
      return t.t('task.followed', { id, names: t.list(who.map((w) => w.name)) });
    }
    case 'cancel':
      await s.cancel(task, ctx.user, ctx.now);
      return t.t('task.cancelled', { id });
    case 'nudge': {
      const count = await s.nudge(task, ctx.user, ctx.now);
      return t.t('task.nudged', { id, count });
    }
  }
}

async function show(ctx: CommandContext, id: number): Promise<string> {
  const task = await loadTask(ctx, id);
  const s = ctx.services;
  const { t } = ctx;
  const view = await s.tasks.view(task);
  const history = await s.tasks.history(id);
  const people = await s.directory.usersByIds([...new Set(history.flatMap((h) => (h.actorId ? [h.actorId] : [])))]);
  const followers = await s.directory.usersByIds(JSON.parse(task.followerIds) as string[]);
  const events = history.map((h) => {
    const detail = renderNote(t, decodeNote(h.text));
    return t.t('task.show.event', {
      time: t.dateTime(h.createdAt).slice(5),
      actor: h.actorId ? (people.find((p) => p.id === h.actorId)?.name ?? h.actorId) : t.t('common.system'),
      kind: t.has(`task.kind.${h.kind}`) ? t.t(`task.kind.${h.kind}`) : h.kind,
      note: detail ? t.t('task.show.eventNote', { note: detail }) : '',
    });
  });
  return [
    t.t('task.show.head', { id, title: task.title, status: statusLabel(t, task.status), overdue: view.overdue ? t.t('task.overdueFlag') : '' }),
    t.t('task.show.people', { assignee: view.assignee ?? t.t('task.unassigned'), department: task.department ? t.t('task.paren', { text: task.department }) : '', creator: view.creator }),
    t.t('task.show.due', { due: task.dueAt, priority: priorityLabel(t, task.priority), meeting: view.meeting ? t.t('task.show.meeting', { meeting: view.meeting }) : '' }),
    ...(task.blockedReason && task.status === 'blocked' ? [t.t('task.show.blocked', { reason: task.blockedReason })] : []),
    ...(followers.length ? [t.t('task.show.followers', { names: t.list(followers.map((f) => f.name)) })] : []),
    t.t('task.show.nudges', { count: task.nudges }),
    t.t('task.show.history'),
    ...events,
  ].join('\n');
}

async function list(ctx: CommandContext, args: string): Promise<string> {
  const s = ctx.services;
  const { t } = ctx;
  const { sub, rest } = matchSub(args, LIST_FILTERS);
  let title: string;
  let rows: TaskRow[];
  if (sub === 'meeting') {
    const meeting = await listedMeeting(ctx, rest);
    title = t.t('task.list.meeting', { id: meeting.id, title: meeting.title });
    rows = await s.tasks.list({ meetingId: meeting.id, status: { not: 'cancelled' } });
  } else if (sub === 'department') {
    const name = rest || ctx.user.department;
    if (!name) throw new UsageError('E_TASK_LIST_DEPT_MISSING');
    await s.departments.require(name);
    title = t.t('task.list.department', { department: name });
    rows = await s.tasks.list({ department: name, status: { in: OPEN_TASK } });
  } else if (sub === 'overdue') {
    const all = ctx.user.roles.some((r) => r === 'organizer' || r === 'admin');
    title = t.t(all ? 'task.list.overdueAll' : 'task.list.overdueMine');
    rows = (await s.tasks.list({ status: { in: OPEN_TASK }, dueAt: { lt: ctx.now } })).filter((task) => all || related(task, ctx.user));
  } else {
    if (args && !sub) throw new UsageError('E_TASK_LIST_UNKNOWN', { word: args });
    title = t.t('task.list.mine');
    rows = await s.tasks.list({ assigneeId: ctx.user.id, status: { in: OPEN_TASK } });
  }
  if (rows.length === 0) return t.t('task.list.empty', { title });
  const lines = await Promise.all(rows.map((task) => s.tasks.line(t, task, ctx.now)));
  return t.t('task.list.rows', { title, count: rows.length, lines: lines.join('\n') });
}

/** `会议 #3` names the meeting; nothing: the group's current one. */
async function listedMeeting(ctx: CommandContext, args: string): Promise<MeetingRow> {
  const [token, ...extra] = args.split(' ').filter(Boolean);
  if (extra.length > 0) throw new UsageError('E_TASK_LIST_UNKNOWN', { word: extra.join(' ') });
  if (!token) {
    const current = await ctx.services.meetings.current(ctx.conversation.id, ctx.now);
    if (!current) throw new UserError('E_TASK_LIST_NO_MEETING');
    return current;
  }
  const id = parseShortId(token);
  if (id === null) throw new UsageError('E_TASK_MEETING_ID', { token, example: msg('task.example.listMeeting') });
  const meeting = await ctx.services.meetings.get(id);
  if (!meeting) throw new UserError('E_TASK_MEETING_NOT_FOUND', { id });
  return meeting;
}

function related(task: TaskRow, user: UserRecord): boolean {
  return task.assigneeId === user.id || task.creatorId === user.id || (JSON.parse(task.followerIds) as string[]).includes(user.id) || (user.roles.includes('department_head') && task.department === user.department);
}

// ---- card actions ---------------------------------------------------------------------

async function cardTask(services: HandlerServices, refId: string): Promise<TaskRow> {
  const task = await services.tasks.get(Number(refId));
  if (!task) throw new UserError('E_TASK_GONE');
  return task;
}

export const taskActions: CardActionSpec[] = [
  {
    key: TASK_ACTIONS.accept,
    async handle({ card, user, services, now, t }) {
      await services.tasks.accept(await cardTask(services, card.refId), user, now);
      return { accepted: true, message: t.t('task.action.accepted') };
    },
  },
  {
    key: TASK_ACTIONS.done,
    async handle({ card, user, services, now, t }) {
      const done = await services.tasks.complete(await cardTask(services, card.refId), user, now);
      return { accepted: true, message: t.t(done.doneAt! <= done.dueAt ? 'task.action.doneOnTime' : 'task.action.doneLate') };
    },
  },
  {
    key: TASK_ACTIONS.block,
    async handle({ card, user, services, now, event, t }) {
      const reason = event.values.reason?.trim() ?? '';
      if (!reason) throw new UserError('E_TASK_CARD_REASON');
      await services.tasks.block(await cardTask(services, card.refId), user, reason, now);
      return { accepted: true, message: t.t('task.action.blocked') };
    },
  },
  {
    key: TASK_ACTIONS.transfer,
    async handle({ card, user, services, now, event, t }) {
      const to = await resolvePerson({ services }, user, event.values.to ?? '');
      await services.tasks.transfer(await cardTask(services, card.refId), user, to, now);
      return { accepted: true, message: t.t('task.action.transferred', { name: to.name }) };
    },
  },
];

/** Cross-department tasks and checklists: the task and checklist services, the command and task cards, due reminders, overdue escalation, daily digest. */
export const tasks: Capability = {
  name: 'tasks',
  services: (s) => {
    const tasks = new TaskService(s.db, s.scheduler, s.cards, s.outbox, s.directory, s.departments, s.meetings, s.locales, s.config, s.events);
    return { tasks, checklists: new ChecklistService(s.db, tasks, s.meetings, s.scheduler, s.outbox, s.locales, s.config) };
  },
  commands: [taskCommand],
  cardActions: taskActions,
  jobs: {
    'task.remind': (s, data) => s.tasks.remind(data),
    'task.overdue': (s, data) => s.tasks.overdue(data, new Date()),
    'checklist.digest': (s, data, job) => s.checklists.digest(data.meetingId, job.id ?? `${job.name}-${job.timestamp}`, new Date()),
  },
  // Tasks and checklist items of the meeting not done or cancelled.
  closeOut: async (s, meetingId, t) => {
    const now = new Date();
    const open = await s.tasks.list({ meetingId, status: { in: OPEN_TASK } });
    return Promise.all(open.map(async (task) => ({ text: await s.tasks.line(t, task, now), command: t.t('task.closeOut.command', { id: task.id }) })));
  },
};
