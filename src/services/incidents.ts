/**
 * Incidents: reported in a group (attached to its current meeting), routed to the on-duty
 * responders of their type, escalated when nobody acknowledges in time (backups, then the
 * meeting's organizers, then executives) by a chain of delayed jobs with deterministic ids
 * (`incident-<id>-esc-<step>`), cancelled on acknowledgement; each processor re-checks the row.
 * Every change is an `IncidentEvent` (the timeline) and refreshes every card of the incident.
 */
import {
  executiveSummaryCard,
  incidentCard,
  satisfactionCard,
  severityLabel,
  SATISFACTION_LABEL,
  type IncidentView,
} from '../../cards/incident-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { PRIORITY, jobIdPart, type ScheduleJobs } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { Directory, UserRecord } from './directory.js';
import { platformOfId } from './ids.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import type { UrgentNotifier } from './urgent.js';

export type IncidentRow = NonNullable<Awaited<ReturnType<PrismaClient['incident']['findUnique']>>>;
export type IncidentEventRow = NonNullable<Awaited<ReturnType<PrismaClient['incidentEvent']['findUnique']>>>;

export interface NewIncident {
  conversationId: string;
  reporterId: string;
  type: string;
  severity: number;
  location: string | null;
  description: string;
  complainantId: string | null;
}

/** The last escalation step: 1 backups, 2 the meeting's organizers, 3 executives. */
const LAST_STEP = 3;
const STEP_LABEL: Record<number, string> = { 1: '备岗响应人', 2: '会议组织者', 3: '高管' };

export const incidentCardId = (id: number) => `inc-${id}`;
const dmCardId = (id: number, userId: string) => `inc-${id}-u-${jobIdPart(userId)}`;
const execCardId = (id: number, userId: string) => `inc-${id}-exec-${jobIdPart(userId)}`;
const escalationJobId = (id: number, step: number) => `incident-${id}-esc-${step}`;

