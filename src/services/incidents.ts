/**
 * Incidents: reported in a group (attached to its current meeting), routed to the on-duty
 * responders of their type, escalated when nobody acknowledges in time (backups, then the
 * meeting's organizers, then executives) by a chain of delayed jobs with deterministic ids
 * (`incident-<id>-esc-<step>`), cancelled on acknowledgement; each processor re-checks the row.
 * Every change is an `IncidentEvent` (the timeline) and refreshes every card of the incident.
 * Roster and permissions are in `incident-access.ts`, the chain, deadlines and update reminders in
 * `incident-escalation.ts`, figures in `incident-review.ts`.
 */
import { executiveSummaryCard, incidentCard, satisfactionCard, type IncidentView, type Satisfaction } from '../../cards/incident-cards.js';
import { eventText, isComplaint, levelMsg, satisfactionMsg } from '../../cards/incident-labels.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { msg } from '../i18n/translator.js';
import { PRIORITY, jobIdPart, type ScheduleJobs } from '../queue/queues.js';
import { formatDateTime } from '../time/parse-time.js';
import type { CardService } from './cards.js';
import type { Directory, UserRecord } from './directory.js';
import type { DomainEvents } from './events.js';
import { IncidentAccess, type IncidentVerb } from './incident-access.js';
import { IncidentEscalation, LAST_STEP } from './incident-escalation.js';
import { incidentFigures, type IncidentFigures } from './incident-review.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { ScheduleService } from './schedule.js';
import type { Scheduler } from './scheduler.js';
import type { UrgentNotifier } from './urgent.js';
import type { IncidentRow } from './incident-row.js';

declare module './services.js' {
  interface Services {
    incidents: IncidentService;
  }
}

declare module '../queue/queues.js' {
  interface ScheduleJobs {
    /** Nobody acknowledged incident `incidentId` in time: escalation step `step` (1 backups, 2 organizers, 3 executives). */
    'incident.escalate': { incidentId: number; step: number };
    /** Status-update reminder `n` to the owner of an open P1/P2 incident. */
    'incident.update-reminder': { incidentId: number; n: number };
  }
}

export { formatDuration, type IncidentFigures } from './incident-review.js';

export type { IncidentRow };
export type IncidentEventRow = NonNullable<Awaited<ReturnType<PrismaClient['incidentEvent']['findUnique']>>>;

export interface NewIncident {
  conversationId: string;
  /** Chosen by the caller: named with 会议 #N, or the group's only current meeting. */
  meetingId: number | null;
  reporterId: string;
  type: string;
  severity: number;
  location: string | null;
  description: string;
  complainantId: string | null;
  /** The supplier it is attributed to (`供应商 X`), for the supplier's scorecard. */
  supplierId?: number | null;
}

export const incidentCardId = (id: number) => `inc-${id}`;
const dmCardId = (id: number, userId: string) => `inc-${id}-u-${jobIdPart(userId)}`;
const execCardId = (id: number, userId: string) => `inc-${id}-exec-${jobIdPart(userId)}`;
/** One satisfaction check per resolution: `inc-3-csat`, then `inc-3-csat-2` after a reopening. */
const csatCardId = (id: number, round: number) => (round > 0 ? `inc-${id}-csat-${round + 1}` : `inc-${id}-csat`);
/** Events that restart the acknowledgement clock. */
const CLOCK_EVENTS = new Set(['reported', 'escalated', 'raised', 'reopened']);

const ids = (json: string) => JSON.parse(json) as string[];

export class IncidentService {
  private readonly access: IncidentAccess;
  private readonly escalation: IncidentEscalation;

  constructor(
    private readonly db: PrismaClient,
    private readonly scheduler: Scheduler,
    private readonly cards: CardService,
    outbox: Outbox,
    private readonly directory: Directory,
    private readonly meetings: MeetingService,
    urgent: UrgentNotifier,
    private readonly config: Config,
    private readonly locales: LocaleService,
    /** The executives' assistants (the schedule service), who also get the summary. */
    private readonly assistants: Pick<ScheduleService, 'assistantsOf'>,
    private readonly events: DomainEvents,
  ) {
    this.access = new IncidentAccess(db, directory, meetings);
    // The escalation part gets the few lifecycle steps it needs, not the whole service.
    this.escalation = new IncidentEscalation(db, scheduler, outbox, directory, urgent, config, locales, this.access, {
      get: (id) => this.get(id),
      record: (incidentId, kind, actorId, text, now) => this.record(incidentId, kind, actorId, text, now),
      view: (incident) => this.view(incident),
      sendResponderCards: (incident, userIds, view) => this.sendResponderCards(incident, userIds, view),
      refresh: (incidentId) => this.refresh(incidentId),
    });
  }

