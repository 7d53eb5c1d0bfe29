/**
 * Creating reminders once their time is known, and the confirmation (always with the absolute time),
 * shared by the 提醒 command and the "which time?" card.
 */
import type { Translator } from '../src/i18n/translator.js';
import type { ReminderTarget, ReminderWhen } from '../src/services/reminders.js';
import type { ConversationRecord, UserRecord } from '../src/services/directory.js';
import type { HandlerServices } from '../src/services/services.js';
import { describeRule } from '../src/time/recurring.js';

/** Everything about a reminder but its time. */
export interface ReminderRequest {
  conversationId: string;
  targets: ReminderTarget[];
  text: string;
  important: boolean;
}

/** Who asked, and what is already loaded about the names involved. */
export interface Requester {
  services: HandlerServices;
  t: Translator;
  user: UserRecord;
  conversation?: ConversationRecord;
  mentions?: UserRecord[];
}

/** Creates one reminder per target; `by`: the time is a deadline ("五日内"), said as 截止/by. */
export async function createReminders(who: Requester, request: ReminderRequest, when: ReminderWhen, by = false): Promise<{ ids: number[]; reply: string }> {
  const names = await targetNames(who, request);
  const lines: string[] = [];
  const ids: number[] = [];
  for (const [i, target] of request.targets.entries()) {
    const r = await who.services.reminders.create({
      creatorId: who.user.id,
      sourceConversationId: request.conversationId,
      target,
      text: request.text,
      when,
      important: request.important,
    });
    ids.push(r.id);
    lines.push(`#${r.id} ${names[i]}`);
  }
  const { t } = who;
  const { config } = who.services;
  const time =
    when.kind === 'recurring'
      ? t.t('reminder.recurringTime', { rule: describeRule(when.cron, t), next: when.firstAt })
      : by
        ? t.t('reminder.byTime', { at: when.at })
        : t.dateTime(when.at);
  const repeat = request.important
    ? t.t('reminder.repeatNote', { interval: formatInterval(t, config.HUIWU_IMPORTANT_REPEAT_SECONDS), max: config.HUIWU_IMPORTANT_MAX_REPEATS })
    : '';
  const prefix = t.t(request.important ? 'reminder.createdPrefixImportant' : 'reminder.createdPrefix');
  return { ids, reply: t.t('reminder.created', { prefix, targets: t.list(lines), time, text: request.text, repeat }) };
}

async function targetNames(who: Requester, request: ReminderRequest): Promise<string[]> {
  const { t, services } = who;
  return Promise.all(
    request.targets.map(async (target) => {
      if (target.kind === 'group') {
        const conversation = who.conversation?.id === target.conversationId ? who.conversation : await services.directory.conversation(target.conversationId);
        return t.t('reminder.targetGroup', { name: conversation?.name ?? target.conversationId });
      }
      if (target.userId === who.user.id) return t.t('reminder.targetSelf');
      const user = who.mentions?.find((m) => m.id === target.userId) ?? (await services.directory.user(target.userId));
      return t.t('reminder.targetUser', { name: user?.name ?? target.userId });
    }),
  );
}

function formatInterval(t: Translator, seconds: number): string {
  if (seconds % 3600 === 0) return t.t('common.duration.hours', { count: seconds / 3600 });
  if (seconds % 60 === 0) return t.t('common.duration.minutes', { count: seconds / 60 });
  return t.t('common.duration.seconds', { count: seconds });
}
