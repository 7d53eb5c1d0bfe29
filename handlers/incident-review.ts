/**
 * 复盘 / review: the post-incident review (summary, durations, escalations, timeline), its
 * follow-up actions, and turning an action into a task (`Task.incidentId`).
 */
import { SATISFACTION_LABEL, STATUS_LABEL, severityLabel } from '../cards/incident-cards.js';
import { type CommandContext, type CommandSpec, UsageError } from '../src/router/types.js';
import { type IncidentRow, formatDuration } from '../src/services/incidents.js';
import { loadIncident, takeIncidentId } from './incident-args.js';
import { change, timelineLines } from './incidents.js';
import { matchSub } from './args.js';
import { createFromSpec, parseAssignment } from './task-args.js';

export const reviewCommand: CommandSpec = {
  id: 'incident-review',
  async handle(ctx) {
    const { id, rest } = takeIncidentId(ctx.args, '复盘 #1');
    const incident = await loadIncident(ctx, id);
    const { sub, rest: more } = matchSub(rest, { action: ['行动', 'action'], task: ['转任务', 'task'] });
    if (sub === 'action') return change(ctx, 'action', `#${id} ${more}`);
    if (sub === 'task') return actionToTask(ctx, incident, more);
    if (rest) throw new UsageError(`不认识的子命令「${rest.split(' ')[0]}」`);
    return reviewText(ctx, incident);
  },
};

async function reviewText(ctx: CommandContext, incident: IncidentRow): Promise<string> {
  const s = ctx.services;
  const view = await s.incidents.view(incident);
  const events = await s.incidents.timeline(incident.id);
  const escalations = events.filter((e) => e.kind === 'escalated');
  const actions = events.filter((e) => e.kind === 'action');
  const tasks = await s.db.task.findMany({ where: { incidentId: incident.id } });
  const tta = incident.ackedAt ? formatDuration(incident.ackedAt.getTime() - incident.createdAt.getTime()) : '未认领';
  const ttr = incident.resolvedAt ? formatDuration(incident.resolvedAt.getTime() - incident.createdAt.getTime()) : '未解决';
  const lines = [
    `📝 事件复盘 #${incident.id}`,
    `概要：${severityLabel(incident.type, incident.severity)} ${incident.type} · ${incident.location ?? '地点未填'} · ${incident.description}`,
    `${view.meeting ? `会议 ${view.meeting} · ` : ''}上报人 ${view.reporter} · 负责人 ${view.owner ?? '—'} · 状态 ${STATUS_LABEL[incident.status]}`,
    `处理结果：${incident.resolution ?? '—'}`,
    `认领时长（上报→认领）：${tta}`,
    `解决时长（上报→解决）：${ttr}`,
    `升级：${escalations.length} 次${escalations.length ? `（${escalations.map((e) => e.text).join('；')}）` : ''}`,
  ];
  if (incident.type === '客诉') lines.push(`满意度：${incident.satisfaction ? SATISFACTION_LABEL[incident.satisfaction] : incident.complainantId ? '待评价' : '投诉人非系统用户，未回访'}`);
  lines.push('时间线：', ...(await timelineLines(s, incident.id)));
  if (actions.length === 0) {
    lines.push(`后续行动：无（添加：复盘 #${incident.id} 行动 <内容>）`);
  } else {
    lines.push('后续行动：');
    actions.forEach((a, i) => {
      const task = tasks.find((t) => t.title === a.text);
      lines.push(`${i + 1}. ${a.text}${task ? ` → 任务 #${task.id}` : ''}`);
    });
    lines.push(`转为任务：复盘 #${incident.id} 转任务 <序号> @某人|<部门> 截止 <时间>`);
  }
  return lines.join('\n');
}

async function actionToTask(ctx: CommandContext, incident: IncidentRow, args: string): Promise<string> {
  const [nText = '', ...rest] = args.split(' ');
  const n = Number(nText);
  const actions = await ctx.services.incidents.actions(incident.id);
  const action = Number.isInteger(n) ? actions[n - 1] : undefined;
  if (!action) throw new UsageError(actions.length ? `行动序号应为 1-${actions.length}` : `事件 #${incident.id} 还没有后续行动（复盘 #${incident.id} 行动 <内容>）`);
  const spec = await parseAssignment(ctx, rest.join(' '), false);
  return createFromSpec(ctx, { ...spec, title: action.text!, meetingId: incident.meetingId, incidentId: incident.id });
}
