/**
 * 复盘 / review: the post-incident review (summary, durations, escalations, timeline), its
 * follow-up actions, and turning an action into a task (`Task.incidentId`).
 */
import { eventText, formatDuration, isComplaint, levelMsg, satisfactionMsg, statusMsg, typeMsg } from '../cards/incident-labels.js';
import { words } from '../src/i18n/vocabulary.js';
import type { Translator } from '../src/i18n/translator.js';
import { type CommandContext, type CommandSpec, UsageError } from '../src/router/types.js';
import type { HandlerServices } from '../src/services/services.js';
import type { IncidentRow } from '../src/services/incidents.js';
import { loadIncident, takeIncidentId } from './incident-args.js';
import { change, timelineLines } from './incidents.js';
import { matchSub } from './args.js';
import { createFromSpec, parseAssignment } from './task-args.js';
import type { Capability } from '../src/capability.js';

export const reviewCommand: CommandSpec = {
  id: 'incident-review',
  async handle(ctx) {
    const { id, rest } = takeIncidentId(ctx.args, 'review');
    const incident = await loadIncident(ctx, id);
    const { sub, rest: more } = matchSub(rest, { action: words('incident.words.action'), task: words('incident.words.task') });
    if (sub === 'action') return change(ctx, 'action', `#${id} ${more}`);
    if (sub === 'task') return actionToTask(ctx, incident, more);
    if (rest) throw new UsageError('E_INCIDENT_UNKNOWN_SUB', { word: rest.split(' ')[0] });
    return incidentReviewText(ctx.services, ctx.t, incident);
  },
};

/** The review of one incident worded with `t`; also the incident's file in a meeting's archive pack. */
export async function incidentReviewText(s: HandlerServices, t: Translator, incident: IncidentRow): Promise<string> {
  const view = await s.incidents.view(incident);
  const events = await s.incidents.timeline(incident.id);
  const escalations = events.filter((e) => e.kind === 'escalated');
  const actions = events.filter((e) => e.kind === 'action');
  const tasks = await s.tasks.forIncident(incident.id);
  const since = (at: Date) => formatDuration(t, at.getTime() - incident.createdAt.getTime());
  const details = escalations.map((e) => t.render(eventText(incident, e.kind, e.text) ?? ''));
  const lines = [
    t.t('incident.review.title', { id: incident.id }),
    t.t('incident.review.summary', {
      level: levelMsg(incident.type, incident.severity),
      type: typeMsg(incident.type),
      location: incident.location ?? t.t('incident.noLocation'),
      description: incident.description,
    }),
    t.t('incident.review.people', {
      meeting: view.meeting ? t.t('incident.review.meeting', { meeting: view.meeting }) : '',
      reporter: view.reporter,
      owner: view.owner ?? t.t('incident.none'),
      status: statusMsg(incident.status),
    }),
    t.t('incident.review.resolution', { resolution: incident.resolution ?? t.t('incident.none') }),
    t.t('incident.review.ackTime', { duration: incident.ackedAt ? since(incident.ackedAt) : t.t('incident.review.notAcked') }),
    t.t('incident.review.resolveTime', { duration: incident.resolvedAt ? since(incident.resolvedAt) : t.t('incident.review.notResolved') }),
    t.t('incident.review.escalations', {
      count: escalations.length,
      details: details.length ? t.t('incident.review.escalationDetails', { list: details.join(t.t('incident.review.escalationSeparator')) }) : '',
    }),
  ];
  if (isComplaint(incident.type)) {
    const answer = incident.satisfaction
      ? t.render(satisfactionMsg(incident.satisfaction))
      : t.t(incident.complainantId ? 'incident.review.awaitingRating' : 'incident.review.noComplainant');
    lines.push(t.t('incident.review.satisfaction', { answer }));
  }
  lines.push(t.t('incident.timelineTitle'), ...(await timelineLines(s, t, incident)));
  if (actions.length === 0) {
    lines.push(t.t('incident.review.noActions', { id: incident.id }));
  } else {
    lines.push(t.t('incident.review.actions'));
    actions.forEach((a, i) => {
      const task = tasks.find((x) => x.title === a.text);
      lines.push(t.t('incident.review.actionLine', { n: i + 1, text: a.text, task: task ? t.t('incident.review.actionTask', { id: task.id }) : '' }));
    });
    lines.push(t.t('incident.review.toTask', { id: incident.id }));
  }
  return lines.join('\n');
}

async function actionToTask(ctx: CommandContext, incident: IncidentRow, args: string): Promise<string> {
  const [nText = '', ...rest] = args.split(' ');
  const n = Number(nText);
  const actions = await ctx.services.incidents.actions(incident.id);
  const action = Number.isInteger(n) && n >= 1 ? actions[n - 1] : undefined;
  if (!action) throw actions.length ? new UsageError('E_INCIDENT_ACTION_NUMBER', { max: actions.length }) : new UsageError('E_INCIDENT_NO_ACTIONS', { id: incident.id });
  const spec = await parseAssignment(ctx, rest.join(' '), false);
  return createFromSpec(ctx, { ...spec, title: action.text!, meetingId: incident.meetingId, incidentId: incident.id });
}

/** Post-incident reviews (复盘), on the incident service. */
export const incidentReview: Capability = { name: 'incident-review', commands: [reviewCommand] };
