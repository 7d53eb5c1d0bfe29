/** Budget cards: the expense form (支出 with no arguments) in the requester's language. */
import type { Translator } from '../src/i18n/translator.js';
import type { Card } from './model.js';

export const EXPENSE_ACTION = 'budget.expense';

/** The form is a reply card (its stored ref is the reply): the meeting travels in its id. */
export const expenseFormId = (meetingId: number, eventId: string) => `expense-form-m${meetingId}-${eventId}`;
export const meetingOfForm = (cardId: string): number | null => {
  const m = /^expense-form-m(\d+)-/.exec(cardId);
  return m ? Number(m[1]) : null;
};

export interface ExpenseCardInput {
  cardId: string;
  meetingId: number;
  meetingTitle: string;
  /** Budget lines to choose from: `value` is the line number. */
  lines: Array<{ value: string; label: string }>;
}

export function expenseCard(t: Translator, input: ExpenseCardInput): Card {
  return {
    id: input.cardId,
    title: t.t('budget.card.title', { id: input.meetingId, title: input.meetingTitle }),
    body: t.t('budget.card.body'),
    inputs: [
      { key: 'line', label: t.t('budget.card.line'), kind: 'select', options: input.lines, value: input.lines[0]?.value ?? '' },
      { key: 'amount', label: t.t('budget.card.amount'), kind: 'text', placeholder: t.t('budget.card.amountPlaceholder') },
      { key: 'invoice', label: t.t('budget.card.invoice'), kind: 'text', placeholder: '12345678' },
      {
        key: 'invoiceType',
        label: t.t('budget.card.invoiceType'),
        kind: 'select',
        options: [
          { value: 'special', label: t.t('budget.invoiceType.special') },
          { value: 'ordinary', label: t.t('budget.invoiceType.ordinary') },
        ],
        value: 'special',
      },
      { key: 'taxRate', label: t.t('budget.card.taxRate'), kind: 'text', placeholder: '6%' },
    ],
    actions: [{ key: EXPENSE_ACTION, label: t.t('budget.card.submit'), style: 'primary' }],
    fallback: t.t('budget.card.fallback', { id: input.meetingId }),
  };
}

/** The form after a recorded expense: closed, naming it. */
export function expenseRecorded(card: Card, label: string): Card {
  return { ...card, state: { status: 'recorded', label, closed: true } };
}
