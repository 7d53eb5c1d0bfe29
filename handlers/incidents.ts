/**
 * 上报 / report: report an incident (command or report card); 事件 / incidents: list, timeline,
 * the text fallbacks of the card buttons (认领 / 更新 / 升级 / 解决), on-duty responders and
 * per-meeting figures. The review (复盘) is in `incident-review.ts`, the card buttons in
 * `incident-actions.ts`.
 */
import { reportCard } from '../cards/incident-cards.js';
import { eventLabel, eventText, formatDuration, labelMsg, levelMsg, statusMsg, storedType, typeList, typeMsg, typeOfWord } from '../cards/incident-labels.js';
import { words } from '../src/i18n/vocabulary.js';
import type { Translator } from '../src/i18n/translator.js';
import { type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { HandlerServices } from '../src/services/services.js';
import type { IncidentRow } from '../src/services/incidents.js';
import { formatDateTime } from '../src/time/parse-time.js';
import { implicitNote, incidentMeeting, loadIncident, parseReport, takeIncidentId } from './incident-args.js';
import { matchSub } from './args.js';
import type { Capability } from '../src/capability.js';
import { IncidentService } from '../src/services/incidents.js';
import { incidentActions } from './incident-actions.js';

export const reportCommand: CommandSpec = {
  id: 'incident-report',
  async handle(ctx) {
    if (!ctx.args) {
      const { candidates } = await ctx.services.meetings.implicit(ctx.conversation.id, ctx.now);
      return { type: 'card', card: reportCard(ctx.t, `increport-${ctx.event.eventId}`, candidates) };
    }
    const { meetingId, supplier: supplierName, ...spec } = parseReport(ctx.args);
    const supplier = supplierName ? await ctx.services.suppliers.require(supplierName) : null;
    const found = await incidentMeeting(ctx.services, ctx.conversation.id, meetingId, ctx.now);
    const complainant = spec.type === 'complaint' ? (ctx.mentions[0]?.id ?? null) : null;
    const incident = await ctx.services.incidents.report(
      { ...spec, type: storedType(spec.type), meetingId: found.meeting?.id ?? null, conversationId: ctx.conversation.id, reporterId: ctx.user.id, complainantId: complainant, supplierId: supplier?.id ?? null },
      ctx.now,
    );
    const text = await reportedText(ctx, incident, implicitNote(ctx.t, found));
    return supplier ? `${text}\n${ctx.t.t('incident.reportedSupplier', { name: supplier.name })}` : text;
  },
};

async function reportedText(ctx: CommandContext, incident: IncidentRow, note: string): Promise<string> {
  const { t } = ctx;
  const view = await ctx.services.incidents.view(incident);
  const minutes = formatDuration(t, ctx.services.incidents.ackDeadlineMs(incident));
  const lines = [t.t('incident.reported', { id: incident.id, label: labelMsg(incident.type, incident.severity), location: incident.location ?? '', description: incident.description })];
  if (view.meeting) lines.push(t.t('incident.reportedMeeting', { meeting: view.meeting, note }));
  lines.push(
    view.responders.length
      ? t.t('incident.reportedResponders', { responders: t.list(view.responders), minutes })
      : t.t('incident.reportedNoResponders', { type: typeMsg(incident.type), minutes }),
  );
  return lines.join('\n');
}

const SUB = {
  list: words('incident.words.list'),
  show: words('incident.words.show'),
  ack: words('incident.words.ack'),
  update: words('incident.words.update'),
  raise: words('incident.words.raise'),
  resolve: words('incident.words.resolve'),
  action: words('incident.words.action'),
  duty: words('incident.words.duty'),
  backup: words('incident.words.backup'),
  stats: words('incident.words.stats'),
};

export const incidentCommand: CommandSpec = {
  id: 'incident',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'list':
        return listOpen(ctx);
      case 'show':
        return timelineText(ctx, await loadIncident(ctx, takeIncidentId(rest, 'show').id));
      case 'ack':
      case 'update':
      case 'raise':
      case 'resolve':
      case 'action':
        return change(ctx, sub, rest);
      case 'duty':
      case 'backup':
        return duty(ctx, sub === 'backup' ? 2 : 1, rest);
      case 'stats':
        return figures(ctx, rest);
      default:
        if (/^#?\d+$/.test(ctx.args)) return timelineText(ctx, await loadIncident(ctx, takeIncidentId(ctx.args, 'timeline').id));
        if (!ctx.args) throw new UsageError('E_INCIDENT_MISSING_SUB');
        throw new UsageError('E_INCIDENT_UNKNOWN_SUB', { word: ctx.args.split(' ')[0] });
    }
  },
};

