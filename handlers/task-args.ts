/** Parsing `@某人|<部门> <内容> 截止 <时间> [优先级]`, creating the task, and task ids. */
import { PRIORITY_LABEL } from '../cards/task-cards.js';
import { takeShortId } from './args.js';
import { type CommandContext, UsageError, UserError } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { TaskRow } from '../src/services/tasks.js';
import { parseTime } from '../src/time/parse-time.js';

const PRIORITY_WORDS: Record<string, string> = {
  紧急: 'urgent', 加急: 'urgent', urgent: 'urgent', p1: 'urgent',
  高: 'high', 重要: 'high', high: 'high', p2: 'high',
  中: 'normal', 普通: 'normal', normal: 'normal', p3: 'normal',
  低: 'low', low: 'low', p4: 'low',
};

export interface AssignmentSpec {
  title: string;
  assignee: UserRecord | null;
  department: string | null;
  dueAt: Date;
  priority: string;
  /** From `会议 #3` in the text; undefined: the group's current meeting. */
  meetingId?: number | null;
}

/** `[@某人 | <部门>] [<内容>] 截止 <时间> [优先级]`; the content is required unless `requireTitle` is false. */
export async function parseAssignment(ctx: CommandContext, text: string, requireTitle = true): Promise<AssignmentSpec> {
  const at = text.lastIndexOf('截止');
  if (at < 0) throw new UsageError('缺少截止时间，例如：… 截止 明天下午3点');
  let head = text.slice(0, at).trim();
  const tail = text.slice(at + 2).replace(/^(时间)?[:：]?\s*/, '');
  const parsed = parseTime(tail, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
  if (!parsed.ok) throw new UsageError(parsed.message);
  if (parsed.kind !== 'once') throw new UsageError('截止时间不能是循环时间');
  const extra = parsed.rest.trim().replace(/^[[【(（]|[\]】)）]$/g, '').replace(/优先级[:：]?/, '').trim();
  const priority = extra ? PRIORITY_WORDS[extra.toLowerCase()] : 'normal';
  if (!priority) throw new UsageError(`看不懂「${parsed.rest.trim()}」：截止时间后只能写优先级（紧急 / 高 / 中 / 低）`);

  let meetingId: number | null | undefined;
  const meetingRef = /(?:^|\s)会议\s*#?(\d+)(?=\s|$)/.exec(head);
  if (meetingRef) {
    meetingId = Number(meetingRef[1]);
    if (!(await ctx.services.meetings.get(meetingId))) throw new UserError(`会议 #${meetingId} 不存在`);
    head = (head.slice(0, meetingRef.index) + head.slice(meetingRef.index + meetingRef[0].length)).trim();
  }

  let assignee: UserRecord | null = ctx.mentions[0] ?? null;
  let department: string | null = null;
  if (!assignee) {
    const [first = '', ...rest] = head.split(' ');
    if (first && (await ctx.services.departments.byName(first))) {
      department = first;
      head = rest.join(' ').trim();
    } else {
      throw new UsageError('请 @ 负责人，或写部门名称（部门 列表 查看全部部门）');
    }
  }
  if (requireTitle && !head) throw new UsageError('缺少任务内容');
  if (head.length > 100) throw new UsageError('任务内容最多 100 字');
  return { title: head, assignee, department, dueAt: parsed.at, priority, ...(meetingId !== undefined ? { meetingId } : {}) };
}

/** Creates the task and returns the confirmation. */
export async function createFromSpec(ctx: CommandContext, spec: AssignmentSpec & { incidentId?: number | null }): Promise<string> {
  const s = ctx.services;
  const meetingId = spec.meetingId !== undefined ? spec.meetingId : ctx.conversation.type === 'group' ? ((await s.meetings.current(ctx.conversation.id, ctx.now))?.id ?? null) : null;
  const task = await s.tasks.create(
    {
      title: spec.title,
      creatorId: ctx.user.id,
      assigneeId: spec.assignee?.id ?? null,
      department: spec.department,
      meetingId,
      incidentId: spec.incidentId ?? null,
      conversationId: ctx.conversation.id,
      priority: spec.priority,
      dueAt: spec.dueAt,
    },
    ctx.now,
  );
  const view = await s.tasks.view(task);
  const reminders = s.config.HUIWU_TASK_REMINDERS.map((o) => (o.ms === 0 ? '到期时' : `到期前 ${o.key}`)).join('、');
  return [
    `✅ 已创建任务 #${task.id}「${task.title}」`,
    `负责人：${view.assignee ?? '待指派'}${task.department ? `（${task.department}${view.assignee ? '负责人' : '未设负责人，请 部门 负责人 <部门> @某人'}）` : ''}`,
    `截止：${view.due} · 优先级 ${PRIORITY_LABEL[task.priority]}`,
    ...(view.meeting ? [`会议：${view.meeting}`] : []),
    `${view.assignee ? '任务卡片已私聊发给负责人；' : ''}${reminders}提醒，逾期后升级给部门负责人和你。`,
  ].join('\n');
}

export function takeTaskId(args: string, example: string): { id: number; rest: string } {
  return takeShortId(args, '任务', example);
}

export async function loadTask(ctx: Pick<CommandContext, 'services'>, id: number): Promise<TaskRow> {
  const task = await ctx.services.tasks.get(id);
  if (!task) throw new UserError(`任务 #${id} 不存在`);
  return task;
}

/** A person named in a transfer: an @mention, a user id from the card's select, or a unique display name. */
export async function resolvePerson(ctx: Pick<CommandContext, 'services'>, platform: string, who: string): Promise<UserRecord> {
  const name = who.replace(/^@/, '').trim();
  if (!name) throw new UsageError('请写要转交给谁');
  if (name.includes(':')) {
    const user = await ctx.services.directory.user(name);
    if (user) return user;
  }
  const found = await ctx.services.directory.usersByName(platform, name);
  if (found.length === 1) return found[0]!;
  throw new UserError(found.length === 0 ? `找不到「${name}」` : `有 ${found.length} 位「${name}」，请用 @ 指定`);
}
