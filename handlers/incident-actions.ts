/**
 * The incident cards' buttons (认领 / 更新 / 升级 / 解决), the report card's submit and the
 * complainant's satisfaction answer. The text fallbacks of the same actions are the 事件
 * subcommands in `incidents.ts`; both call the same service methods.
 */
import { INCIDENT_ACTIONS, INCIDENT_REPORT_ACTION, SATISFACTION_ACTIONS } from '../cards/incident-cards.js';
import { levelMsg, levelOfWord, satisfactionMsg, storedType, typeList, typeOfWord } from '../cards/incident-labels.js';
import { parseShortId } from '../src/router/normalize.js';
import { type CardActionSpec, UserError } from '../src/router/types.js';
import type { HandlerServices } from '../src/services/services.js';
import type { IncidentRow } from '../src/services/incidents.js';
import { implicitNote, incidentMeeting } from './incident-args.js';

async function cardIncident(services: HandlerServices, refId: string): Promise<IncidentRow> {
  const incident = await services.incidents.get(Number(refId));
  if (!incident) throw new UserError('E_INCIDENT_CARD_GONE');
  return incident;
}

export const incidentActions: CardActionSpec[] = [
  {
    key: INCIDENT_ACTIONS.ack,
    async handle({ card, user, services, now, t }) {
      await services.incidents.acknowledge(await cardIncident(services, card.refId), user, now);
      return { accepted: true, message: t.t('incident.action.acked') };
    },
  },
  {
    key: INCIDENT_ACTIONS.update,
    async handle({ card, user, services, now, event, t }) {
      const text = event.values.note?.trim() ?? '';
      await services.incidents.addUpdate(await cardIncident(services, card.refId), user, text, now);
      return { accepted: true, message: t.t('incident.action.updated') };
    },
  },
  {
    key: INCIDENT_ACTIONS.raise,
    async handle({ card, user, services, now, t }) {
      const raised = await services.incidents.raise(await cardIncident(services, card.refId), user, now);
      return { accepted: true, message: t.t('incident.action.raised', { level: levelMsg(raised.type, raised.severity) }) };
    },
  },
  {
    key: INCIDENT_ACTIONS.resolve,
    async handle({ card, user, services, now, event, t }) {
      const text = event.values.note?.trim() ?? '';
      await services.incidents.resolve(await cardIncident(services, card.refId), user, text, now);
      return { accepted: true, message: t.t('incident.action.resolved') };
    },
  },
  {
    key: INCIDENT_REPORT_ACTION,
    async handle({ card, user, services, now, event, t }) {
      if (card.target.kind !== 'conversation') throw new UserError('E_INCIDENT_REPORT_GROUP_ONLY');
      const v = event.values;
      const type = typeOfWord(v.type);
      const severity = levelOfWord(`p${v.severity ?? ''}`) ?? levelOfWord(v.severity);
      const description = v.description?.trim() ?? '';
      if (!type) throw new UserError('E_INCIDENT_TYPE_CHOOSE', { types: typeList(t) });
      if (!severity) throw new UserError('E_INCIDENT_LEVEL_CHOOSE');
      if (!description) throw new UserError('E_INCIDENT_DESCRIPTION_FILL');
      const found = await incidentMeeting(services, card.target.conversationId, parseShortId(v.meeting), now);
      const incident = await services.incidents.report(
        {
          type: storedType(type),
          severity,
          location: v.location?.trim() || null,
          description,
          meetingId: found.meeting?.id ?? null,
          conversationId: card.target.conversationId,
          reporterId: user.id,
          complainantId: null,
        },
        now,
      );
      await services.cards.update(
        card.id,
        (c, reader) => ({ ...c, state: { status: 'reported', label: reader.t('incident.action.reportedState', { id: incident.id, name: user.name }), closed: true } }),
      );
      return { accepted: true, message: t.t('incident.action.reported', { id: incident.id, note: implicitNote(t, found) }) };
    },
  },
  ...(['good', 'ok', 'bad'] as const).map(
    (answer): CardActionSpec => ({
      key: SATISFACTION_ACTIONS[answer],
      async handle({ card, user, services, now, t }) {
        await services.incidents.recordSatisfaction(await cardIncident(services, card.refId), user, answer, now);
        return { accepted: true, message: t.t('incident.action.rated', { answer: satisfactionMsg(answer) }) };
      },
    }),
  ),
];
