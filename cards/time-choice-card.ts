/**
 * "Which time?": a reminder whose time has two readings ("8点" said at 09:00) is asked with one
 * button per reading; the fallback tells text-only clients how to write the time explicitly.
 */
import type { Msg, Translator } from '../src/i18n/translator.js';
import type { Card, CardState } from './model.js';

export const TIME_CHOICE_ACTIONS = ['reminder.time.first', 'reminder.time.second'] as const;

export interface TimeChoiceCardInput {
  cardId: string;
  /** The time as typed ("8点"). */
  matched: string;
  /** What to remind of. */
  text: string;
  /** Each reading written explicitly (`time.choice.*`: "今天 20:00", "明天 08:00"). */
  choices: readonly [Msg, Msg];
}

/** The card in its reader's language (`t`). */
export function timeChoiceCard(t: Translator, input: TimeChoiceCardInput): Card {
  const [first, second] = input.choices.map((c) => t.render(c)) as [string, string];
  return {
    id: input.cardId,
    title: t.t('reminder.timeChoice.title'),
    body: t.t('reminder.timeChoice.body', { matched: input.matched, first, second, text: input.text }),
    actions: [
      { key: TIME_CHOICE_ACTIONS[0], label: first, style: 'primary' },
      { key: TIME_CHOICE_ACTIONS[1], label: second },
    ],
    fallback: t.t('reminder.timeChoice.fallback', { first, second }),
  };
}

/** After a choice: which reminders were set for when (the absolute time); no further clicks. */
export function timeChosenState(t: Translator, ids: readonly number[], at: Date): CardState {
  return { status: 'chosen', label: t.t('reminder.timeChoice.chosen', { ids: ids.map((id) => `#${id}`).join(' '), at }), closed: true };
}
