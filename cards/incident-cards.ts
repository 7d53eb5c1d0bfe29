/**
 * Incident cards: the report form, the incident card (group and responders' DMs, with
 * 认领 / 更新 / 升级 / 解决), the executives' summary and the complainant's satisfaction check.
 * Pure functions of a view, in the reader's language (`t`); the service decides who gets which card.
 */
import type { Msg, Translator } from '../src/i18n/translator.js';
import { INCIDENT_TYPES, LEVELS, isComplaint, labelMsg, levelMsg, satisfactionMsg, statusMsg, typeMsg } from './incident-labels.js';
import type { Card, CardAction, CardField } from './model.js';

export const INCIDENT_ACTIONS = { ack: 'incident.ack', update: 'incident.update', raise: 'incident.raise', resolve: 'incident.resolve' } as const;
export const INCIDENT_REPORT_ACTION = 'incident.report';
export const SATISFACTION_ACTIONS = { good: 'incident.csat.good', ok: 'incident.csat.ok', bad: 'incident.csat.bad' } as const;
export type Satisfaction = keyof typeof SATISFACTION_ACTIONS;

export interface IncidentView {
  id: number;
  /** The stored type (see incident-labels.ts). */
  type: string;
  severity: number;
  location: string | null;
  description: string;
  status: string;
  reporter: string;
  owner: string | null;
  responders: string[];
  meeting: string | null;
  reportedAt: string;
  /** `YYYY-MM-DD HH:mm` by which someone must claim it before the next escalation (open incidents only). */
  ackDeadline: string | null;
  ackedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  lastUpdate: { text: string; who: string; time: string } | null;
  /** The latest escalation, e.g. `升级至备岗响应人：周婷`. */
  escalation: Msg | string | null;
}

function fields(t: Translator, v: IncidentView): CardField[] {
  const list: CardField[] = [
    { label: t.t('incident.card.type'), value: t.render(typeMsg(v.type)) },
    { label: t.t('incident.card.level'), value: t.render(levelMsg(v.type, v.severity)) },
    { label: t.t('incident.card.location'), value: v.location ?? t.t('incident.card.noLocation') },
    { label: t.t('incident.card.reporter'), value: t.t('incident.card.reporterValue', { name: v.reporter, at: v.reportedAt }) },
    { label: t.t('incident.card.responders'), value: v.responders.length ? t.list(v.responders) : t.t('incident.card.noResponders') },
  ];
  if (v.meeting) list.splice(3, 0, { label: t.t('incident.card.meeting'), value: v.meeting });
  if (v.owner) list.push({ label: t.t('incident.card.owner'), value: v.owner });
  if (v.escalation) list.push({ label: t.t('incident.card.escalation'), value: t.render(v.escalation) });
  if (v.lastUpdate) list.push({ label: t.t('incident.card.lastUpdate'), value: lastUpdate(t, v.lastUpdate) });
  if (v.resolution) list.push({ label: t.t('incident.card.resolution'), value: v.resolution });
  return list;
}

const lastUpdate = (t: Translator, u: NonNullable<IncidentView['lastUpdate']>) => t.t('incident.card.lastUpdateValue', u);

function stateOf(t: Translator, v: IncidentView): NonNullable<Card['state']> {
  if (v.status === 'resolved') return { status: 'resolved', label: t.t('incident.card.stateResolved', { at: v.resolvedAt ?? '' }), closed: true };
  if (v.status === 'acknowledged') return { status: 'acknowledged', label: t.t('incident.card.stateAcknowledged', { owner: v.owner ?? '—', at: v.ackedAt ?? '' }) };
  return { status: 'open', label: v.ackDeadline ? t.t('incident.card.stateOpenDeadline', { time: v.ackDeadline.slice(11) }) : t.t('incident.card.stateOpen') };
}

export function incidentCard(t: Translator, cardId: string, v: IncidentView): Card {
  const actions: CardAction[] = [];
  if (v.status === 'open') actions.push({ key: INCIDENT_ACTIONS.ack, label: t.t('incident.card.ack'), style: 'primary' });
  if (v.status !== 'resolved') {
    actions.push({ key: INCIDENT_ACTIONS.update, label: t.t('incident.card.update') });
    if (v.severity > 1) actions.push({ key: INCIDENT_ACTIONS.raise, label: t.t('incident.card.raise'), style: 'danger' });
    actions.push({ key: INCIDENT_ACTIONS.resolve, label: t.t('incident.card.resolve'), style: v.status === 'open' ? 'default' : 'primary' });
  }
  return {
    id: cardId,
    title: t.t('incident.card.title', { id: v.id, label: labelMsg(v.type, v.severity), location: v.location ?? '' }).trim(),
    body: v.description,
    fields: fields(t, v),
    ...(v.status === 'resolved'
      ? {}
      : { inputs: [{ key: 'note', label: t.t('incident.card.noteLabel'), kind: 'text' as const, placeholder: t.t('incident.card.notePlaceholder') }] }),
    actions,
    state: stateOf(t, v),
    fallback: t.t('incident.card.fallback', { id: v.id }),
  };
}

