/**
 * 日程 / schedule: executives' schedules. Manual entries (添加 / 列表 / 删除), assistants (助理),
 * an executive's role in a meeting (角色), a meeting's importance (重要性), and the conflict
 * alert's buttons (保留前者 / 保留后者 / 请助理协调) with their text fallback (冲突).
 */
import { SCHEDULE_ACTIONS, itemLine } from '../cards/schedule-cards.js';
import { parseShortId } from '../src/router/normalize.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { Choice } from '../src/services/schedule-conflicts.js';
import { IMPORTANCE_LABEL, ROLE_LABEL, parseImportance, parseRole } from '../src/services/schedule-logic.js';
import { parseTimeRange } from '../src/time/parse-time.js';
import { loadOwnMeeting, matchSub, takeId } from './meeting-args.js';

const SUB = {
  add: ['添加', '新建', 'add', 'new'],
  list: ['列表', '查看', 'list', 'ls'],
  remove: ['删除', 'delete', 'rm'],
  assistant: ['助理', 'assistant'],
  role: ['角色', 'role'],
  importance: ['重要性', 'importance'],
  conflict: ['冲突', 'conflict'],
} as const;

const LIST_DAYS = 7;

export const scheduleCommand: CommandSpec = {
  id: 'schedule',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'add':
        return addEntry(ctx, rest);
      case 'list':
        return listSchedule(ctx);
      case 'remove':
        return removeEntry(ctx, rest);
      case 'assistant':
        return assistants(ctx, rest);
      case 'role':
        return setRole(ctx, rest);
      case 'importance':
        return setMeetingImportance(ctx, rest);
      case 'conflict':
        return conflictByText(ctx, rest);
      default:
        if (!ctx.args) return listSchedule(ctx);
        throw new UsageError(`不认识的子命令「${ctx.args.split(' ')[0]}」`);
    }
  },
};

/** The executive a command is about: the @mentioned one, oneself, or the one the assistant assists. */
async function targetExecutive(ctx: CommandContext): Promise<UserRecord> {
  const { schedule, directory } = ctx.services;
  let exec: UserRecord | null = ctx.mentions[0] ?? null;
  if (!exec && schedule.isExecutive(ctx.user)) exec = ctx.user;
  if (!exec) {
    const assisted = await schedule.executivesAssistedBy(ctx.user.id);
    if (assisted.length === 1) exec = await directory.user(assisted[0]!);
  }
  if (!exec) throw new UsageError('请 @ 领导，例如：日程 列表 @李总');
  if (!schedule.isExecutive(exec)) throw new UserError(`${exec.name} 不是领导（executive）角色，没有日程管理`);
  if (!(await schedule.mayManage(ctx.user, exec.id))) throw new UserError(`只有${exec.name}本人、其助理或管理员可以管理其日程`);
  return exec;
}

const IMPORTANCE_RE = /(?:^|\s)(?:重要性|importance)[:：]?\s*(高|中|低|high|medium|low)(?=\s|$)/i;
const VENUE_RE = /(?:^|\s)(?:地点|venue)[:：]?\s*(.+)$/i;

