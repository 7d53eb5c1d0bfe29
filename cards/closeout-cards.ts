/** The close-out checklist card in the organizers' group: what is still open, each with the command that closes it. */
import type { Translator } from '../src/i18n/translator.js';
import type { Card } from './model.js';

export const CLOSEOUT_REFRESH = 'closeout.refresh';

export interface CloseoutItemView {
  text: string;
  command: string;
}

export interface CloseoutCardInput {
  cardId: string;
  meetingId: number;
  title: string;
  items: readonly CloseoutItemView[];
  checkedAt: Date;
}

export function closeoutCard(t: Translator, input: CloseoutCardInput): Card {
  const done = input.items.length === 0;
  const lines = input.items.map((item) => t.t('closeout.card.item', { text: item.text, command: item.command }));
  return {
    id: input.cardId,
    title: t.t('closeout.card.title', { id: input.meetingId, title: input.title }),
    body: done ? t.t('closeout.card.allDone', { id: input.meetingId }) : t.t('closeout.card.open', { count: input.items.length, lines: lines.join('\n') }),
    fields: [{ label: t.t('closeout.card.checkedAt'), value: t.dateTime(input.checkedAt) }],
    actions: [{ key: CLOSEOUT_REFRESH, label: t.t('closeout.card.refresh') }],
    state: done ? { status: 'clear', label: t.t('closeout.card.stateClear') } : { status: 'open', label: t.t('closeout.card.stateOpen', { count: input.items.length }) },
    fallback: t.t('closeout.card.fallback', { id: input.meetingId }),
  };
}
