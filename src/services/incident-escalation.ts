/**
 * The incident's clocks: the escalation chain (backups, then the meeting's organizers, then
 * executives) as delayed jobs with deterministic ids (`incident-<id>-esc-<step>`), the
 * acknowledgement deadline by severity, the status-update reminders for P1/P2 once someone owns
 * the incident, and the reopening of a complaint whose complainant is not satisfied. Each
 * processor re-checks the row; the lifecycle itself stays in `incidents.ts`.
 *
 * A reopened incident starts a new round of jobs (`incident-<id>-r<round>-esc-<step>`): BullMQ
 * keeps completed jobs for a week and ignores a new job with a used id, so the first round's ids
 * cannot be scheduled again.
 */
import type { IncidentView } from '../../cards/incident-cards.js';
import { durationMsg, isComplaint, labelMsg, levelMsg, namesMsg, typeMsg } from '../../cards/incident-labels.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { type Msg, msg } from '../i18n/translator.js';
import { PRIORITY, type ScheduleJobs } from '../queue/queues.js';
import type { Directory } from './directory.js';
import type { IncidentAccess } from './incident-access.js';
import type { IncidentRow } from './incident-row.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';
import type { Scheduler } from './scheduler.js';
import type { UrgentNotifier } from './urgent.js';

/** The last escalation step: 1 backups, 2 the meeting's organizers, 3 executives. */
export const LAST_STEP = 3;

