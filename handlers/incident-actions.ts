/**
 * The incident cards' buttons (认领 / 更新 / 升级 / 解决), the report card's submit and the
 * complainant's satisfaction answer. The text fallbacks of the same actions are the 事件
 * subcommands in `incidents.ts`; both call the same service methods.
 */
import { INCIDENT_ACTIONS, INCIDENT_REPORT_ACTION, SATISFACTION_ACTIONS, SATISFACTION_LABEL, severityLabel } from '../cards/incident-cards.js';
import { PRIORITY } from '../src/queue/queues.js';
import { type CardActionSpec, UserError } from '../src/router/types.js';
import type { Services } from '../src/services/services.js';
import type { IncidentRow } from '../src/services/incidents.js';
import { incidentType, severityOf, validTypeList } from './incident-args.js';

async function cardIncident(services: Services, refId: string): Promise<IncidentRow> {
  const incident = await services.incidents.get(Number(refId));
  if (!incident) throw new UserError('事件不存在');
  return incident;
}

export const incidentActions: CardActionSpec[] = [
  {
    key: INCIDENT_ACTIONS.ack,
    async handle({ card, user, services, now }) {
      await services.incidents.acknowledge(await cardIncident(services, card.refId), user, now);
      return { accepted: true, message: '已认领，升级已停止' };
    },
  },
  {
    key: INCIDENT_ACTIONS.update,
    async handle({ card, user, services, now, event }) {
      const text = event.values.note?.trim() ?? '';
      await services.incidents.addUpdate(await cardIncident(services, card.refId), user, text, now);
      return { accepted: true, message: '进展已更新' };
    },
  },
  {
    key: INCIDENT_ACTIONS.raise,
    async handle({ card, user, services, now }) {
      const raised = await services.incidents.raise(await cardIncident(services, card.refId), user, now);
      return { accepted: true, message: `已升级为 ${severityLabel(raised.type, raised.severity)}` };
    },
  },
  {
    key: INCIDENT_ACTIONS.resolve,
    async handle({ card, user, services, now, event }) {
      const text = event.values.note?.trim() ?? '';
      await services.incidents.resolve(await cardIncident(services, card.refId), user, text, now);
      return { accepted: true, message: '已解决' };
    },
  },
  {
    key: INCIDENT_REPORT_ACTION,
    async handle({ card, user, services, now, event }) {
      const row = await services.db.card.findUnique({ where: { id: card.id } });
      if (!row || row.targetKind !== 'conversation') return { accepted: false, reason: '请在群里上报' };
      const v = event.values;
      const type = incidentType(v.type);
      const severity = severityOf(`p${v.severity ?? ''}`) ?? severityOf(v.severity);
      const description = v.description?.trim() ?? '';
      if (!type) return { accepted: false, reason: `请选择类型：${validTypeList()}` };
      if (!severity) return { accepted: false, reason: '请选择级别 P1-P4' };
      if (!description) return { accepted: false, reason: '请填写描述' };
      const incident = await services.incidents.report(
        { type, severity, location: v.location?.trim() || null, description, conversationId: row.targetId, reporterId: user.id, complainantId: null },
        now,
      );
      await services.cards.update(card.id, (c) => ({ ...c, state: { status: 'reported', label: `已上报事件 #${incident.id}（${user.name}）`, closed: true } }), PRIORITY.interactive);
      return { accepted: true, message: `已上报事件 #${incident.id}` };
    },
  },
  ...(['good', 'ok', 'bad'] as const).map(
    (answer): CardActionSpec => ({
      key: SATISFACTION_ACTIONS[answer],
      async handle({ card, user, services, now }) {
        await services.incidents.recordSatisfaction(await cardIncident(services, card.refId), user, answer, now);
        return { accepted: true, message: `感谢评价：${SATISFACTION_LABEL[answer]}` };
      },
    }),
  ),
];
