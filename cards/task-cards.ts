/** The task card in the assignee's DM: 接受 / 完成 / 受阻 (reason) / 转交 (to whom). Pure functions of a view, in the reader's language. */
import type { Translator } from '../src/i18n/translator.js';
import type { Card, CardAction, CardInput } from './model.js';

export const TASK_ACTIONS = { accept: 'task.accept', done: 'task.done', block: 'task.block', transfer: 'task.transfer' } as const;

export interface TaskView {
  id: number;
  title: string;
  status: string;
  priority: string;
  due: string;
  creator: string;
  /** null: nobody yet (a department without a head). */
  assignee: string | null;
  department: string | null;
  meeting: string | null;
  blockedReason: string | null;
  /** People the task may be handed to (department members); empty: any name. */
  transferOptions: Array<{ value: string; label: string }>;
  overdue: boolean;
}

/** How a card is closed for someone who no longer holds the task. */
export interface ClosedState {
  transferredTo: string;
}

export function statusLabel(t: Translator, status: string): string {
  return t.has(`task.status.${status}`) ? t.t(`task.status.${status}`) : status;
}

export function priorityLabel(t: Translator, priority: string): string {
  return t.has(`task.priority.${priority}`) ? t.t(`task.priority.${priority}`) : priority;
}

export function taskCard(t: Translator, cardId: string, v: TaskView, closed?: ClosedState): Card {
  const fields = [
    { label: t.t('task.card.due'), value: `${v.due}${v.overdue ? t.t('task.card.overdue') : ''}` },
    { label: t.t('task.card.priority'), value: priorityLabel(t, v.priority) },
    { label: t.t('task.card.assignee'), value: v.assignee ?? t.t('task.unassigned') },
    { label: t.t('task.card.creator'), value: v.creator },
  ];
  if (v.department) fields.push({ label: t.t('task.card.department'), value: v.department });
  if (v.meeting) fields.push({ label: t.t('task.card.meeting'), value: v.meeting });
  if (v.blockedReason && v.status === 'blocked') fields.push({ label: t.t('task.card.blockedReason'), value: v.blockedReason });
  const finished = v.status === 'done' || v.status === 'cancelled';
  const actions: CardAction[] = [];
  if (v.status === 'open' || v.status === 'blocked') actions.push({ key: TASK_ACTIONS.accept, label: t.t(v.status === 'blocked' ? 'task.card.resume' : 'task.card.accept'), style: 'primary' });
  actions.push(
    { key: TASK_ACTIONS.done, label: t.t('task.card.done'), style: 'primary' },
    { key: TASK_ACTIONS.block, label: t.t('task.card.block'), style: 'danger' },
    { key: TASK_ACTIONS.transfer, label: t.t('task.card.transfer') },
  );
  const inputs: CardInput[] = [
    { key: 'reason', label: t.t('task.card.reasonInput'), kind: 'text', placeholder: t.t('task.card.reasonPlaceholder') },
    v.transferOptions.length > 0
      ? { key: 'to', label: t.t('task.card.toSelect'), kind: 'select', options: v.transferOptions }
      : { key: 'to', label: t.t('task.card.toName'), kind: 'text', placeholder: t.t('task.card.toPlaceholder') },
  ];
  const status = statusLabel(t, v.status);
  const state: Card['state'] = closed
    ? { status: 'closed', label: t.t('task.card.stateTransferred', { name: closed.transferredTo }), closed: true }
    : { status: v.status, label: v.status === 'blocked' && v.blockedReason ? t.t('task.card.stateBlocked', { status, reason: v.blockedReason }) : status, closed: finished };
  return {
    id: cardId,
    title: t.t('task.card.title', { id: v.id, title: v.title }),
    fields,
    ...(finished || closed ? {} : { inputs, actions }),
    state,
    fallback: t.t('task.card.fallback', { id: v.id }),
  };
}