  async get(id: number): Promise<IncidentRow | null> {
    return this.db.incident.findUnique({ where: { id } });
  }

  // ---- on-duty responders (incident-access.ts) ----------------------------------------

  setDuty(meetingId: number, type: string, userIds: readonly string[], level: 1 | 2, by: string): Promise<void> {
    return this.access.setDuty(meetingId, type, userIds, level, by);
  }

  clearDuty(meetingId: number, type: string): Promise<number> {
    return this.access.clearDuty(meetingId, type);
  }

  dutyList(meetingId: number) {
    return this.access.dutyList(meetingId);
  }

  // ---- reporting -----------------------------------------------------------------------

  async report(input: NewIncident, now: Date): Promise<IncidentRow> {
    const primary = (await this.access.dutyRoster(input.meetingId, input.type)).filter((r) => r.level === 1).map((r) => r.userId);
    const incident = await this.db.incident.create({
      data: { ...input, responderIds: JSON.stringify(primary), notifiedIds: JSON.stringify(primary), createdAt: now },
    });
    await this.record(incident.id, 'reported', input.reporterId, JSON.stringify({ severity: input.severity }), now);
    const view = await this.view(incident);
    const t = await this.locales.forConversation(incident.conversationId);
    await this.cards.send(incidentCard(t, incidentCardId(incident.id), view), {
      kind: 'incident',
      refId: String(incident.id),
      target: { kind: 'conversation', conversationId: incident.conversationId },
      priority: PRIORITY.urgent,
    });
    await this.sendResponderCards(incident, primary, view);
    if (incident.severity === 1) await this.sendExecutiveCards(incident, view);
    await this.escalation.schedule(incident, 1, now);
    await this.events.emit('incident.changed', { incidentId: incident.id, meetingId: incident.meetingId });
    return incident;
  }

  /** How long responders have to acknowledge, by severity; complaints have levels of their own. */
  ackDeadlineMs(incident: Pick<IncidentRow, 'type' | 'severity'>): number {
    return this.escalation.ackDeadlineMs(incident);
  }

  // ---- state changes ---------------------------------------------------------------------

  async acknowledge(incident: IncidentRow, user: UserRecord, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (incident.status === 'acknowledged') {
      throw new UserError('E_INCIDENT_ALREADY_CLAIMED', { id: incident.id, name: (await this.directory.user(incident.ownerId ?? ''))?.name ?? msg('common.someone') });
    }
    if (!(await this.access.canAcknowledge(incident, user))) throw await this.access.refusal(incident, 'ack');
    // Conditional update: two responders clicking at once make one owner.
    // The first claim's time stays: a reopened complaint claimed again keeps its review figures.
    const won = await this.db.incident.updateMany({ where: { id: incident.id, status: 'open' }, data: { status: 'acknowledged', ownerId: user.id, ackedAt: incident.ackedAt ?? now } });
    if (won.count === 0) return this.acknowledge((await this.get(incident.id))!, user, now);
    await this.escalation.cancel(incident.id);
    await this.record(incident.id, 'acknowledged', user.id, null, now);
    if (incident.severity <= 2) await this.escalation.startUpdateReminders(incident.id, now);
    return this.refresh(incident.id);
  }

  async addUpdate(incident: IncidentRow, user: UserRecord, text: string, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (!text) throw new UserError('E_INCIDENT_UPDATE_EMPTY');
    await this.mayReporterAct(incident, user, 'update');
    await this.record(incident.id, 'update', user.id, text, now);
    return this.refresh(incident.id);
  }

  /** 升级: one level more severe; an unacknowledged incident's next escalation moves to the new, shorter deadline. */
  async raise(incident: IncidentRow, user: UserRecord, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (incident.severity === 1) throw new UserError('E_INCIDENT_TOP_LEVEL', { id: incident.id, level: levelMsg(incident.type, 1) });
    await this.mayReporterAct(incident, user, 'raise');
    const severity = incident.severity - 1;
    const updated = await this.db.incident.update({ where: { id: incident.id }, data: { severity } });
    await this.record(incident.id, 'raised', user.id, JSON.stringify({ from: incident.severity, to: severity }), now);
    if (updated.status === 'open') {
      await this.escalation.cancel(incident.id);
      await this.escalation.schedule(updated, updated.escalationLevel + 1, now);
    } else if (severity <= 2 && incident.severity > 2) {
      await this.escalation.startUpdateReminders(incident.id, now);
    }
    if (severity === 1) await this.sendExecutiveCards(updated, await this.view(updated));
    return this.refresh(incident.id);
  }

