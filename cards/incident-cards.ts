/**
 * Incident cards: the report form, the incident card (group and responders' DMs, with
 * 认领 / 更新 / 升级 / 解决), the executives' P1 summary and the complainant's satisfaction check.
 * Pure functions of a view; the service decides who gets which card.
 */
import type { Card, CardAction, CardField } from './model.js';

export const INCIDENT_ACTIONS = { ack: 'incident.ack', update: 'incident.update', raise: 'incident.raise', resolve: 'incident.resolve' } as const;
export const INCIDENT_REPORT_ACTION = 'incident.report';
export const SATISFACTION_ACTIONS = { good: 'incident.csat.good', ok: 'incident.csat.ok', bad: 'incident.csat.bad' } as const;
export const SATISFACTION_LABEL: Record<string, string> = { good: '满意', ok: '一般', bad: '不满意' };

export const INCIDENT_TYPES = ['设备', '安全', '医疗', '客诉', '后勤', '其他'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const STATUS_LABEL: Record<string, string> = { open: '待认领', acknowledged: '处理中', resolved: '已解决' };

/** `P1`..`P4`; complaints have response levels of their own, shown as 一级..四级. */
export function severityLabel(type: string, severity: number): string {
  return type === '客诉' ? `${['一', '二', '三', '四'][severity - 1] ?? severity}级` : `P${severity}`;
}

export interface IncidentView {
  id: number;
  type: string;
  severity: number;
  location: string | null;
  description: string;
  status: string;
  reporter: string;
  owner: string | null;
  responders: string;
  meeting: string | null;
  reportedAt: string;
  /** `YYYY-MM-DD HH:mm` by which someone must acknowledge (open incidents only). */
  ackDeadline: string | null;
  ackedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  lastUpdate: string | null;
  /** e.g. `已升级至 组织者（王芳）`. */
  escalation: string | null;
}

function fields(v: IncidentView): CardField[] {
  const list: CardField[] = [
    { label: '类型', value: v.type },
    { label: '级别', value: severityLabel(v.type, v.severity) },
    { label: '地点', value: v.location ?? '未填写' },
    { label: '上报人', value: `${v.reporter}（${v.reportedAt}）` },
    { label: '响应人', value: v.responders || '未配置值班' },
  ];
  if (v.meeting) list.splice(3, 0, { label: '会议', value: v.meeting });
  if (v.owner) list.push({ label: '负责人', value: v.owner });
  if (v.escalation) list.push({ label: '升级', value: v.escalation });
  if (v.lastUpdate) list.push({ label: '最新进展', value: v.lastUpdate });
  if (v.resolution) list.push({ label: '处理结果', value: v.resolution });
  return list;
}

function stateOf(v: IncidentView): Card['state'] {
  if (v.status === 'resolved') return { status: 'resolved', label: `✅ 已解决（${v.resolvedAt ?? ''}）`, closed: true };
  if (v.status === 'acknowledged') return { status: 'acknowledged', label: `🟡 处理中 · 负责人 ${v.owner ?? '—'}（${v.ackedAt ?? ''} 认领）` };
  return { status: 'open', label: `🔴 待认领${v.ackDeadline ? `（请在 ${v.ackDeadline.slice(11)} 前认领）` : ''}` };
}

export function incidentCard(cardId: string, v: IncidentView): Card {
  const actions: CardAction[] = [];
  if (v.status === 'open') actions.push({ key: INCIDENT_ACTIONS.ack, label: '认领', style: 'primary' });
  if (v.status !== 'resolved') {
    actions.push({ key: INCIDENT_ACTIONS.update, label: '更新' });
    if (v.severity > 1) actions.push({ key: INCIDENT_ACTIONS.raise, label: '升级', style: 'danger' });
    actions.push({ key: INCIDENT_ACTIONS.resolve, label: '解决', style: v.status === 'open' ? 'default' : 'primary' });
  }
  return {
    id: cardId,
    title: `🚨 事件 #${v.id} [${severityLabel(v.type, v.severity)} ${v.type}] ${v.location ?? ''}`.trim(),
    body: v.description,
    fields: fields(v),
    ...(v.status === 'resolved' ? {} : { inputs: [{ key: 'note', label: '进展或处理结果（更新、解决时填写）', kind: 'text' as const, placeholder: '如：已更换备用投影仪' }] }),
    actions,
    state: stateOf(v),
    fallback: `也可回复：事件 认领 #${v.id} | 事件 更新 #${v.id} <进展> | 事件 升级 #${v.id} | 事件 解决 #${v.id} <处理结果>`,
  };
}

/** The executives' short P1 summary: no buttons, updated as the incident moves. */
export function executiveSummaryCard(cardId: string, v: IncidentView): Card {
  const state = stateOf(v)!;
  return {
    id: cardId,
    title: `📣 P1 事件摘要 #${v.id} ${v.type} · ${v.location ?? ''}`.trim(),
    body: v.description,
    fields: [
      { label: '状态', value: STATUS_LABEL[v.status] ?? v.status },
      { label: '负责人', value: v.owner ?? '待认领' },
      ...(v.meeting ? [{ label: '会议', value: v.meeting }] : []),
      { label: '上报', value: v.reportedAt },
      ...(v.lastUpdate ? [{ label: '最新进展', value: v.lastUpdate }] : []),
      ...(v.resolution ? [{ label: '处理结果', value: v.resolution }] : []),
    ],
    state: { ...state, closed: true },
    fallback: `详情：事件 #${v.id}；复盘：复盘 #${v.id}`,
  };
}

/** The report form (上报 without arguments). */
export function reportCard(cardId: string): Card {
  return {
    id: cardId,
    title: '🆘 上报事件',
    body: '请选择类型和级别，填写地点与描述后点击「上报」。值班响应人会立即收到通知。',
    inputs: [
      { key: 'type', label: '类型', kind: 'select', options: INCIDENT_TYPES.map((t) => ({ value: t, label: t })), value: '设备' },
      {
        key: 'severity',
        label: '级别',
        kind: 'select',
        options: [1, 2, 3, 4].map((s) => ({ value: String(s), label: `P${s}（${['紧急', '高', '中', '低'][s - 1]}）` })),
        value: '3',
      },
      { key: 'location', label: '地点', kind: 'text', placeholder: '如：主会场' },
      { key: 'description', label: '描述', kind: 'text', placeholder: '如：投影仪黑屏' },
    ],
    actions: [{ key: INCIDENT_REPORT_ACTION, label: '上报', style: 'danger' }],
    fallback: '也可回复：上报 <类型> <级别> <地点> <描述>，例如：上报 设备 P1 主会场 投影仪黑屏',
  };
}

export function satisfactionCard(cardId: string, incidentId: number, description: string, answered?: string): Card {
  return {
    id: cardId,
    title: `🙏 您的反馈已处理 #${incidentId}`,
    body: `您反映的问题「${description}」已处理完毕。您对处理结果满意吗？`,
    actions: [
      { key: SATISFACTION_ACTIONS.good, label: '满意', style: 'primary' },
      { key: SATISFACTION_ACTIONS.ok, label: '一般' },
      { key: SATISFACTION_ACTIONS.bad, label: '不满意', style: 'danger' },
    ],
    ...(answered ? { state: { status: 'answered', label: `已评价：${answered}，谢谢！`, closed: true } } : {}),
  };
}
