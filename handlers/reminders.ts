/**
 * 提醒 / remind: one-off and recurring reminders to oneself, to @someone or to the group,
 * plus list, cancel and the text fallbacks of the card buttons.
 */
import { REMINDER_ACTIONS } from '../cards/reminder-card.js';
import { matchSub, takeShortId, timeOptions } from './args.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import type { ReminderTarget, ReminderWhen } from '../src/services/reminders.js';
import { createReminders } from './reminder-create.js';
import { offerTimeChoice, reminderTimeChoiceActions } from './reminder-time-choice.js';
import type { Capability } from '../src/capability.js';
import { ReminderService } from '../src/services/reminders.js';
import type { UserRecord } from '../src/services/directory.js';
import { words } from '../src/i18n/vocabulary.js';
import { parseTime } from '../src/time/parse-time.js';
import { describeRule } from '../src/time/recurring.js';

const SUB = {
  list: words('reminder.words.list'),
  cancel: words('reminder.words.cancel'),
  ack: words('reminder.words.ack'),
  snooze: words('reminder.words.snooze'),
};
const IMPORTANT = words('reminder.words.important');
const GROUP_WORDS = words('reminder.words.group');
const SELF_WORDS = words('reminder.words.self');

export const reminderCommand: CommandSpec = {
  id: 'reminder',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    const idToken = rest.split(' ')[0] || undefined;
    if (sub === 'list') return listReminders(ctx);
    if (sub === 'cancel') return cancelReminder(ctx, idToken);
    if (sub === 'ack' || sub === 'snooze') return buttonFallback(ctx, sub, idToken);
    return createReminder(ctx);
  },
};

async function createReminder(ctx: CommandContext): Promise<string | void> {
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
    if (ctx.conversation.type !== 'group') throw new UsageError('E_REMINDER_GROUP_ONLY');
    target = { kind: 'group', conversationId: ctx.conversation.id };
    text = text.slice(groupWord.length).trim();
  } else if (ctx.mentions.length > 0) {
    target = ctx.mentions.map((m) => ({ kind: 'user', userId: m.id }));
  } else {
    const self = word(SELF_WORDS);
    // "提醒我…" is common; only strip an English "me" when it is a whole word.
    if (self && (!/^[a-z]/i.test(self) || new RegExp(`^${self}\\b`, 'i').test(text))) text = text.slice(self.length).trim();
  }
  if (!text) throw new UsageError('E_REMINDER_MISSING_ALL');

  const targets = Array.isArray(target) ? target : [target];
  const parsed = parseTime(text, timeOptions(ctx));
  if (!parsed.ok && parsed.reason !== 'ambiguous') throw new UsageError(parsed.code, parsed.params);
  const content = parsed.rest.trim();
  if (!content) throw new UsageError('E_REMINDER_MISSING_TEXT', { matched: parsed.matched });
  const request = { conversationId: ctx.conversation.id, targets, text: content, important };
  // Two readings ("8点" at 09:00): ask with a card instead of guessing.
  if (!parsed.ok) return offerTimeChoice(ctx, request, parsed);
  const when: ReminderWhen =
    parsed.kind === 'once'
      ? { kind: 'once', at: parsed.at }
      : { kind: 'recurring', cron: parsed.cron, description: parsed.description, firstAt: parsed.firstAt };
  const who = { services: ctx.services, t: ctx.t, user: ctx.user, conversation: ctx.conversation, mentions: ctx.mentions };
  return (await createReminders(who, request, when, parsed.kind === 'once' && parsed.by)).reply;
}

async function listReminders(ctx: CommandContext): Promise<string> {
  const list = await ctx.services.reminders.listFor(ctx.user.id);
  const { t } = ctx;
  if (list.length === 0) return t.t('reminder.listEmpty');
  const people = await ctx.services.directory.usersByIds([...new Set(list.flatMap((r) => (r.targetUserId ? [r.targetUserId] : [])))]);
  const nameOf = new Map(people.map((p) => [p.id, p.name]));
  const forWhom = (r: (typeof list)[number]) =>
    r.targetKind === 'group'
      ? t.t('reminder.forGroup')
      : r.targetUserId === ctx.user.id || !r.targetUserId
        ? t.t('reminder.forYou')
        : t.t('reminder.forUser', { name: nameOf.get(r.targetUserId) ?? r.targetUserId });
  const lines = list.map((r) => {
    const when = r.cron ? describeRule(r.cron, t) : r.fireAt ? t.dateTime(r.fireAt) : '';
    const flag = r.important ? '❗' : '';
    const state = r.status === 'fired' ? t.t('reminder.stateFired') : r.status === 'snoozed' ? t.t('reminder.stateSnoozed') : '';
    return `#${r.id} ${flag}${when} ${forWhom(r)} ${r.text}${state}`;
  });
  return t.t('reminder.list', { count: list.length, lines: lines.join('\n') });
}

