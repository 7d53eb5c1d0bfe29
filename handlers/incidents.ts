/**
 * 上报 / incident: report an incident (command or report card); 事件: list, timeline, the text
 * fallbacks of the card buttons (认领 / 更新 / 升级 / 解决), on-duty responders and per-meeting
 * figures. The review (复盘) is in `incident-review.ts`, the card buttons in `incident-actions.ts`.
 */
import { STATUS_LABEL, reportCard, severityLabel } from '../cards/incident-cards.js';
import { jobIdPart } from '../src/queue/queues.js';
import { type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { Services } from '../src/services/services.js';
import { type IncidentRow, formatDuration } from '../src/services/incidents.js';
import { formatDateTime } from '../src/time/parse-time.js';
import { incidentType, loadIncident, parseReport, takeIncidentId, validTypeList } from './incident-args.js';
import { matchSub } from './args.js';

export const reportCommand: CommandSpec = {
  id: 'incident-report',
  async handle(ctx) {
    if (!ctx.args) return { type: 'card', card: reportCard(`increport-${jobIdPart(ctx.event.eventId)}`) };
    const spec = parseReport(ctx.args);
    const complainant = spec.type === '客诉' ? (ctx.mentions[0]?.id ?? null) : null;
    const incident = await ctx.services.incidents.report({ ...spec, conversationId: ctx.conversation.id, reporterId: ctx.user.id, complainantId: complainant }, ctx.now);
    return reportedText(ctx.services, incident);
  },
};

async function reportedText(services: Services, incident: IncidentRow): Promise<string> {
  const view = await services.incidents.view(incident);
  const minutes = formatDuration(services.incidents.ackDeadlineMs(incident));
  const lines = [`🚨 已上报事件 #${incident.id} [${severityLabel(incident.type, incident.severity)} ${incident.type}] ${incident.location ?? ''}：${incident.description}`];
  if (view.meeting) lines.push(`会议：${view.meeting}`);
  lines.push(
    view.responders
      ? `已通知值班响应人：${view.responders}（${minutes}内无人认领将逐级升级）`
      : `「${incident.type}」未配置值班响应人，${minutes}后将升级给组织者（配置：事件 值班 ${incident.type} @某人）`,
  );
  return lines.join('\n');
}

const SUB = {
  list: ['列表', 'list', 'ls'],
  show: ['查看', '详情', 'show'],
  ack: ['认领', 'ack'],
  update: ['更新', 'update'],
  raise: ['升级', 'raise'],
  resolve: ['解决', 'resolve'],
  action: ['行动', 'action'],
  duty: ['值班', 'duty'],
  backup: ['备岗', 'backup'],
  stats: ['统计', 'stats'],
} as const;

export const incidentCommand: CommandSpec = {
  id: 'incident',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'list':
        return listOpen(ctx);
      case 'show':
        return timelineText(ctx.services, await loadIncident(ctx, takeIncidentId(rest, '事件 查看 #1').id));
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
        if (/^#?\d+$/.test(ctx.args)) return timelineText(ctx.services, await loadIncident(ctx, takeIncidentId(ctx.args, '事件 #1').id));
        throw new UsageError(ctx.args ? `不认识的子命令「${ctx.args.split(' ')[0]}」` : '请写要做什么');
    }
  },
};

async function listOpen(ctx: CommandContext): Promise<string> {
  const list = await ctx.services.incidents.openIn(ctx.conversation.id);
  if (list.length === 0) return '本群没有未解决的事件。上报：上报 <类型> <级别> <地点> <描述>';
  const lines = await Promise.all(
    list.map(async (i) => {
      const owner = i.ownerId ? (await ctx.services.directory.user(i.ownerId))?.name : null;
      return `#${i.id} [${severityLabel(i.type, i.severity)} ${i.type}] ${i.location ?? ''} ${i.description} · ${STATUS_LABEL[i.status]}${owner ? ` · ${owner}` : ''}`;
    }),
  );
  return `本群未解决的事件（${list.length}）：\n${lines.join('\n')}`;
}

/** The 事件 subcommands that change an incident; 复盘 行动 reuses `action`. */
export async function change(ctx: CommandContext, sub: 'ack' | 'update' | 'raise' | 'resolve' | 'action', args: string): Promise<string> {
  const { id, rest } = takeIncidentId(args, `事件 ${{ ack: '认领', update: '更新', raise: '升级', resolve: '解决', action: '行动' }[sub]} #1`);
  const incident = await loadIncident(ctx, id);
  const s = ctx.services.incidents;
  switch (sub) {
    case 'ack':
      await s.acknowledge(incident, ctx.user, ctx.now);
      return `✅ 你已认领事件 #${id}，升级已停止。处理中请及时更新：事件 更新 #${id} <进展>`;
    case 'update':
      if (!rest) throw new UsageError('缺少进展内容');
      await s.addUpdate(incident, ctx.user, rest, ctx.now);
      return `📝 事件 #${id} 已更新：${rest}`;
    case 'raise': {
      const raised = await s.raise(incident, ctx.user, ctx.now);
      return `⬆️ 事件 #${id} 已升级为 ${severityLabel(raised.type, raised.severity)}`;
    }
    case 'resolve':
      if (!rest) throw new UsageError('缺少处理结果');
      await s.resolve(incident, ctx.user, rest, ctx.now);
      return `✅ 事件 #${id} 已解决：${rest}\n复盘：复盘 #${id}`;
    case 'action': {
      const n = await s.addAction(incident, ctx.user, rest, ctx.now);
      return `📌 已为事件 #${id} 记录后续行动 ${n}：${rest}\n转为任务：复盘 #${id} 转任务 ${n} @某人|<部门> 截止 <时间>`;
    }
  }
}