async function addEntry(ctx: CommandContext, text: string): Promise<string> {
  const exec = await targetExecutive(ctx);
  const { schedule, conflicts, config } = ctx.services;
  const imp = IMPORTANCE_RE.exec(text);
  const importance = imp ? parseImportance(imp[1]!)! : 'medium';
  let rest = imp ? `${text.slice(0, imp.index)} ${text.slice(imp.index + imp[0].length)}`.trim() : text;
  const venueMatch = VENUE_RE.exec(rest);
  const venue = venueMatch?.[1]?.trim() || null;
  if (venueMatch) rest = rest.slice(0, venueMatch.index).trim();
  if (!rest) throw new UsageError('缺少日程标题和时间');
  const range = parseTimeRange(rest, { now: ctx.now, timeZone: config.HUIWU_TIMEZONE });
  if (!range.ok) throw new UsageError(range.message);
  const title = range.rest.trim();
  if (!title) throw new UsageError('缺少日程标题');
  if (title.length > 60) throw new UsageError('日程标题最多 60 个字');
  const entry = await schedule.addEntry({ userId: exec.id, title, startAt: range.start, endAt: range.end, venue, importance, createdBy: ctx.user.id });
  const clashes = await conflicts.preview(exec.id, `e${entry.id}`);
  await conflicts.enqueue(exec.id, `e${entry.id}`);
  const lines = [
    `✅ 已为${exec.name}添加日程 #${entry.id}「${entry.title}」`,
    `时间：${conflicts.timeText({ start: entry.startAt, end: entry.endAt })}`,
    `地点：${entry.venue ?? '未定'} · 重要性：${IMPORTANCE_LABEL[importance]}`,
  ];
  if (clashes.length > 0) {
    lines.push(`⚠️ 与 ${clashes.length} 项日程冲突，已私信提醒${exec.name}及其助理：`);
    for (const c of clashes) lines.push(`  · ${conflicts.pairText(c)}`);
  }
  return lines.join('\n');
}

async function listSchedule(ctx: CommandContext): Promise<string> {
  const exec = await targetExecutive(ctx);
  const { schedule, conflicts } = ctx.services;
  const to = new Date(ctx.now.getTime() + LIST_DAYS * 86_400_000);
  const items = await schedule.itemsInWindow(exec.id, ctx.now, to);
  const live = await conflicts.live(exec.id);
  const lines = [`${exec.name} 未来 ${LIST_DAYS} 天日程（${items.length}）：`];
  if (live.length > 0) {
    const titleOf = (key: string) => items.find((i) => i.key === key)?.title ?? key;
    lines.push(`⚠️ 待处理冲突 ${live.length} 处：${live.map((c) => `#${c.id}「${titleOf(c.itemA)}」↔「${titleOf(c.itemB)}」${c.status === 'delegated' ? '（助理协调中）' : ''}`).join('；')}`);
  }
  for (const item of items) lines.push(`· ${itemLine(item, (i) => conflicts.timeText(i))}`);
  if (items.length === 0) lines.push('（暂无）添加：日程 添加 <标题> <时间> [地点 <地点>] [重要性 高|中|低]');
  return lines.join('\n');
}

async function removeEntry(ctx: CommandContext, args: string): Promise<string> {
  const id = parseShortId(args.split(' ')[0]);
  if (id === null) throw new UsageError('缺少日程编号，例如：日程 删除 #3');
  const { schedule, conflicts } = ctx.services;
  const entry = await schedule.entry(id);
  if (!entry) throw new UserError(`日程 #${id} 不存在`);
  if (!(await schedule.mayManage(ctx.user, entry.userId))) throw new UserError(`只有本人、其助理或管理员可以删除日程 #${id}`);
  await schedule.deleteEntry(entry);
  await conflicts.enqueue(entry.userId, `e${id}`);
  return `🗑️ 已删除日程 #${id}「${entry.title}」`;
}

const REMOVE_WORDS = ['移除', '删除', 'remove'];

async function assistants(ctx: CommandContext, args: string): Promise<string> {
  const { schedule, directory } = ctx.services;
  const removing = REMOVE_WORDS.includes(args.split(' ')[0] ?? '');
  if (ctx.mentions.length === 0) {
    const lines: string[] = [];
    for (const execId of await schedule.executiveIds()) {
      const names = (await directory.usersByIds(await schedule.assistantsOf(execId))).map((u) => u.name);
      lines.push(`${await schedule.name(execId)}：${names.join('、') || '（未设置）'}`);
    }
    return lines.length ? `领导与助理：\n${lines.join('\n')}` : '目录中没有领导（executive）角色的人';
  }
  if (!ctx.user.roles.includes('admin') && !ctx.user.roles.includes('organizer')) throw new UserError('只有组织者或管理员可以设置助理');
  const [exec, ...helpers] = ctx.mentions;
  if (!schedule.isExecutive(exec!)) throw new UserError(`${exec!.name} 不是领导（executive）角色`);
  if (helpers.length === 0) throw new UsageError('请 @ 领导和助理，例如：日程 助理 @李总 @陈静');
  const changed: string[] = [];
  for (const h of helpers) {
    if (h.id === exec!.id) continue;
    if (removing ? await schedule.unlink(exec!.id, h.id) : await schedule.link(exec!.id, h.id, ctx.user.id)) changed.push(h.name);
  }
  const now = (await directory.usersByIds(await schedule.assistantsOf(exec!.id))).map((u) => u.name).join('、') || '（无）';
  return `${removing ? '🗑️ 已移除' : '✅ 已设置'}${exec!.name}的助理：${changed.join('、') || '（无变化）'}\n现在的助理：${now}`;
}

async function setRole(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '日程 角色 #1 @李总 主讲');
  const meeting = await loadOwnMeeting(ctx, id, '设置参会角色');
  const person = ctx.mentions[0];
  const role = parseRole(rest.split(' ').find(Boolean) ?? '');
  if (!person || !role) throw new UsageError('请 @ 参会人并写角色：主持、主讲或参会');
  const attendee = await ctx.services.rsvp.attendeeFor(meeting.id, person.id);
  if (!attendee) throw new UserError(`${person.name} 不在会议 #${id} 的邀请名单中，请先邀请`);
  await ctx.services.db.attendee.update({ where: { id: attendee.id }, data: { role } });
  await ctx.services.conflicts.attendeesChanged(meeting.id, [person.id]);
  return `✅ ${person.name}在会议 #${id}「${meeting.title}」中的角色：${ROLE_LABEL[role]}`;
}