/**
 * The executives' short summary of a P1 incident or a 一级 complaint, titled as what it is; no
 * buttons, updated as the incident moves. An assistant's copy names the executive it is for.
 */
export function executiveSummaryCard(t: Translator, cardId: string, v: IncidentView, forExecutive: string | null = null): Card {
  const title = isComplaint(v.type) ? 'incident.card.execTitleComplaint' : 'incident.card.execTitle';
  return {
    id: cardId,
    title: t.t(title, { id: v.id, level: levelMsg(v.type, v.severity), type: typeMsg(v.type), location: v.location ?? '' }).trim(),
    body: v.description,
    fields: [
      ...(forExecutive ? [{ label: t.t('incident.card.execFor'), value: forExecutive }] : []),
      { label: t.t('incident.card.execStatus'), value: t.render(statusMsg(v.status)) },
      { label: t.t('incident.card.execOwner'), value: v.owner ?? t.t('incident.card.execNoOwner') },
      ...(v.meeting ? [{ label: t.t('incident.card.meeting'), value: v.meeting }] : []),
      { label: t.t('incident.card.execReported'), value: v.reportedAt },
      ...(v.lastUpdate ? [{ label: t.t('incident.card.lastUpdate'), value: lastUpdate(t, v.lastUpdate) }] : []),
      ...(v.resolution ? [{ label: t.t('incident.card.resolution'), value: v.resolution }] : []),
    ],
    state: { ...stateOf(t, v), closed: true },
    fallback: t.t('incident.card.execFallback', { id: v.id }),
  };
}

/**
 * The report form (上报 without arguments). `meetings`: the group's candidate meetings when there
 * are several, to choose from (one or none is attached without asking).
 */
export function reportCard(t: Translator, cardId: string, meetings: ReadonlyArray<{ id: number; title: string }> = []): Card {
  return {
    id: cardId,
    title: t.t('incident.card.reportTitle'),
    body: t.t('incident.card.reportBody'),
    inputs: [
      { key: 'type', label: t.t('incident.card.type'), kind: 'select', options: INCIDENT_TYPES.map((type) => ({ value: type, label: t.t(`incident.type.${type}`) })), value: 'equipment' },
      {
        key: 'severity',
        label: t.t('incident.card.level'),
        kind: 'select',
        options: LEVELS.map((n) => ({ value: String(n), label: t.t('incident.card.reportLevelOption', { n, name: t.t(`incident.level.named.${n}`) }) })),
        value: '3',
      },
      { key: 'location', label: t.t('incident.card.location'), kind: 'text', placeholder: t.t('incident.card.reportLocationPlaceholder') },
      { key: 'description', label: t.t('incident.card.reportDescription'), kind: 'text', placeholder: t.t('incident.card.reportDescriptionPlaceholder') },
      ...(meetings.length > 1
        ? [{ key: 'meeting', label: t.t('incident.card.reportMeeting'), kind: 'select' as const, options: meetings.map((m) => ({ value: String(m.id), label: `#${m.id} ${m.title}` })) }]
        : []),
    ],
    actions: [{ key: INCIDENT_REPORT_ACTION, label: t.t('incident.card.reportButton'), style: 'danger' }],
    fallback: t.t('incident.card.reportFallback'),
  };
}

export function satisfactionCard(t: Translator, cardId: string, incidentId: number, description: string, answered?: Satisfaction): Card {
  return {
    id: cardId,
    title: t.t('incident.card.csatTitle', { id: incidentId }),
    body: t.t('incident.card.csatBody', { description }),
    actions: (['good', 'ok', 'bad'] as const).map((answer) => ({
      key: SATISFACTION_ACTIONS[answer],
      label: t.render(satisfactionMsg(answer)),
      ...(answer === 'good' ? { style: 'primary' as const } : answer === 'bad' ? { style: 'danger' as const } : {}),
    })),
    ...(answered ? { state: { status: 'answered', label: t.t('incident.card.csatAnswered', { answer: satisfactionMsg(answered) }), closed: true } } : {}),
  };
}