/** `1分05秒`, `2小时3分`: durations in reviews and figures. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分${String(s % 60).padStart(2, '0')}秒`;
  return `${Math.floor(s / 3600)}小时${Math.floor((s % 3600) / 60)}分`;
}

const ids = (json: string) => JSON.parse(json) as string[];

export interface IncidentFigures {
  total: number;
  open: number;
  byType: Record<string, number>;
  bySeverity: Record<string, number>;
  meanAckMs: number | null;
  meanResolveMs: number | null;
}

export class IncidentService {
  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Scheduler,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly directory: Directory,
    private readonly meetings: MeetingService,
    private readonly urgent: UrgentNotifier,
    private readonly config: Config,
  ) {}

  async get(id: number): Promise<IncidentRow | null> {
    return this.db.incident.findUnique({ where: { id } });
  }

  // ---- on-duty responders ------------------------------------------------------------

  /** Responders of a type for a meeting: the meeting's own roster if it has one for the type, else the default (meetingId 0). */
  async dutyRoster(meetingId: number | null, type: string) {
    if (meetingId) {
      const own = await this.db.incidentResponder.findMany({ where: { meetingId, type }, orderBy: { id: 'asc' } });
      if (own.length > 0) return own;
    }
    return this.db.incidentResponder.findMany({ where: { meetingId: 0, type }, orderBy: { id: 'asc' } });
  }

  async setDuty(meetingId: number, type: string, userIds: readonly string[], level: 1 | 2, by: string): Promise<void> {
    for (const userId of userIds) {
      await this.db.incidentResponder.upsert({
        where: { meetingId_type_userId: { meetingId, type, userId } },
        create: { meetingId, type, userId, level, createdBy: by },
        update: { level, createdBy: by },
      });
    }
  }

  async clearDuty(meetingId: number, type: string): Promise<number> {
    return (await this.db.incidentResponder.deleteMany({ where: { meetingId, type } })).count;
  }

  async dutyList(meetingId: number) {
    return this.db.incidentResponder.findMany({ where: { meetingId }, orderBy: [{ type: 'asc' }, { level: 'asc' }, { id: 'asc' }] });
  }

  // ---- reporting -----------------------------------------------------------------------

  async report(input: NewIncident, now: Date): Promise<IncidentRow> {
    const meeting = await this.meetings.current(input.conversationId, now);
    const primary = (await this.dutyRoster(meeting?.id ?? null, input.type)).filter((r) => r.level === 1).map((r) => r.userId);
    const incident = await this.db.incident.create({
      data: { ...input, meetingId: meeting?.id ?? null, responderIds: JSON.stringify(primary), notifiedIds: JSON.stringify(primary), createdAt: now },
    });
    await this.record(incident.id, 'reported', input.reporterId, `${severityLabel(input.type, input.severity)} ${input.type} · ${input.location ?? '地点未填'} · ${input.description}`, now);
    const view = await this.view(incident);
    await this.cards.send(incidentCard(incidentCardId(incident.id), view), {
      kind: 'incident',
      refId: String(incident.id),
      target: { kind: 'conversation', conversationId: incident.conversationId },
      priority: PRIORITY.urgent,
    });
    await this.sendResponderCards(incident, primary, view);
    if (incident.severity === 1) await this.sendExecutiveCards(incident, view);
    await this.scheduleEscalation(incident, 1, now);
    return incident;
  }

  /** How long responders have to acknowledge, by severity; complaints have levels of their own. */
  ackDeadlineMs(incident: Pick<IncidentRow, 'type' | 'severity'>): number {
    const table = incident.type === '客诉' ? this.config.HUIWU_COMPLAINT_ACK_DEADLINES : this.config.HUIWU_INCIDENT_ACK_DEADLINES;
    return table[incident.severity - 1]!.ms;
  }

  // ---- permissions -----------------------------------------------------------------------

  async organizersOf(incident: IncidentRow): Promise<string[]> {
    const meeting = incident.meetingId ? await this.meetings.get(incident.meetingId) : null;
    if (meeting) return this.meetings.organizerIds(meeting);
    const users = await this.directory.usersOfPlatform(platformOfId(incident.conversationId));
    return users.filter((u) => u.roles.includes('organizer')).map((u) => u.id);
  }

  async executivesOf(incident: IncidentRow): Promise<string[]> {
    const users = await this.directory.usersOfPlatform(platformOfId(incident.conversationId));
    const executives = users.filter((u) => u.roles.includes('executive'));
    if (incident.meetingId) {
      const invited = new Set(
        (await this.db.attendee.findMany({ where: { meetingId: incident.meetingId, userId: { in: executives.map((e) => e.id) } }, select: { userId: true } })).map((a) => a.userId),
      );
      if (invited.size > 0) return executives.filter((e) => invited.has(e.id)).map((e) => e.id);
    }
    return executives.map((e) => e.id);
  }

  /** Responders (paged or on the roster), the owner, organizers and admins may handle and resolve. */
  async canHandle(incident: IncidentRow, user: UserRecord): Promise<boolean> {
    if (user.roles.includes('admin') || incident.ownerId === user.id || ids(incident.responderIds).includes(user.id)) return true;
    if ((await this.dutyRoster(incident.meetingId, incident.type)).some((r) => r.userId === user.id)) return true;
    return (await this.organizersOf(incident)).includes(user.id);
  }

  /** Handlers, plus everyone an escalation paged (they may acknowledge and add updates). */
  async canAcknowledge(incident: IncidentRow, user: UserRecord): Promise<boolean> {
    return ids(incident.notifiedIds).includes(user.id) || (await this.canHandle(incident, user));
  }

  private async refusal(incident: IncidentRow, verb: string): Promise<UserError> {
    const responders = (await this.directory.usersByIds(ids(incident.responderIds))).map((u) => u.name).join('、') || '未配置';
    const owner = incident.ownerId ? (await this.directory.user(incident.ownerId))?.name : null;
    return new UserError(
      `只有事件 #${incident.id} 的响应人（${responders}）、负责人${owner ? `（${owner}）` : ''}或${incident.meetingId ? '会议' : ''}组织者可以${verb}`,
    );
  }

  // ---- state changes ---------------------------------------------------------------------

  async acknowledge(incident: IncidentRow, user: UserRecord, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (incident.status === 'acknowledged') throw new UserError(`事件 #${incident.id} 已由 ${(await this.directory.user(incident.ownerId ?? ''))?.name ?? '他人'} 认领`);
    if (!(await this.canAcknowledge(incident, user))) throw await this.refusal(incident, '认领');
    // Conditional update: two responders clicking at once make one owner.
    const won = await this.db.incident.updateMany({ where: { id: incident.id, status: 'open' }, data: { status: 'acknowledged', ownerId: user.id, ackedAt: now } });
    if (won.count === 0) return this.acknowledge((await this.get(incident.id))!, user, now);
    await this.cancelEscalation(incident.id);
    await this.record(incident.id, 'acknowledged', user.id, null, now);
    if (incident.severity <= 2) await this.startUpdateReminders(incident.id, now);
    return this.refresh(incident.id);
  }

  async addUpdate(incident: IncidentRow, user: UserRecord, text: string, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (!text) throw new UserError('请填写进展内容');
    if (incident.reporterId !== user.id && !(await this.canAcknowledge(incident, user))) throw await this.refusal(incident, '更新');
    await this.record(incident.id, 'update', user.id, text, now);
    return this.refresh(incident.id);
  }

  /** 升级: one level more severe; an unacknowledged incident's next escalation moves to the new, shorter deadline. */
  async raise(incident: IncidentRow, user: UserRecord, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (incident.severity === 1) throw new UserError(`事件 #${incident.id} 已是最高级别 ${severityLabel(incident.type, 1)}`);
    if (incident.reporterId !== user.id && !(await this.canAcknowledge(incident, user))) throw await this.refusal(incident, '升级');
    const severity = incident.severity - 1;
    const updated = await this.db.incident.update({ where: { id: incident.id }, data: { severity } });
    await this.record(incident.id, 'raised', user.id, `${severityLabel(incident.type, incident.severity)} → ${severityLabel(incident.type, severity)}`, now);
    if (updated.status === 'open') {
      await this.scheduler.cancel(escalationJobId(incident.id, updated.escalationLevel + 1));
      await this.scheduleEscalation(updated, updated.escalationLevel + 1, now);
    } else if (severity <= 2 && incident.severity > 2) {
      await this.startUpdateReminders(incident.id, now);
    }
    if (severity === 1) await this.sendExecutiveCards(updated, await this.view(updated));
    return this.refresh(incident.id);
  }

  async resolve(incident: IncidentRow, user: UserRecord, text: string, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (!(await this.canHandle(incident, user))) throw await this.refusal(incident, '解决');
    if (!text) throw new UserError('请填写处理结果');
    const done = await this.db.incident.updateMany({
      where: { id: incident.id, status: { in: ['open', 'acknowledged'] } },
      data: { status: 'resolved', resolvedAt: now, resolution: text, ownerId: incident.ownerId ?? user.id },
    });
    if (done.count === 0) throw new UserError(`事件 #${incident.id} 已解决`);
    await this.cancelEscalation(incident.id);
    await this.record(incident.id, 'resolved', user.id, text, now);
    const resolved = await this.refresh(incident.id);
    if (resolved.type === '客诉' && resolved.complainantId) {
      await this.cards.send(satisfactionCard(`inc-${resolved.id}-csat`, resolved.id, resolved.description), {
        kind: 'incident-csat',
        refId: String(resolved.id),
        target: { kind: 'user', userId: resolved.complainantId },
        recipientUserId: resolved.complainantId,
        priority: PRIORITY.interactive,
      });
    }
    return resolved;
  }

  async recordSatisfaction(incident: IncidentRow, user: UserRecord, answer: 'good' | 'ok' | 'bad', now: Date): Promise<void> {
    if (incident.complainantId !== user.id) throw new UserError('只有反映问题的本人可以评价');
    if (incident.satisfaction) throw new UserError(`已评价：${SATISFACTION_LABEL[incident.satisfaction]}`);
    await this.db.incident.update({ where: { id: incident.id }, data: { satisfaction: answer } });
    await this.record(incident.id, 'satisfaction', user.id, SATISFACTION_LABEL[answer]!, now);
    const cardId = `inc-${incident.id}-csat`;
    await this.cards.update(cardId, () => satisfactionCard(cardId, incident.id, incident.description, SATISFACTION_LABEL[answer]), PRIORITY.interactive);
  }

  /** A follow-up action for the review (复盘); it can become a task. */
  async addAction(incident: IncidentRow, user: UserRecord, text: string, now: Date): Promise<number> {
    if (!text) throw new UserError('请写后续行动的内容');
    if (incident.reporterId !== user.id && !(await this.canAcknowledge(incident, user))) throw await this.refusal(incident, '添加后续行动');
    await this.record(incident.id, 'action', user.id, text, now);
    return (await this.actions(incident.id)).length;
  }

  async actions(incidentId: number): Promise<IncidentEventRow[]> {
    return this.db.incidentEvent.findMany({ where: { incidentId, kind: 'action' }, orderBy: { id: 'asc' } });
  }

  async timeline(incidentId: number): Promise<IncidentEventRow[]> {
    return this.db.incidentEvent.findMany({ where: { incidentId }, orderBy: { id: 'asc' } });
  }

  async record(incidentId: number, kind: string, actorId: string | null, text: string | null, now: Date): Promise<void> {
    await this.db.incidentEvent.create({ data: { incidentId, kind, actorId, text, createdAt: now } });
  }

  // ---- escalation and reminders (schedule processors) --------------------------------------

  private async scheduleEscalation(incident: IncidentRow, step: number, now: Date): Promise<void> {
    if (step > LAST_STEP) return;
    await this.scheduler.at('incident.escalate', escalationJobId(incident.id, step), { incidentId: incident.id, step }, new Date(now.getTime() + this.ackDeadlineMs(incident)));
  }

  private async cancelEscalation(incidentId: number): Promise<void> {
    for (let step = 1; step <= LAST_STEP; step++) await this.scheduler.cancel(escalationJobId(incidentId, step));
  }

  private async stepTargets(incident: IncidentRow, step: number): Promise<string[]> {
    if (step === 1) return (await this.dutyRoster(incident.meetingId, incident.type)).filter((r) => r.level === 2).map((r) => r.userId);
    if (step === 2) return this.organizersOf(incident);
    return this.executivesOf(incident);
  }

  /** Still unacknowledged at the deadline: page the next level (skipping empty levels) and schedule the one after. */
  async escalate(data: ScheduleJobs['incident.escalate'], now: Date): Promise<string> {
    const incident = await this.get(data.incidentId);
    if (!incident || incident.status !== 'open' || incident.escalationLevel >= data.step) return 'skipped';
    let step = data.step;
    let targets: string[] = [];
    for (; step <= LAST_STEP; step++) {
      targets = await this.stepTargets(incident, step);
      if (targets.length > 0) break;
    }
    if (targets.length === 0) return 'nobody left to escalate to';
    const names = (await this.directory.usersByIds(targets)).map((u) => u.name).join('、');
    const updated = await this.db.incident.update({
      where: { id: incident.id },
      data: {
        escalationLevel: step,
        notifiedIds: JSON.stringify([...new Set([...ids(incident.notifiedIds), ...targets])]),
        ...(step === 1 ? { responderIds: JSON.stringify([...new Set([...ids(incident.responderIds), ...targets])]) } : {}),
      },
    });
    await this.record(incident.id, 'escalated', null, `升级至${STEP_LABEL[step]}：${names}`, now);
    // Next step first, then a re-check: an acknowledgement racing with this job either sees the
    // new job and cancels it, or is seen here.
    await this.scheduleEscalation(updated, step + 1, now);
    if ((await this.get(incident.id))?.status !== 'open') await this.cancelEscalation(incident.id);
    const view = await this.view(updated);
    await this.sendResponderCards(updated, targets, view);
    const waited = formatDuration(now.getTime() - incident.createdAt.getTime());
    const label = `事件 #${incident.id} [${severityLabel(incident.type, incident.severity)} ${incident.type}] ${incident.location ?? ''} ${incident.description}`;
    await this.urgent.notify(targets, `${label} 已 ${waited} 无人认领，请立即处理（卡片中点「认领」或回复：事件 认领 #${incident.id}）`, escalationJobId(incident.id, step));
    await this.outbox.enqueue({
      id: `inc-${incident.id}-esc-${step}-group`,
      target: { kind: 'conversation', conversationId: incident.conversationId },
      content: { type: 'text', text: `⚠️ 事件 #${incident.id} 已 ${waited} 无人认领，已升级至${STEP_LABEL[step]}：${names}` },
      priority: PRIORITY.urgent,
    });
    await this.refresh(incident.id);
    return `escalated to step ${step}`;
  }

  private async startUpdateReminders(incidentId: number, now: Date): Promise<void> {
    const at = new Date(now.getTime() + this.config.HUIWU_INCIDENT_UPDATE_INTERVAL.ms);
    await this.scheduler.at('incident.update-reminder', `incident-${incidentId}-upd-1`, { incidentId, n: 1 }, at);
  }

  /** Open P1/P2 with an owner: ask for a status update unless one was posted within the interval; then the next one. */
  async updateReminder(data: ScheduleJobs['incident.update-reminder'], now: Date): Promise<string> {
    const incident = await this.get(data.incidentId);
    if (!incident || incident.status !== 'acknowledged' || incident.severity > 2 || !incident.ownerId) return 'skipped';
    const interval = this.config.HUIWU_INCIDENT_UPDATE_INTERVAL.ms;
    const recent = await this.db.incidentEvent.count({ where: { incidentId: incident.id, kind: 'update', createdAt: { gt: new Date(now.getTime() - interval + 1000) } } });
    if (recent === 0) {
      await this.outbox.enqueue({
        id: `inc-${incident.id}-upd-${data.n}`,
        target: { kind: 'user', userId: incident.ownerId },
        content: { type: 'text', text: `⏰ 事件 #${incident.id}（${severityLabel(incident.type, incident.severity)} ${incident.type}）仍在处理中，请更新进展：事件 更新 #${incident.id} <进展>，处理完毕请：事件 解决 #${incident.id} <处理结果>` },
        priority: PRIORITY.urgent,
      });
    }
    await this.scheduler.at('incident.update-reminder', `incident-${incident.id}-upd-${data.n + 1}`, { incidentId: incident.id, n: data.n + 1 }, new Date(now.getTime() + interval));
    return recent === 0 ? 'reminded' : 'recently updated';
  }

  // ---- cards and views ---------------------------------------------------------------------

  private async sendResponderCards(incident: IncidentRow, userIds: readonly string[], view: IncidentView): Promise<void> {
    await this.cards.sendMany(
      userIds.map((userId) => ({
        card: incidentCard(dmCardId(incident.id, userId), view),
        options: { kind: 'incident', refId: String(incident.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.urgent },
      })),
    );
  }

  private async sendExecutiveCards(incident: IncidentRow, view: IncidentView): Promise<void> {
    const executives = await this.executivesOf(incident);
    await this.cards.sendMany(
      executives.map((userId) => ({
        card: executiveSummaryCard(execCardId(incident.id, userId), view),
        options: { kind: 'incident-exec', refId: String(incident.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.urgent },
      })),
    );
  }

  /** Re-renders every card of the incident (group, responders, executives) from the row. */
  async refresh(incidentId: number): Promise<IncidentRow> {
    const incident = (await this.get(incidentId))!;
    const view = await this.view(incident);
    for (const card of await this.cards.byRef('incident', String(incidentId))) {
      await this.cards.update(card.id, () => incidentCard(card.id, view), PRIORITY.urgent);
    }
    for (const card of await this.cards.byRef('incident-exec', String(incidentId))) {
      await this.cards.update(card.id, () => executiveSummaryCard(card.id, view), PRIORITY.interactive);
    }
    return incident;
  }

  async view(incident: IncidentRow): Promise<IncidentView> {
    const zone = this.config.HUIWU_TIMEZONE;
    const people = await this.directory.usersByIds([incident.reporterId, ...(incident.ownerId ? [incident.ownerId] : []), ...ids(incident.responderIds)]);
    const name = (id: string | null) => people.find((p) => p.id === id)?.name ?? null;
    const meeting = incident.meetingId ? await this.meetings.get(incident.meetingId) : null;
    const events = await this.timeline(incident.id);
    const lastUpdate = events.filter((e) => e.kind === 'update').at(-1);
    const lastClock = events.filter((e) => ['reported', 'escalated', 'raised'].includes(e.kind)).at(-1)?.createdAt ?? incident.createdAt;
    const lastEscalation = events.filter((e) => e.kind === 'escalated').at(-1);
    const updater = lastUpdate?.actorId ? (await this.directory.user(lastUpdate.actorId))?.name : null;
    return {
      id: incident.id,
      type: incident.type,
      severity: incident.severity,
      location: incident.location,
      description: incident.description,
      status: incident.status,
      reporter: name(incident.reporterId) ?? incident.reporterId,
      owner: name(incident.ownerId),
      responders: ids(incident.responderIds).map((id) => name(id) ?? id).join('、'),
      meeting: meeting ? `#${meeting.id} ${meeting.title}` : null,
      reportedAt: formatDateTime(incident.createdAt, zone),
      ackDeadline: incident.status === 'open' && incident.escalationLevel < LAST_STEP ? formatDateTime(new Date(lastClock.getTime() + this.ackDeadlineMs(incident)), zone) : null,
      ackedAt: incident.ackedAt ? formatDateTime(incident.ackedAt, zone) : null,
      resolvedAt: incident.resolvedAt ? formatDateTime(incident.resolvedAt, zone) : null,
      resolution: incident.resolution,
      lastUpdate: lastUpdate ? `${lastUpdate.text}（${updater ?? ''} ${formatDateTime(lastUpdate.createdAt, zone).slice(11)}）` : null,
      escalation: lastEscalation?.text ?? null,
    };
  }

  // ---- figures -------------------------------------------------------------------------------

  async figures(meetingId: number): Promise<IncidentFigures> {
    const rows = await this.db.incident.findMany({ where: { meetingId } });
    const byType: Record<string, number> = {};
    const bySeverity: Record<string, number> = {};
    for (const r of rows) {
      byType[r.type] = (byType[r.type] ?? 0) + 1;
      bySeverity[`P${r.severity}`] = (bySeverity[`P${r.severity}`] ?? 0) + 1;
    }
    const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
      total: rows.length,
      open: rows.filter((r) => r.status !== 'resolved').length,
      byType,
      bySeverity,
      meanAckMs: mean(rows.filter((r) => r.ackedAt).map((r) => r.ackedAt!.getTime() - r.createdAt.getTime())),
      meanResolveMs: mean(rows.filter((r) => r.resolvedAt).map((r) => r.resolvedAt!.getTime() - r.createdAt.getTime())),
    };
  }

  async openIn(conversationId: string): Promise<IncidentRow[]> {
    return this.db.incident.findMany({ where: { conversationId, status: { in: ['open', 'acknowledged'] } }, orderBy: [{ severity: 'asc' }, { id: 'asc' }], take: 50 });
  }

  meetingOf(incident: IncidentRow): Promise<MeetingRow | null> {
    return incident.meetingId ? this.meetings.get(incident.meetingId) : Promise.resolve(null);
  }

  private requireOpen(incident: IncidentRow): void {
    if (incident.status === 'resolved') throw new UserError(`事件 #${incident.id} 已解决`);
  }
}