async function listOpen(ctx: CommandContext): Promise<string> {
  const { t } = ctx;
  const list = await ctx.services.incidents.openIn(ctx.conversation.id);
  if (list.length === 0) return t.t('incident.listEmpty');
  const owners = await ctx.services.directory.usersByIds([...new Set(list.flatMap((i) => (i.ownerId ? [i.ownerId] : [])))]);
  const lines = list.map((i) => {
    const owner = owners.find((u) => u.id === i.ownerId)?.name;
    return t.t('incident.listLine', {
      id: i.id,
      label: labelMsg(i.type, i.severity),
      location: i.location ?? '',
      description: i.description,
      status: statusMsg(i.status),
      owner: owner ? t.t('incident.listOwner', { name: owner }) : '',
    });
  });
  return t.t('incident.list', { count: list.length, lines: lines.join('\n') });
}

/** The 事件 subcommands that change an incident; 复盘 行动 reuses `action`. */
export async function change(ctx: CommandContext, sub: 'ack' | 'update' | 'raise' | 'resolve' | 'action', args: string): Promise<string> {
  const { id, rest } = takeIncidentId(args, sub);
  const incident = await loadIncident(ctx, id);
  const s = ctx.services.incidents;
  const { t } = ctx;
  switch (sub) {
    case 'ack':
      await s.acknowledge(incident, ctx.user, ctx.now);
      return t.t('incident.acked', { id });
    case 'update':
      if (!rest) throw new UsageError('E_INCIDENT_UPDATE_MISSING');
      await s.addUpdate(incident, ctx.user, rest, ctx.now);
      return t.t('incident.updated', { id, text: rest });
    case 'raise': {
      const raised = await s.raise(incident, ctx.user, ctx.now);
      return t.t('incident.raised', { id, level: levelMsg(raised.type, raised.severity) });
    }
    case 'resolve':
      if (!rest) throw new UsageError('E_INCIDENT_RESOLUTION_MISSING');
      await s.resolve(incident, ctx.user, rest, ctx.now);
      return t.t('incident.resolved', { id, text: rest });
    case 'action': {
      const n = await s.addAction(incident, ctx.user, rest, ctx.now);
      return t.t('incident.actionAdded', { id, n, text: rest });
    }
  }
}