/** `会议 重要性 #1 高` and `日程 重要性 #1 高`: organizers set a meeting's importance. */
export async function setMeetingImportance(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '会议 重要性 #1 高');
  const meeting = await loadOwnMeeting(ctx, id, '设置重要性');
  const importance = parseImportance(rest.split(' ')[0] ?? '');
  if (!importance) throw new UsageError('重要性请写 高、中 或 低');
  await ctx.services.db.meeting.update({ where: { id }, data: { importance } });
  await ctx.services.conflicts.meetingChanged(id);
  return `✅ 会议 #${id}「${meeting.title}」重要性：${IMPORTANCE_LABEL[importance]}（用于领导日程冲突时的建议）`;
}

const CHOICE_WORDS: Record<string, Choice> = {
  前者: 'keep-first', 保留前者: 'keep-first', first: 'keep-first', 后者: 'keep-second', 保留后者: 'keep-second', second: 'keep-second',
  助理: 'assistant', 请助理协调: 'assistant', assistant: 'assistant',
};

async function conflictByText(ctx: CommandContext, args: string): Promise<string> {
  const [token, word] = args.split(' ');
  const id = parseShortId(token);
  if (id === null) throw new UsageError('缺少冲突编号，例如：日程 冲突 #3 前者');
  const choice = CHOICE_WORDS[word?.toLowerCase() ?? ''];
  if (!choice) throw new UsageError('请写 前者、后者 或 助理');
  return `✅ ${await ctx.services.conflicts.choose(id, choice, ctx.user, ctx.now)}`;
}

function choiceAction(key: string, choice: Choice): CardActionSpec {
  return {
    key,
    async handle({ card, user, services, now }) {
      const message = await services.conflicts.choose(Number(card.refId), choice, user, now);
      return { accepted: true, message };
    },
  };
}

export const scheduleActions: CardActionSpec[] = [
  choiceAction(SCHEDULE_ACTIONS.keepFirst, 'keep-first'),
  choiceAction(SCHEDULE_ACTIONS.keepSecond, 'keep-second'),
  choiceAction(SCHEDULE_ACTIONS.delegate, 'assistant'),
];
