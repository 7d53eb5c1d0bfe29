/**
 * 提醒 / remind: one-off and recurring reminders to oneself, to @someone or to the group,
 * plus list, cancel and the text fallbacks of the card buttons.
 */
import { REMINDER_ACTIONS } from '../cards/reminder-card.js';
import { parseShortId } from '../src/router/normalize.js';
import { matchSub } from './args.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { ReminderTarget, ReminderWhen } from '../src/services/reminders.js';
import type { UserRecord } from '../src/services/directory.js';
import { formatDateTime, parseTime } from '../src/time/parse-time.js';

const SUB = {
  list: ['列表', '查看', 'list', 'ls'],
  cancel: ['取消', '删除', 'cancel', 'delete'],
  ack: ['知道了', '确认', 'ack'],
  snooze: ['稍后', '稍后提醒', 'snooze'],
};
const IMPORTANT = ['重要', '紧急', 'important', 'urgent'];
const GROUP_WORDS = ['本群', '群里', '全群', '大家', 'group', 'everyone'];
const SELF_WORDS = ['我', 'me'];

export const reminderCommand: CommandSpec = {
  id: 'reminder',
  keywords: ['提醒', 'remind', 'reminder'],
  summary: '设置提醒（自己、@某人或本群；支持循环和重要提醒）',
  usage: [
    '提醒 [重要] [我|@某人|本群] <时间> <内容>',
    '提醒 列表',
    '提醒 取消 <编号>',
    '时间示例：30分钟后、明天下午3点、周五 14:00、12月24日 19:30、tomorrow 9am、每天早上9点、工作日 18:00',
  ],
  example: '提醒 明天下午3点 提交会议材料',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    const idToken = rest.split(' ')[0] || undefined;
    if (sub === 'list') return listReminders(ctx);
    if (sub === 'cancel') return cancelReminder(ctx, idToken);
    if (sub === 'ack' || sub === 'snooze') return buttonFallback(ctx, sub, idToken);
    return createReminder(ctx);
  },
};

