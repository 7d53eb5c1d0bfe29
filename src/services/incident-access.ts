/**
 * Who answers and who may act on an incident: the on-duty roster by type (the meeting's own, else
 * the default one, `meetingId` 0), the organizers and executives an escalation pages, and the
 * permission checks (with the refusal naming who may). Split from the incident lifecycle in
 * `incidents.ts`; the escalation chain reads the same roster.
 */
import { namesMsg } from '../../cards/incident-labels.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import { msg } from '../i18n/translator.js';
import type { Directory, UserRecord } from './directory.js';
import { platformOfId } from './ids.js';
import type { IncidentRow } from './incident-row.js';
import type { MeetingService } from './meetings.js';

const ids = (json: string) => JSON.parse(json) as string[];

/** What a refused person tried to do (`incident.verb.*`). */
export type IncidentVerb = 'ack' | 'update' | 'raise' | 'resolve' | 'action';

export class IncidentAccess {
  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
    private readonly meetings: MeetingService,
  ) {}

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

  // ---- permissions -----------------------------------------------------------------------

  async organizersOf(incident: IncidentRow): Promise<string[]> {
    const meeting = incident.meetingId ? await this.meetings.get(incident.meetingId) : null;
    if (meeting) return this.meetings.organizerIds(meeting);
    return (await this.directory.usersWithRole(platformOfId(incident.conversationId), 'organizer')).map((u) => u.id);
  }

  async executivesOf(incident: IncidentRow): Promise<string[]> {
    const executives = await this.directory.usersWithRole(platformOfId(incident.conversationId), 'executive');
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

  /** The error for someone who may not `verb` the incident, naming who may. */
  async refusal(incident: IncidentRow, verb: IncidentVerb): Promise<UserError> {
    const responders = (await this.directory.usersByIds(ids(incident.responderIds))).map((u) => u.name);
    const owner = incident.ownerId ? (await this.directory.user(incident.ownerId))?.name : null;
    return new UserError('E_INCIDENT_NOT_ALLOWED', {
      id: incident.id,
      responders: responders.length ? namesMsg(responders) : msg('incident.notConfigured'),
      owner: owner ? msg('incident.refusal.owner', { name: owner }) : '',
      meeting: incident.meetingId ? msg('incident.refusal.meeting') : '',
      verb: msg(`incident.verb.${verb}`),
    });
  }
}