/** Round 0 keeps the ids of incidents never reopened. */
const roundPart = (round: number) => (round > 0 ? `-r${round}` : '');
export const escalationJobId = (id: number, step: number, round = 0) => `incident-${id}${roundPart(round)}-esc-${step}`;
const updateJobId = (id: number, n: number, round: number) => `incident-${id}${roundPart(round)}-upd-${n}`;

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

  /** How often the incident was reopened: the round its jobs belong to. */
  round(incidentId: number): Promise<number> {
    return this.db.incidentEvent.count({ where: { incidentId, kind: 'reopened' } });
  }

  async schedule(incident: IncidentRow, step: number, now: Date): Promise<void> {
    if (step > LAST_STEP) return;
    const jobId = escalationJobId(incident.id, step, await this.round(incident.id));
    await this.scheduler.at('incident.escalate', jobId, { incidentId: incident.id, step }, new Date(now.getTime() + this.ackDeadlineMs(incident)));
  }

  async cancel(incidentId: number): Promise<void> {
    const round = await this.round(incidentId);
    for (let step = 1; step <= LAST_STEP; step++) await this.scheduler.cancel(escalationJobId(incidentId, step, round));
  }

  private async stepTargets(incident: IncidentRow, step: number): Promise<string[]> {
    if (step === 1) return (await this.access.dutyRoster(incident.meetingId, incident.type)).filter((r) => r.level === 2).map((r) => r.userId);
    if (step === 2) return this.access.organizersOf(incident);
    return this.access.executivesOf(incident);
  }

  /** The first step from `from` on with anyone to page (empty levels are skipped). */
  private async nextTargets(incident: IncidentRow, from: number): Promise<{ step: number; targets: string[] } | null> {
    for (let step = from; step <= LAST_STEP; step++) {
      const targets = await this.stepTargets(incident, step);
      if (targets.length > 0) return { step, targets };
    }
    return null;
  }

  /** Pages `targets` as step `step`: the level, who has been paged, and responders for backups. */
  private async page(incident: IncidentRow, step: number, targets: readonly string[], extra: { status?: string; resolvedAt?: null } = {}): Promise<IncidentRow> {
    return this.db.incident.update({
      where: { id: incident.id },
      data: {
        ...extra,
        escalationLevel: step,
        notifiedIds: JSON.stringify([...new Set([...ids(incident.notifiedIds), ...targets])]),
        ...(step === 1 ? { responderIds: JSON.stringify([...new Set([...ids(incident.responderIds), ...targets])]) } : {}),
      },
    });
  }

  private urgentLabel(incident: IncidentRow): Msg {
    return msg('incident.escalation.urgentLabel', { id: incident.id, label: labelMsg(incident.type, incident.severity), location: incident.location ?? '', description: incident.description });
  }

  /** Still unacknowledged at the deadline: page the next level (skipping empty levels) and schedule the one after. */
  async escalate(data: ScheduleJobs['incident.escalate'], now: Date): Promise<string> {
    const incident = await this.host.get(data.incidentId);
    if (!incident || incident.status !== 'open' || incident.escalationLevel >= data.step) return 'skipped';
    const next = await this.nextTargets(incident, data.step);
    if (!next) {
      // The chain has run out: no further deadline, so the cards stop showing the one that passed.
      await this.db.incident.update({ where: { id: incident.id }, data: { escalationLevel: LAST_STEP } });
      await this.host.refresh(incident.id);
      return 'nobody left to escalate to';
    }
    const { step, targets } = next;
    const names = (await this.directory.usersByIds(targets)).map((u) => u.name);
    const updated = await this.page(incident, step, targets);
    await this.host.record(incident.id, 'escalated', null, JSON.stringify({ step, names }), now);
    // Next step first, then a re-check: an acknowledgement racing with this job either sees the
    // new job and cancels it, or is seen here.
    await this.schedule(updated, step + 1, now);
    if ((await this.host.get(incident.id))?.status !== 'open') await this.cancel(incident.id);
    await this.host.sendResponderCards(updated, targets, await this.host.view(updated));
    const round = await this.round(incident.id);
    const waited = durationMsg(now.getTime() - (await this.clockStart(incident)).getTime());
    await this.urgent.notify(targets, msg('incident.escalation.urgent', { label: this.urgentLabel(incident), waited, id: incident.id }), escalationJobId(incident.id, step, round));
    const t = await this.locales.forConversation(incident.conversationId);
    await this.outbox.enqueue({
      id: `inc-${incident.id}${roundPart(round)}-esc-${step}-group`,
      target: { kind: 'conversation', conversationId: incident.conversationId },
      content: { type: 'text', text: t.t('incident.escalation.group', { id: incident.id, waited, step: msg(`incident.step.${step}`), names: namesMsg(names) }) },
      priority: PRIORITY.urgent,
    });
    await this.host.refresh(incident.id);
    return `escalated to step ${step}`;
  }

  /** Since when nobody has claimed it: the report, or the latest reopening. */
  private async clockStart(incident: IncidentRow): Promise<Date> {
    const reopened = await this.db.incidentEvent.findFirst({ where: { incidentId: incident.id, kind: 'reopened' }, orderBy: { id: 'desc' } });
    return reopened?.createdAt ?? incident.createdAt;
  }

  /**
   * The complainant is not satisfied: reopen the complaint, page its owner and the next step at
   * once, and let the chain go on at the level's deadline. The caller makes sure this runs once
   * per rating; messages are keyed by the round, so a retry sends nothing twice.
   */
  async reopen(incident: IncidentRow, now: Date): Promise<void> {
    const round = (await this.round(incident.id)) + 1;
    const next = await this.nextTargets(incident, Math.min(incident.escalationLevel + 1, LAST_STEP));
    const targets = next?.targets ?? [];
    const names = (await this.directory.usersByIds(targets)).map((u) => u.name);
    const reopened = await this.page(incident, next?.step ?? incident.escalationLevel, targets, { status: 'open', resolvedAt: null });
    await this.host.record(incident.id, 'reopened', null, JSON.stringify({ step: next?.step ?? null, names }), now);
    await this.schedule(reopened, (next?.step ?? incident.escalationLevel) + 1, now);
    const owner = incident.ownerId;
    await this.host.sendResponderCards(reopened, [...new Set([...(owner ? [owner] : []), ...targets])], await this.host.view(reopened));
    const key = `inc-${incident.id}-unhappy-${round}`;
    await this.urgent.notify(targets, msg('incident.unhappy.urgent', { label: this.urgentLabel(incident), id: incident.id }), key);
    const paged = next ? msg('incident.unhappy.ownerPaged', { step: msg(`incident.step.${next.step}`), names: namesMsg(names) }) : '';
    if (owner) {
      const t = await this.locales.forUser(owner);
      await this.outbox.enqueue({ id: `${key}-owner`, target: { kind: 'user', userId: owner }, content: { type: 'text', text: t.t('incident.unhappy.owner', { id: incident.id, paged }) }, priority: PRIORITY.urgent });
    }
    const t = await this.locales.forConversation(incident.conversationId);
    await this.outbox.enqueue({
      id: `${key}-group`,
      target: { kind: 'conversation', conversationId: incident.conversationId },
      content: { type: 'text', text: t.t('incident.unhappy.group', { id: incident.id, paged }) },
      priority: PRIORITY.urgent,
    });
    await this.host.refresh(incident.id);
  }

  async startUpdateReminders(incidentId: number, now: Date): Promise<void> {
    const at = new Date(now.getTime() + this.config.HUIWU_INCIDENT_UPDATE_INTERVAL.ms);
    await this.scheduler.at('incident.update-reminder', updateJobId(incidentId, 1, await this.round(incidentId)), { incidentId, n: 1 }, at);
  }

  /** Open P1/P2 with an owner: ask for a status update unless one was posted within the interval; then the next one. */
  async updateReminder(data: ScheduleJobs['incident.update-reminder'], now: Date): Promise<string> {
    const incident = await this.host.get(data.incidentId);
    if (!incident || incident.status !== 'acknowledged' || incident.severity > 2 || !incident.ownerId) return 'skipped';
    const round = await this.round(incident.id);
    const interval = this.config.HUIWU_INCIDENT_UPDATE_INTERVAL.ms;
    const recent = await this.db.incidentEvent.count({ where: { incidentId: incident.id, kind: 'update', createdAt: { gt: new Date(now.getTime() - interval + 1000) } } });
    if (recent === 0) {
      const t = await this.locales.forUser(incident.ownerId);
      await this.outbox.enqueue({
        id: `inc-${incident.id}${roundPart(round)}-upd-${data.n}`,
        target: { kind: 'user', userId: incident.ownerId },
        content: {
          type: 'text',
          text: t.t('incident.escalation.updateReminder', { id: incident.id, level: levelMsg(incident.type, incident.severity), type: typeMsg(incident.type) }),
        },
        priority: PRIORITY.urgent,
      });
    }
    await this.scheduler.at('incident.update-reminder', updateJobId(incident.id, data.n + 1, round), { incidentId: incident.id, n: data.n + 1 }, new Date(now.getTime() + interval));
    return recent === 0 ? 'reminded' : 'recently updated';
  }
}