async function createReminder(ctx: CommandContext): Promise<string> {
  let text = ctx.args;
  let important = false;
  const word = (list: string[]) => list.find((w) => text.toLowerCase().startsWith(w));
  const flag = word(IMPORTANT);
  if (flag) {
    important = true;
    text = text.slice(flag.length).trim();
  }
  let target: ReminderTarget | ReminderTarget[] = { kind: 'user', userId: ctx.user.id };
  const groupWord = word(GROUP_WORDS);
  if (groupWord) {
    if (ctx.conversation.type !== 'group') throw new UsageError('「本群」提醒只能在群聊里设置');
    target = { kind: 'group', conversationId: ctx.conversation.id };
    text = text.slice(groupWord.length).trim();
  } else if (ctx.mentions.length > 0) {
    target = ctx.mentions.map((m) => ({ kind: 'user', userId: m.id }));
  } else {
    const self = word(SELF_WORDS);
    // "提醒我…" is common; only strip an English "me" when it is a whole word.
    if (self && (self === '我' || /^me\b/i.test(text))) text = text.slice(self.length).trim();
  }
  if (!text) throw new UsageError('缺少时间和提醒内容');

  const parsed = parseTime(text, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
  if (!parsed.ok) throw new UsageError(parsed.message);
  const content = parsed.rest.trim();
  if (!content) throw new UsageError(`缺少提醒内容（时间「${parsed.matched}」之后写要提醒的事）`);
  const when: ReminderWhen =
    parsed.kind === 'once'
      ? { kind: 'once', at: parsed.at }
      : { kind: 'recurring', cron: parsed.cron, description: parsed.description, firstAt: parsed.firstAt };

  const targets = Array.isArray(target) ? target : [target];
  const names = await targetNames(ctx, targets);
  const lines: string[] = [];
  for (const [i, t] of targets.entries()) {
    const r = await ctx.services.reminders.create({
      creatorId: ctx.user.id,
      sourceConversationId: ctx.conversation.id,
      target: t,
      text: content,
      when,
      important,
    });
    lines.push(`#${r.id} ${names[i]}`);
  }
  const zone = ctx.services.config.HUIWU_TIMEZONE;
  const time =
    when.kind === 'once'
      ? formatDateTime(when.at, zone)
      : `${when.description}（下次 ${formatDateTime(when.firstAt, zone)}）`;
  const prefix = important ? '✅ 已设置重要提醒' : '✅ 已设置提醒';
  const repeat = important ? `\n未点「知道了」前每 ${formatInterval(ctx.services.config.HUIWU_IMPORTANT_REPEAT_SECONDS)}重复一次（最多 ${ctx.services.config.HUIWU_IMPORTANT_MAX_REPEATS} 次）` : '';
  return `${prefix} ${lines.join('、')}\n时间：${time}\n内容：${content}${repeat}`;
}

async function targetNames(ctx: CommandContext, targets: ReminderTarget[]): Promise<string[]> {
  return Promise.all(
    targets.map(async (t) => {
      if (t.kind === 'group') return `本群（${ctx.conversation.name}）`;
      if (t.userId === ctx.user.id) return '提醒你';
      const user = ctx.mentions.find((m) => m.id === t.userId) ?? (await ctx.services.directory.user(t.userId));
      return `提醒 ${user?.name ?? t.userId}`;
    }),
  );
}

async function listReminders(ctx: CommandContext): Promise<string> {
  const list = await ctx.services.reminders.listFor(ctx.user.id);
  if (list.length === 0) return '你目前没有待办的提醒。设置示例：提醒 明天下午3点 提交会议材料';
  const zone = ctx.services.config.HUIWU_TIMEZONE;
  const lines = list.map((r) => {
    const when = r.cron ? `${r.ruleText}` : r.fireAt ? formatDateTime(r.fireAt, zone) : '';
    const flag = r.important ? '❗' : '';
    const state = r.status === 'fired' ? '（已提醒，待确认）' : r.status === 'snoozed' ? '（已推迟）' : '';
    return `#${r.id} ${flag}${when} ${r.text}${state}`;
  });
  return `你的提醒（${list.length}）：\n${lines.join('\n')}\n取消：提醒 取消 <编号>`;
}

async function loadOwnReminder(ctx: CommandContext, token: string | undefined, verb: string) {
  const id = parseShortId(token);
  if (id === null) throw new UsageError(`请写要${verb}的提醒编号，例如：提醒 ${verb} #12`);
  const reminder = await ctx.services.reminders.get(id);
  if (!reminder || reminder.status === 'cancelled') throw new UserError(`提醒 #${id} 不存在或已取消`);
  return reminder;
}

async function cancelReminder(ctx: CommandContext, token: string | undefined): Promise<string> {
  const reminder = await loadOwnReminder(ctx, token, '取消');
  if (!canManage(ctx.user, reminder)) throw new UserError(`提醒 #${reminder.id} 是别人设置的，只有设置人或管理员可以取消`);
  await ctx.services.reminders.cancel(reminder);
  return `🚫 已取消提醒 #${reminder.id}：${reminder.text}`;
}

async function buttonFallback(ctx: CommandContext, sub: 'ack' | 'snooze', token: string | undefined): Promise<string> {
  const reminder = await loadOwnReminder(ctx, token, sub === 'ack' ? '知道了' : '稍后');
  if (!canManage(ctx.user, reminder) && !(reminder.targetConversationId === ctx.conversation.id)) {
    throw new UserError(`提醒 #${reminder.id} 不是发给你的`);
  }
  if (sub === 'ack') {
    await ctx.services.reminders.acknowledge(reminder, ctx.user.id, ctx.user.name);
    return `✅ 提醒 #${reminder.id} 已确认`;
  }
  const cards = await ctx.services.cards.byRef('reminder', String(reminder.id));
  const open = cards.filter((c) => !c.model.state?.closed).at(-1);
  if (!open) throw new UserError(`提醒 #${reminder.id} 还没有到时间，不需要推迟`);
  const until = await ctx.services.reminders.snooze(reminder, open.id);
  return `⏰ 提醒 #${reminder.id} 已推迟到 ${formatDateTime(until, ctx.services.config.HUIWU_TIMEZONE)}`;
}

function canManage(user: UserRecord, r: { creatorId: string; targetUserId: string | null }): boolean {
  return user.id === r.creatorId || user.id === r.targetUserId || user.roles.includes('admin');
}

export const reminderAckAction: CardActionSpec = {
  key: REMINDER_ACTIONS.ack,
  async handle({ card, user, services }) {
    const reminder = await services.reminders.get(Number(card.refId));
    if (!reminder || reminder.status === 'cancelled') return { accepted: false, reason: '该提醒已取消' };
    await services.reminders.acknowledge(reminder, user.id, user.name);
    return { accepted: true, message: '已确认' };
  },
};

export const reminderSnoozeAction: CardActionSpec = {
  key: REMINDER_ACTIONS.snooze,
  async handle({ card, services }) {
    const reminder = await services.reminders.get(Number(card.refId));
    if (!reminder || reminder.status === 'cancelled') return { accepted: false, reason: '该提醒已取消' };
    const until = await services.reminders.snooze(reminder, card.id);
    return { accepted: true, message: `已推迟到 ${formatDateTime(until, services.config.HUIWU_TIMEZONE)}` };
  },
};

function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} 小时`;
  if (seconds % 60 === 0) return `${seconds / 60} 分钟`;
  return `${seconds} 秒`;
}
