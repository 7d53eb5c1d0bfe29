/** The reminder card: what is due, with 知道了 and 稍后提醒. Pure functions of the reminder. */
import type { Card, CardState } from './model.js';

export const REMINDER_ACTIONS = { ack: 'reminder.ack', snooze: 'reminder.snooze' } as const;

export interface ReminderCardInput {
  cardId: string;
  reminderId: number;
  text: string;
  dueAt: string;
  creatorName: string;
  important: boolean;
  rule?: string | null;
  repeat?: number;
  snoozeMinutes: number;
}

export function reminderCard(r: ReminderCardInput): Card {
  const fields = [
    { label: '时间', value: r.dueAt },
    { label: '设置人', value: r.creatorName },
  ];
  if (r.rule) fields.push({ label: '周期', value: r.rule });
  if (r.repeat) fields.push({ label: '重复', value: `第 ${r.repeat} 次提醒` });
  return {
    id: r.cardId,
    title: `${r.important ? '❗重要提醒' : '⏰ 提醒'} #${r.reminderId}`,
    body: r.text,
    fields,
    actions: [
      { key: REMINDER_ACTIONS.ack, label: '知道了', style: 'primary' },
      { key: REMINDER_ACTIONS.snooze, label: `稍后提醒（${r.snoozeMinutes}分钟）` },
    ],
    fallback: `回复「提醒 知道了 #${r.reminderId}」或「提醒 稍后 #${r.reminderId}」`,
  };
}

export function withState(card: Card, state: CardState): Card {
  return { ...card, state };
}