async function loadOwnReminder(ctx: CommandContext, token: string | undefined, verb: 'cancel' | 'ack' | 'snooze') {
  const { id } = takeShortId(token ?? '', msg('reminder.noun'), msg(`reminder.example.${verb}`));
  const reminder = await ctx.services.reminders.get(id);
  if (!reminder || reminder.status === 'cancelled') throw new UserError('E_REMINDER_NOT_FOUND', { id });
  return reminder;
}

async function cancelReminder(ctx: CommandContext, token: string | undefined): Promise<string> {
  const reminder = await loadOwnReminder(ctx, token, 'cancel');
  if (!canManage(ctx.user, reminder)) throw new UserError('E_REMINDER_NOT_YOURS_CANCEL', { id: reminder.id });
  await ctx.services.reminders.cancel(reminder);
  return ctx.t.t('reminder.cancelled', { id: reminder.id, text: reminder.text });
}

async function buttonFallback(ctx: CommandContext, sub: 'ack' | 'snooze', token: string | undefined): Promise<string> {
  const reminder = await loadOwnReminder(ctx, token, sub);
  if (!canManage(ctx.user, reminder) && !(reminder.targetConversationId === ctx.conversation.id)) {
    throw new UserError('E_REMINDER_NOT_YOURS', { id: reminder.id });
  }
  if (sub === 'ack') {
    await ctx.services.reminders.acknowledge(reminder, ctx.user.id, ctx.user.name);
    return ctx.t.t('reminder.acked', { id: reminder.id });
  }
  const cards = await ctx.services.cards.byRef('reminder', String(reminder.id));
  const open = cards.filter((c) => !c.model.state?.closed).at(-1);
  if (!open) throw new UserError('E_REMINDER_NOT_DUE', { id: reminder.id });
  const until = await ctx.services.reminders.snooze(reminder, open.id);
  return ctx.t.t('reminder.snoozed', { id: reminder.id, until });
}

function canManage(user: UserRecord, r: { creatorId: string; targetUserId: string | null }): boolean {
  return user.id === r.creatorId || user.id === r.targetUserId || user.roles.includes('admin');
}

export const reminderAckAction: CardActionSpec = {
  key: REMINDER_ACTIONS.ack,
  async handle({ card, user, services, t }) {
    const reminder = await services.reminders.get(Number(card.refId));
    if (!reminder || reminder.status === 'cancelled') throw new UserError('E_REMINDER_CANCELLED');
    await services.reminders.acknowledge(reminder, user.id, user.name);
    return { accepted: true, message: t.t('reminder.actionAcked') };
  },
};

export const reminderSnoozeAction: CardActionSpec = {
  key: REMINDER_ACTIONS.snooze,
  async handle({ card, services, t }) {
    const reminder = await services.reminders.get(Number(card.refId));
    if (!reminder || reminder.status === 'cancelled') throw new UserError('E_REMINDER_CANCELLED');
    const until = await services.reminders.snooze(reminder, card.id);
    return { accepted: true, message: t.t('reminder.actionSnoozed', { until }) };
  },
};

/** Reminders as a capability: its service, command and card actions (acknowledge, snooze, choose between two readings of a time), its delayed job, and recovery of lost jobs. */
export const reminders: Capability = {
  name: 'reminders',
  services: (s) => ({ reminders: new ReminderService(s.db, s.scheduler, s.cards, s.directory, s.locales, s.config) }),
  commands: [reminderCommand],
  cardActions: [reminderAckAction, reminderSnoozeAction, ...reminderTimeChoiceActions],
  jobs: { 'reminder.fire': (s, data, job) => s.reminders.fire(data, job.id ?? `${job.name}-${job.timestamp}`) },
  recover: (s) => s.reminders.reconcileJobs(),
};