/** `值班 <类型> @a @b [#会议|默认]`, `值班 <类型> 清除`, `值班 列表`. */
async function duty(ctx: CommandContext, level: 1 | 2, args: string): Promise<string> {
  const words = args.split(' ').filter(Boolean);
  const scopeWord = words.find((w) => /^#?\d+$/.test(w) || ['默认', '全局', 'default'].includes(w));
  const rest = words.filter((w) => w !== scopeWord);
  let meetingId = 0;
  if (scopeWord && /\d/.test(scopeWord)) meetingId = Number(scopeWord.replace('#', ''));
  else if (!scopeWord) meetingId = (await ctx.services.meetings.current(ctx.conversation.id, ctx.now))?.id ?? 0;
  const meeting = meetingId ? await ctx.services.meetings.get(meetingId) : null;
  if (meetingId && !meeting) throw new UserError(`会议 #${meetingId} 不存在`);
  const scope = meeting ? `会议 #${meeting.id}「${meeting.title}」` : '默认（所有会议）';

  if (rest[0] === '列表' || rest.length === 0) {
    const rows = await ctx.services.incidents.dutyList(meetingId);
    if (rows.length === 0) return `${scope}还没有配置值班响应人。配置：事件 值班 <类型> @某人`;
    const people = await ctx.services.directory.usersByIds(rows.map((r) => r.userId));
    const lines = rows.map((r) => `${r.type} · ${r.level === 1 ? '值班' : '备岗'} · ${people.find((p) => p.id === r.userId)?.name ?? r.userId}`);
    return `${scope}值班响应人：\n${lines.join('\n')}`;
  }
  const type = incidentType(rest[0]);
  if (!type) throw new UsageError(`类型只能是：${validTypeList()}`);
  if (meeting ? !ctx.services.meetings.isOrganizer(meeting, ctx.user) : !ctx.user.roles.some((r) => r === 'organizer' || r === 'admin')) {
    throw new UserError(meeting ? `只有会议 #${meeting.id} 的组织者可以配置值班` : '只有组织者可以配置默认值班（在有会议的群里配置的是该会议的值班）');
  }
  if (rest[1] === '清除' || rest[1] === 'clear') {
    const n = await ctx.services.incidents.clearDuty(meetingId, type);
    return `🧹 已清除${scope}「${type}」的 ${n} 位值班/备岗响应人`;
  }
  if (ctx.mentions.length === 0) throw new UsageError('请 @ 值班响应人');
  await ctx.services.incidents.setDuty(meetingId, type, ctx.mentions.map((m) => m.id), level, ctx.user.id);
  return `✅ ${scope}「${type}」${level === 1 ? '值班' : '备岗'}响应人：${ctx.mentions.map((m) => m.name).join('、')}`;
}

async function figures(ctx: CommandContext, args: string): Promise<string> {
  const meeting = args ? await ctx.services.meetings.get(takeIncidentId(args, '事件 统计 #1').id) : await ctx.services.meetings.current(ctx.conversation.id, ctx.now);
  if (!meeting) throw new UserError(args ? `会议 ${args} 不存在` : '本群当前没有会议，请写会议编号：事件 统计 #<会议编号>');
  const f = await ctx.services.incidents.figures(meeting.id);
  const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(' · ') || '—';
  return [
    `📊 会议 #${meeting.id}「${meeting.title}」事件统计：共 ${f.total} 起，未解决 ${f.open} 起`,
    `按类型：${fmt(f.byType)}`,
    `按级别：${fmt(f.bySeverity)}`,
    `平均认领时长：${f.meanAckMs === null ? '—' : formatDuration(f.meanAckMs)}`,
    `平均解决时长：${f.meanResolveMs === null ? '—' : formatDuration(f.meanResolveMs)}`,
  ].join('\n');
}

const EVENT_LABEL: Record<string, string> = {
  reported: '上报', acknowledged: '认领', update: '更新', raised: '升级级别', escalated: '超时升级', resolved: '解决', satisfaction: '满意度', action: '后续行动',
};

/** One line per `IncidentEvent`, for 事件 #n and the review. */
export async function timelineLines(services: Services, incidentId: number): Promise<string[]> {
  const events = await services.incidents.timeline(incidentId);
  const people = await services.directory.usersByIds([...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))]);
  const zone = services.config.HUIWU_TIMEZONE;
  return events.map((e) => {
    const who = e.actorId ? (people.find((p) => p.id === e.actorId)?.name ?? e.actorId) : '系统';
    return `${formatDateTime(e.createdAt, zone).slice(5)} ${who} ${EVENT_LABEL[e.kind] ?? e.kind}${e.text ? `：${e.text}` : ''}`;
  });
}

async function timelineText(services: Services, incident: IncidentRow): Promise<string> {
  const head = `事件 #${incident.id} [${severityLabel(incident.type, incident.severity)} ${incident.type}] ${incident.location ?? ''} ${incident.description}（${STATUS_LABEL[incident.status]}）`;
  return [head, '时间线：', ...(await timelineLines(services, incident.id))].join('\n');
}