/** `值班 <类型> @a @b [#会议|默认]`, `值班 <类型> 清除`, `值班 列表`. */
async function duty(ctx: CommandContext, level: 1 | 2, args: string): Promise<string> {
  const { t } = ctx;
  const tokens = args.split(' ').filter(Boolean);
  const defaults = words('incident.words.default');
  const scopeWord = tokens.find((w) => /^#?\d+$/.test(w) || defaults.includes(w.toLowerCase()));
  const rest = tokens.filter((w) => w !== scopeWord && !words('incident.words.meeting').includes(w.toLowerCase()));
  let meetingId = 0;
  if (scopeWord && /\d/.test(scopeWord)) meetingId = Number(scopeWord.replace('#', ''));
  else if (!scopeWord) meetingId = (await ctx.services.meetings.current(ctx.conversation.id, ctx.now))?.id ?? 0;
  const meeting = meetingId ? await ctx.services.meetings.get(meetingId) : null;
  if (meetingId && !meeting) throw new UserError('E_INCIDENT_MEETING_NOT_FOUND', { id: meetingId });
  const scope = meeting ? t.t('incident.duty.scopeMeeting', { id: meeting.id, title: meeting.title }) : t.t('incident.duty.scopeDefault');

  if (rest.length === 0 || words('incident.words.list').includes(rest[0]!.toLowerCase())) {
    const rows = await ctx.services.incidents.dutyList(meetingId);
    if (rows.length === 0) return t.t('incident.duty.empty', { scope });
    const people = await ctx.services.directory.usersByIds(rows.map((r) => r.userId));
    const lines = rows.map((r) =>
      t.t('incident.duty.line', { type: typeMsg(r.type), role: t.t(`incident.duty.role.${r.level}`), name: people.find((p) => p.id === r.userId)?.name ?? r.userId }),
    );
    return t.t('incident.duty.list', { scope, lines: lines.join('\n') });
  }
  const type = typeOfWord(rest[0]);
  if (!type) throw new UsageError('E_INCIDENT_TYPE_UNKNOWN', { types: typeList(t) });
  const stored = storedType(type);
  if (meeting ? !ctx.services.meetings.isOrganizer(meeting, ctx.user) : !ctx.user.roles.some((r) => r === 'organizer' || r === 'admin')) {
    throw meeting ? new UserError('E_INCIDENT_DUTY_MEETING_ORGANIZER', { id: meeting.id }) : new UserError('E_INCIDENT_DUTY_ORGANIZER');
  }
  if (rest[1] && words('incident.words.clear').includes(rest[1].toLowerCase())) {
    const count = await ctx.services.incidents.clearDuty(meetingId, stored);
    return t.t('incident.duty.cleared', { scope, type: typeMsg(stored), count });
  }
  if (ctx.mentions.length === 0) throw new UsageError('E_INCIDENT_DUTY_MENTION');
  await ctx.services.incidents.setDuty(meetingId, stored, ctx.mentions.map((m) => m.id), level, ctx.user.id);
  return t.t('incident.duty.set', { scope, type: typeMsg(stored), role: t.t(`incident.duty.role.${level}`), names: t.list(ctx.mentions.map((m) => m.name)) });
}

async function figures(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const id = args ? takeIncidentId(args.split(' ').filter((w) => !words('incident.words.meeting').includes(w.toLowerCase())).join(' '), 'stats').id : null;
  const meeting = id ? await ctx.services.meetings.get(id) : await ctx.services.meetings.current(ctx.conversation.id, ctx.now);
  if (!meeting) throw id ? new UserError('E_INCIDENT_MEETING_NOT_FOUND', { id }) : new UserError('E_INCIDENT_STATS_NO_MEETING');
  const f = await ctx.services.incidents.figures(meeting.id);
  const none = t.t('incident.none');
  const join = (items: Array<{ name: string; count: number }>) => items.map((i) => t.t('incident.stats.item', i)).join(t.t('incident.stats.separator')) || none;
  return [
    t.t('incident.stats.head', { id: meeting.id, title: meeting.title, total: f.total, open: f.open }),
    t.t('incident.stats.byType', { list: join([...f.byType].map(([type, count]) => ({ name: t.render(typeMsg(type)), count }))) }),
    t.t('incident.stats.byLevel', { list: join([...f.bySeverity].map(([severity, count]) => ({ name: t.t('incident.level.incident', { n: severity }), count }))) }),
    t.t('incident.stats.meanAck', { duration: f.meanAckMs === null ? none : formatDuration(t, f.meanAckMs) }),
    t.t('incident.stats.meanResolve', { duration: f.meanResolveMs === null ? none : formatDuration(t, f.meanResolveMs) }),
  ].join('\n');
}

/** One line per `IncidentEvent`, for 事件 #n and the review, in the reader's language. */
export async function timelineLines(services: HandlerServices, t: Translator, incident: IncidentRow): Promise<string[]> {
  const events = await services.incidents.timeline(incident.id);
  const people = await services.directory.usersByIds([...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))]);
  const zone = services.config.HUIWU_TIMEZONE;
  return events.map((e) => {
    const who = e.actorId ? (people.find((p) => p.id === e.actorId)?.name ?? e.actorId) : t.t('common.system');
    const text = eventText(incident, e.kind, e.text);
    const params = { time: formatDateTime(e.createdAt, zone).slice(5), who, label: eventLabel(e.kind) };
    return text ? t.t('incident.event.lineText', { ...params, text: t.render(text) }) : t.t('incident.event.line', params);
  });
}

async function timelineText(ctx: CommandContext, incident: IncidentRow): Promise<string> {
  const { t } = ctx;
  const head = t.t('incident.timelineHead', {
    id: incident.id,
    label: labelMsg(incident.type, incident.severity),
    location: incident.location ?? '',
    description: incident.description,
    status: statusMsg(incident.status),
  });
  return [head, t.t('incident.timelineTitle'), ...(await timelineLines(ctx.services, t, incident))].join('\n');
}

/** Incidents and complaints: the incident service, the report and incident commands and cards, escalation and update reminders. */
export const incidents: Capability = {
  name: 'incidents',
  services: (s) => ({ incidents: new IncidentService(s.db, s.scheduler, s.cards, s.outbox, s.directory, s.meetings, s.urgent, s.config, s.locales, s.schedule, s.events) }),
  commands: [reportCommand, incidentCommand],
  cardActions: incidentActions,
  jobs: {
    'incident.escalate': (s, data) => s.incidents.escalate(data, new Date()),
    'incident.update-reminder': (s, data) => s.incidents.updateReminder(data, new Date()),
  },
  // Unclaimed and claimed incidents still unresolved, each closed by 事件 解决.
  closeOut: async (s, meetingId, t) =>
    (await s.incidents.openForMeeting(meetingId)).map((i) => ({
      text: t.t('incident.listLine', { id: i.id, label: labelMsg(i.type, i.severity), location: i.location ?? '', description: i.description, status: statusMsg(i.status), owner: '' }),
      command: t.t('incident.closeOut.command', { id: i.id }),
    })),
};