  async resolve(incident: IncidentRow, user: UserRecord, text: string, now: Date): Promise<IncidentRow> {
    this.requireOpen(incident);
    if (!(await this.access.canHandle(incident, user))) throw await this.access.refusal(incident, 'resolve');
    if (!text) throw new UserError('E_INCIDENT_RESOLUTION_EMPTY');
    const done = await this.db.incident.updateMany({
      where: { id: incident.id, status: { in: ['open', 'acknowledged'] } },
      // A new resolution is rated anew.
      data: { status: 'resolved', resolvedAt: now, resolution: text, ownerId: incident.ownerId ?? user.id, satisfaction: null },
    });
    if (done.count === 0) throw new UserError('E_INCIDENT_ALREADY_RESOLVED', { id: incident.id });
    await this.escalation.cancel(incident.id);
    await this.record(incident.id, 'resolved', user.id, text, now);
    const resolved = await this.refresh(incident.id);
    if (isComplaint(resolved.type) && resolved.complainantId) {
      const t = await this.locales.forUser(resolved.complainantId);
      await this.cards.send(satisfactionCard(t, csatCardId(resolved.id, await this.escalation.round(resolved.id)), resolved.id, resolved.description), {
        kind: 'incident-csat',
        refId: String(resolved.id),
        target: { kind: 'user', userId: resolved.complainantId },
        recipientUserId: resolved.complainantId,
        priority: PRIORITY.interactive,
      });
    }
    return resolved;
  }

  /**
   * The complainant's rating of the latest resolution. 不满意 reopens the complaint and pages its
   * owner and the next escalation step; the conditional update lets one answer per resolution
   * through, however often (or however simultaneously) it is clicked.
   */
  async recordSatisfaction(incident: IncidentRow, user: UserRecord, answer: Satisfaction, now: Date): Promise<void> {
    if (incident.complainantId !== user.id) throw new UserError('E_INCIDENT_NOT_COMPLAINANT');
    if (incident.satisfaction) throw new UserError('E_INCIDENT_ALREADY_RATED', { answer: satisfactionMsg(incident.satisfaction) });
    const rated = await this.db.incident.updateMany({ where: { id: incident.id, status: 'resolved', satisfaction: null }, data: { satisfaction: answer } });
    if (rated.count === 0) throw new UserError('E_INCIDENT_RATING_CLOSED');
    await this.record(incident.id, 'satisfaction', user.id, JSON.stringify({ answer }), now);
    const cardId = csatCardId(incident.id, await this.escalation.round(incident.id));
    if (await this.cards.get(cardId)) {
      await this.cards.update(cardId, (_card, t) => satisfactionCard(t, cardId, incident.id, incident.description, answer), PRIORITY.interactive);
    }
    if (answer === 'bad') await this.escalation.reopen((await this.get(incident.id))!, now);
  }

