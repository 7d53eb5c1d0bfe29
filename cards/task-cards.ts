/** The task card in the assignee's DM: 接受 / 完成 / 受阻 (reason) / 转交 (to whom). Pure functions of a view. */
import type { Card, CardAction, CardInput } from './model.js';

export const TASK_ACTIONS = { accept: 'task.accept', done: 'task.done', block: 'task.block', transfer: 'task.transfer' } as const;

export const TASK_STATUS_LABEL: Record<string, string> = { open: '待接受', accepted: '进行中', blocked: '受阻', done: '已完成', cancelled: '已取消' };
export const PRIORITY_LABEL: Record<string, string> = { urgent: '紧急', high: '高', normal: '中', low: '低' };

export interface TaskView {
  id: number;
  title: string;
  status: string;
  priority: string;
  due: string;
  creator: string;
  assignee: string | null;
  department: string | null;
  meeting: string | null;
  blockedReason: string | null;
  /** People the task may be handed to (department members); empty: any name. */
  transferOptions: Array<{ value: string; label: string }>;
  overdue: boolean;
}

export function taskCard(cardId: string, v: TaskView, closedLabel?: string): Card {
  const fields = [
    { label: '截止', value: `${v.due}${v.overdue ? '（已逾期）' : ''}` },
    { label: '优先级', value: PRIORITY_LABEL[v.priority] ?? v.priority },
    { label: '负责人', value: v.assignee ?? '待指派' },
    { label: '创建人', value: v.creator },
  ];
  if (v.department) fields.push({ label: '部门', value: v.department });
  if (v.meeting) fields.push({ label: '会议', value: v.meeting });
  if (v.blockedReason && v.status === 'blocked') fields.push({ label: '受阻原因', value: v.blockedReason });
  const finished = v.status === 'done' || v.status === 'cancelled';
  const actions: CardAction[] = [];
  if (v.status === 'open' || v.status === 'blocked') actions.push({ key: TASK_ACTIONS.accept, label: v.status === 'blocked' ? '继续' : '接受', style: 'primary' });
  actions.push({ key: TASK_ACTIONS.done, label: '完成', style: 'primary' }, { key: TASK_ACTIONS.block, label: '受阻', style: 'danger' }, { key: TASK_ACTIONS.transfer, label: '转交' });
  const inputs: CardInput[] = [
    { key: 'reason', label: '受阻原因（点「受阻」时填写）', kind: 'text', placeholder: '如：等待供应商报价' },
    v.transferOptions.length > 0
      ? { key: 'to', label: '转交给', kind: 'select', options: v.transferOptions }
      : { key: 'to', label: '转交给（姓名）', kind: 'text', placeholder: '如：周婷' },
  ];
  const state: Card['state'] = closedLabel
    ? { status: 'closed', label: closedLabel, closed: true }
    : { status: v.status, label: `${TASK_STATUS_LABEL[v.status] ?? v.status}${v.status === 'blocked' && v.blockedReason ? `：${v.blockedReason}` : ''}`, closed: finished };
  return {
    id: cardId,
    title: `📋 任务 #${v.id} ${v.title}`,
    fields,
    ...(finished || closedLabel ? {} : { inputs, actions }),
    state,
    fallback: `也可回复：任务 接受 #${v.id} | 任务 完成 #${v.id} | 任务 受阻 #${v.id} <原因> | 任务 转交 #${v.id} @某人`,
  };
}
