/**
 * The incident's clocks: the escalation chain (backups, then the meeting's organizers, then
 * executives) as delayed jobs with deterministic ids (`incident-<id>-esc-<step>`), the
 * acknowledgement deadline by severity, and the status-update reminders for P1/P2 once someone
 * owns the incident. Each processor re-checks the row; the lifecycle itself stays in `incidents.ts`.
 */
import type { IncidentView } from '../../cards/incident-cards.js';
import { durationMsg, isComplaint, labelMsg, levelMsg, namesMsg, typeMsg } from '../../cards/incident-labels.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { msg } from '../i18n/translator.js';
import { PRIORITY, type ScheduleJobs } from '../queue/queues.js';
import type { Directory } from './directory.js';
import type { IncidentAccess } from './incident-access.js';
import type { IncidentRow } from './incidents.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import type { UrgentNotifier } from './urgent.js';

/** The last escalation step: 1 backups, 2 the meeting's organizers, 3 executives. */
export const LAST_STEP = 3;

export const escalationJobId = (id: number, step: number) => `incident-${id}-esc-${step}`;

const ids = (json: string) => JSON.parse(json) as string[];

/** What the escalation needs from the incident service (rows, timeline, cards). */
export interface EscalationHost {
  get(id: number): Promise<IncidentRow | null>;
  record(incidentId: number, kind: string, actorId: string | null, text: string | null, now: Date): Promise<void>;
  view(incident: IncidentRow): Promise<IncidentView>;
  sendResponderCards(incident: IncidentRow, userIds: readonly string[], view: IncidentView): Promise<void>;
  refresh(incidentId: number): Promise<IncidentRow>;
}

export class IncidentEscalation {
  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Scheduler,
    private readonly outbox: Outbox,
    private readonly directory: Directory,
    private readonly urgent: UrgentNotifier,
    private readonly config: Config,
    private readonly locales: Pick<LocaleService, 'forUser' | 'forConversation'>,
    private readonly access: Pick<IncidentAccess, 'dutyRoster' | 'organizersOf' | 'executivesOf'>,
    private readonly host: EscalationHost,
  ) {}

  /** How long responders have to acknowledge, by severity; complaints have levels of their own. */
  ackDeadlineMs(incident: Pick<IncidentRow, 'type' | 'severity'>): number {
    const table = isComplaint(incident.type) ? this.config.HUIWU_COMPLAINT_ACK_DEADLINES : this.config.HUIWU_INCIDENT_ACK_DEADLINES;
    return table[incident.severity - 1]!.ms;
  }

  async schedule(incident: IncidentRow, step: number, now: Date): Promise<void> {
    if (step > LAST_STEP) return;
    await this.scheduler.at('incident.escalate', escalationJobId(incident.id, step), { incidentId: incident.id, step }, new Date(now.getTime() + this.ackDeadlineMs(incident)));
  }

  async cancel(incidentId: number): Promise<void> {
    for (let step = 1; step <= LAST_STEP; step++) await this.scheduler.cancel(escalationJobId(incidentId, step));
  }

  private async stepTargets(incident: IncidentRow, step: number): Promise<string[]> {
    if (step === 1) return (await this.access.dutyRoster(incident.meetingId, incident.type)).filter((r) => r.level === 2).map((r) => r.userId);
    if (step === 2) return this.access.organizersOf(incident);
    return this.access.executivesOf(incident);
  }

  /** Still unacknowledged at the deadline: page the next level (skipping empty levels) and schedule the one after. */
  async escalate(data: ScheduleJobs['incident.escalate'], now: Date): Promise<string> {
    const incident = await this.host.get(data.incidentId);
    if (!incident || incident.status !== 'open' || incident.escalationLevel >= data.step) return 'skipped';
    let step = data.step;
    let targets: string[] = [];
    for (; step <= LAST_STEP; step++) {
      targets = await this.stepTargets(incident, step);
      if (targets.length > 0) break;
    }
    if (targets.length === 0) return 'nobody left to escalate to';
    const names = (await this.directory.usersByIds(targets)).map((u) => u.name);
    const updated = await this.db.incident.update({
      where: { id: incident.id },
      data: {
        escalationLevel: step,
        notifiedIds: JSON.stringify([...new Set([...ids(incident.notifiedIds), ...targets])]),
        ...(step === 1 ? { responderIds: JSON.stringify([...new Set([...ids(incident.responderIds), ...targets])]) } : {}),
      },
    });
    await this.host.record(incident.id, 'escalated', null, JSON.stringify({ step, names }), now);
    // Next step first, then a re-check: an acknowledgement racing with this job either sees the
    // new job and cancels it, or is seen here.
    await this.schedule(updated, step + 1, now);
    if ((await this.host.get(incident.id))?.status !== 'open') await this.cancel(incident.id);
    const view = await this.host.view(updated);
    await this.host.sendResponderCards(updated, targets, view);
    const waited = now.getTime() - incident.createdAt.getTime();
    const urgentLabel = msg('incident.escalation.urgentLabel', {
      id: incident.id,
      label: labelMsg(incident.type, incident.severity),
      location: incident.location ?? '',
      description: incident.description,
    });
    await this.urgent.notify(targets, msg('incident.escalation.urgent', { label: urgentLabel, waited: durationMsg(waited), id: incident.id }), escalationJobId(incident.id, step));
    const t = await this.locales.forConversation(incident.conversationId);
    await this.outbox.enqueue({
      id: `inc-${incident.id}-esc-${step}-group`,
      target: { kind: 'conversation', conversationId: incident.conversationId },
      content: {
        type: 'text',
        text: t.t('incident.escalation.group', { id: incident.id, waited: durationMsg(waited), step: msg(`incident.step.${step}`), names: namesMsg(names) }),
      },
      priority: PRIORITY.urgent,
    });
    await this.host.refresh(incident.id);
    return `escalated to step ${step}`;
  }

  async startUpdateReminders(incidentId: number, now: Date): Promise<void> {
    const at = new Date(now.getTime() + this.config.HUIWU_INCIDENT_UPDATE_INTERVAL.ms);
    await this.scheduler.at('incident.update-reminder', `incident-${incidentId}-upd-1`, { incidentId, n: 1 }, at);
  }

  /** Open P1/P2 with an owner: ask for a status update unless one was posted within the interval; then the next one. */
  async updateReminder(data: ScheduleJobs['incident.update-reminder'], now: Date): Promise<string> {
    const incident = await this.host.get(data.incidentId);
    if (!incident || incident.status !== 'acknowledged' || incident.severity > 2 || !incident.ownerId) return 'skipped';
    const interval = this.config.HUIWU_INCIDENT_UPDATE_INTERVAL.ms;
    const recent = await this.db.incidentEvent.count({ where: { incidentId: incident.id, kind: 'update', createdAt: { gt: new Date(now.getTime() - interval + 1000) } } });
    if (recent === 0) {
      const t = await this.locales.forUser(incident.ownerId);
      await this.outbox.enqueue({
        id: `inc-${incident.id}-upd-${data.n}`,
        target: { kind: 'user', userId: incident.ownerId },
        content: {
          type: 'text',
          text: t.t('incident.escalation.updateReminder', { id: incident.id, level: levelMsg(incident.type, incident.severity), type: typeMsg(incident.type) }),
        },
        priority: PRIORITY.urgent,
      });
    }
    await this.scheduler.at('incident.update-reminder', `incident-${incident.id}-upd-${data.n + 1}`, { incidentId: incident.id, n: data.n + 1 }, new Date(now.getTime() + interval));
    return recent === 0 ? 'reminded' : 'recently updated';
  }
}