  /** A follow-up action for the review (复盘); it can become a task. */
  async addAction(incident: IncidentRow, user: UserRecord, text: string, now: Date): Promise<number> {
    if (!text) throw new UserError('E_INCIDENT_ACTION_EMPTY');
    await this.mayReporterAct(incident, user, 'action');
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

  // ---- escalation and reminders (schedule processors, in incident-escalation.ts) -----------

  /** Still unacknowledged at the deadline: page the next level (skipping empty levels) and schedule the one after. */
  escalate(data: ScheduleJobs['incident.escalate'], now: Date): Promise<string> {
    return this.escalation.escalate(data, now);
  }

  /** Open P1/P2 with an owner: ask for a status update unless one was posted within the interval; then the next one. */
  updateReminder(data: ScheduleJobs['incident.update-reminder'], now: Date): Promise<string> {
    return this.escalation.updateReminder(data, now);
  }

  // ---- cards and views ---------------------------------------------------------------------

  /** Also used by the escalation, for the newly paged level. */
  async sendResponderCards(incident: IncidentRow, userIds: readonly string[], view: IncidentView): Promise<void> {
    const readers = await this.locales.forUsers(userIds);
    await this.cards.sendMany(
      userIds.map((userId) => ({
        card: incidentCard(readers.get(userId)!, dmCardId(incident.id, userId), view),
        options: { kind: 'incident', refId: String(incident.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.urgent },
      })),
    );
  }

  /** Who reads the executives' summary: each executive, and each of their assistants (with the executive's name). */
  private async summaryReaders(incident: IncidentRow): Promise<Map<string, string | null>> {
    const executives = await this.access.executivesOf(incident);
    const readers = new Map<string, string | null>(executives.map((id) => [id, null]));
    const names = await this.directory.usersByIds(executives);
    for (const executive of executives) {
      const name = names.find((u) => u.id === executive)?.name ?? executive;
      for (const assistant of await this.assistants.assistantsOf(executive)) if (!readers.has(assistant)) readers.set(assistant, name);
    }
    return readers;
  }

  private async sendExecutiveCards(incident: IncidentRow, view: IncidentView): Promise<void> {
    const readers = await this.summaryReaders(incident);
    const translators = await this.locales.forUsers([...readers.keys()]);
    await this.cards.sendMany(
      [...readers].map(([userId, forExecutive]) => ({
        card: executiveSummaryCard(translators.get(userId)!, execCardId(incident.id, userId), view, forExecutive),
        options: { kind: 'incident-exec', refId: String(incident.id), target: { kind: 'user' as const, userId }, recipientUserId: userId, priority: PRIORITY.urgent },
      })),
    );
  }

  /** Re-renders every card of the incident (group, responders, executives) from the row. */
  async refresh(incidentId: number): Promise<IncidentRow> {
    const incident = (await this.get(incidentId))!;
    // Every change ends here (the escalation too): the one place that announces it.
    await this.events.emit('incident.changed', { incidentId, meetingId: incident.meetingId });
    const view = await this.view(incident);
    for (const card of await this.cards.byRef('incident', String(incidentId))) {
      await this.cards.update(card.id, (_card, t) => incidentCard(t, card.id, view), PRIORITY.urgent);
    }
    const summaries = await this.cards.byRef('incident-exec', String(incidentId));
    const readers = summaries.length > 0 ? await this.summaryReaders(incident) : new Map<string, string | null>();
    for (const card of summaries) {
      const forExecutive = (card.recipientUserId && readers.get(card.recipientUserId)) ?? null;
      await this.cards.update(card.id, (_card, t) => executiveSummaryCard(t, card.id, view, forExecutive), PRIORITY.interactive);
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
    const lastClock = events.filter((e) => CLOCK_EVENTS.has(e.kind)).at(-1)?.createdAt ?? incident.createdAt;
    const lastEscalation = events.filter((e) => e.kind === 'escalated').at(-1);
    const updater = lastUpdate?.actorId ? (await this.directory.user(lastUpdate.actorId))?.name : null;
    const responders = ids(incident.responderIds).map((id) => name(id) ?? id);
    return {
      id: incident.id,
      type: incident.type,
      severity: incident.severity,
      location: incident.location,
      description: incident.description,
      status: incident.status,
      reporter: name(incident.reporterId) ?? incident.reporterId,
      owner: name(incident.ownerId),
      responders,
      meeting: meeting ? `#${meeting.id} ${meeting.title}` : null,
      reportedAt: formatDateTime(incident.createdAt, zone),
      ackDeadline: incident.status === 'open' && incident.escalationLevel < LAST_STEP ? formatDateTime(new Date(lastClock.getTime() + this.ackDeadlineMs(incident)), zone) : null,
      ackedAt: incident.ackedAt ? formatDateTime(incident.ackedAt, zone) : null,
      resolvedAt: incident.resolvedAt ? formatDateTime(incident.resolvedAt, zone) : null,
      resolution: incident.resolution,
      lastUpdate: lastUpdate ? { text: lastUpdate.text ?? '', who: updater ?? '', time: formatDateTime(lastUpdate.createdAt, zone).slice(11) } : null,
      escalation: lastEscalation ? eventText(incident, lastEscalation.kind, lastEscalation.text) : null,
    };
  }

  // ---- figures -------------------------------------------------------------------------------

  figures(meetingId: number): Promise<IncidentFigures> {
    return incidentFigures(this.db, meetingId);
  }

  /** Open and claimed incidents of a meeting, for its close-out: the unclaimed first. */
  async openForMeeting(meetingId: number): Promise<IncidentRow[]> {
    return this.db.incident.findMany({ where: { meetingId, status: { in: ['open', 'acknowledged'] } }, orderBy: [{ status: 'desc' }, { severity: 'asc' }, { id: 'asc' }] });
  }

  async openIn(conversationId: string): Promise<IncidentRow[]> {
    return this.db.incident.findMany({ where: { conversationId, status: { in: ['open', 'acknowledged'] } }, orderBy: [{ severity: 'asc' }, { id: 'asc' }], take: 50 });
  }

  meetingOf(incident: IncidentRow): Promise<MeetingRow | null> {
    return incident.meetingId ? this.meetings.get(incident.meetingId) : Promise.resolve(null);
  }

  private requireOpen(incident: IncidentRow): void {
    if (incident.status === 'resolved') throw new UserError('E_INCIDENT_ALREADY_RESOLVED', { id: incident.id });
  }

  /** The reporter may update, raise and add actions; otherwise it takes someone who may acknowledge. */
  private async mayReporterAct(incident: IncidentRow, user: UserRecord, verb: IncidentVerb): Promise<void> {
    if (incident.reporterId !== user.id && !(await this.access.canAcknowledge(incident, user))) throw await this.access.refusal(incident, verb);
  }
}
