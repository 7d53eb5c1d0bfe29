/** Door cards: a walk-in waiting for an organizer's decision, in the meeting's group. */
import type { Translator } from '../src/i18n/translator.js';
import type { Card } from './model.js';

export const WALKIN_ACTIONS = { approve: 'door.walkin.approve', refuse: 'door.walkin.refuse' } as const;

export interface WalkinView {
  id: number;
  meetingId: number;
  title: string;
  name: string;
  note: string | null;
  lane: string;
  /** The staff member at the door. */
  by: string;
}

export function walkinCard(t: Translator, w: WalkinView): Card {
  return {
    id: `walkin-${w.id}`,
    title: t.t('door.walkin.title', { id: w.meetingId, title: w.title }),
    body: t.t('door.walkin.body', { name: w.name, lane: w.lane, by: w.by }),
    fields: [
      { label: t.t('door.walkin.name'), value: w.name },
      { label: t.t('door.walkin.lane'), value: w.lane },
      ...(w.note ? [{ label: t.t('door.walkin.note'), value: w.note }] : []),
    ],
    actions: [
      { key: WALKIN_ACTIONS.approve, label: t.t('door.walkin.approve'), style: 'primary' },
      { key: WALKIN_ACTIONS.refuse, label: t.t('door.walkin.refuse'), style: 'danger' },
    ],
    fallback: t.t('door.walkin.fallback', { id: w.id }),
  };
}
