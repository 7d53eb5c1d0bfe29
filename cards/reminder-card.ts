/** The reminder card: what is due, with its acknowledge and snooze buttons. Pure functions of the reminder. */
import type { Translator } from '../src/i18n/translator.js';
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

/** The card in its recipient's language (`t`). */
export function reminderCard(t: Translator, r: ReminderCardInput): Card {
  const fields = [
    { label: t.t('reminder.card.time'), value: r.dueAt },
    { label: t.t('reminder.card.creator'), value: r.creatorName },
  ];
  if (r.rule) fields.push({ label: t.t('reminder.card.rule'), value: r.rule });
  if (r.repeat) fields.push({ label: t.t('reminder.card.repeat'), value: t.t('reminder.card.repeatValue', { count: r.repeat }) });
  return {
    id: r.cardId,
    title: t.t(r.important ? 'reminder.card.titleImportant' : 'reminder.card.title', { id: r.reminderId }),
    body: r.text,
    fields,
    actions: [
      { key: REMINDER_ACTIONS.ack, label: t.t('reminder.card.ack'), style: 'primary' },
      { key: REMINDER_ACTIONS.snooze, label: t.t('reminder.card.snooze', { minutes: r.snoozeMinutes }) },
    ],
    fallback: t.t('reminder.card.fallback', { id: r.reminderId }),
  };
}

export function withState(card: Card, state: CardState): Card {
  return { ...card, state };
}
