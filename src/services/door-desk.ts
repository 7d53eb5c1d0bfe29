/**
 * The door's exceptions, as the training material asks: a lost code (search by name or the last
 * four phone digits, confirm, admit with a reason), details that do not match (admit or refuse,
 * and a follow-up task to the organizers), a walk-in who is not on the list (an organizer approves
 * from the page or the group card). Every manual decision is a `CheckinScan` row with its kind,
 * reason and the staff member: that is the audit.
 */
import { walkinCard, WALKIN_ACTIONS } from '../../cards/door-cards.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { PiiCipher } from './pii.js';
import { PRIORITY } from '../queue/queues.js';
import { phoneTailHash } from './admission.js';
import type { CardService } from './cards.js';
import type { DoorContext, DoorService, ScanOutcome } from './door.js';
import type { UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { TaskService } from './tasks.js';

declare module './services.js' {
  interface Services {
    doorDesk: DoorDesk;
  }
}

export { WALKIN_ACTIONS };

export interface SearchHit {
  id: number;
  name: string;
  department: string | null;
  response: string;
  lane: string | null;
  checkedInAt: string | null;
}

const MAX_HITS = 10;
const MAX_REASON = 200;
/** Follow-up tasks about mismatched details are due this long after the door. */
const FOLLOW_UP_MS = 24 * 3600_000;

export class DoorDesk {
  constructor(
    private readonly db: PrismaClient,
    private readonly door: DoorService,
    private readonly meetings: MeetingService,
    private readonly tasks: TaskService,
    private readonly cards: CardService,
    private readonly locales: LocaleService,
    private readonly pii: PiiCipher,
    private readonly key: Buffer,
  ) {}

  /**
   * Attendees by part of the name, or by the last four phone digits through their keyed hash.
   * Phones are decrypted once per row, ever (rows without a hash yet), never per keystroke.
   */
  async search(meeting: MeetingRow, query: string): Promise<SearchHit[]> {
    const q = query.trim();
    if (q.length === 0) return [];
    let rows;
    if (/^\d{4}$/.test(q)) {
      await this.hashPhoneTails(meeting.id);
      rows = await this.db.attendee.findMany({ where: { meetingId: meeting.id, phoneTailHash: phoneTailHash(this.key, meeting.id, q) }, take: MAX_HITS });
    } else {
      rows = await this.db.attendee.findMany({ where: { meetingId: meeting.id, name: { contains: q } }, orderBy: { name: 'asc' }, take: MAX_HITS });
    }
    return rows.map((a) => ({ id: a.id, name: a.name, department: a.department, response: a.response, lane: a.laneName, checkedInAt: a.checkedInAt?.toISOString() ?? null }));
  }

  /** Fills the phone-tail hash of rows imported since the last search. */
  private async hashPhoneTails(meetingId: number): Promise<void> {
    const missing = await this.db.attendee.findMany({ where: { meetingId, phoneEnc: { not: null }, phoneTailHash: null }, select: { id: true, phoneEnc: true } });
    for (const row of missing) {
      const phone = this.pii.decrypt(row.phoneEnc!);
      await this.db.attendee.update({ where: { id: row.id }, data: { phoneTailHash: phoneTailHash(this.key, meetingId, phone.slice(-4)) } });
    }
  }

  private reason(text: string | undefined): string {
    const reason = text?.trim() ?? '';
    if (!reason) throw new UserError('E_DOOR_REASON_MISSING');
    if ([...reason].length > MAX_REASON) throw new UserError('E_DOOR_REASON_TOO_LONG', { max: MAX_REASON });
    return reason;
  }

  private async attendee(meeting: MeetingRow, attendeeId: number) {
    const a = await this.db.attendee.findUnique({ where: { id: attendeeId } });
    if (!a || a.meetingId !== meeting.id) throw new UserError('E_DOOR_NO_ATTENDEE', { id: meeting.id });
    return a;
  }

  /** A confirmed admission without a valid code (lost code or phone): the reason is required and recorded. */
  async admitManually(ctx: DoorContext, scanId: string, attendeeId: number, reasonText: string | undefined): Promise<ScanOutcome> {
    const reason = this.reason(reasonText);
    const attendee = await this.attendee(ctx.meeting, attendeeId);
    const now = new Date();
    if (!(await this.door.claim(ctx, scanId, now, false, 'manual', reason))) return this.door.stored(ctx, scanId);
    const person = this.door.person(ctx, attendee);
    let outcome: ScanOutcome;
    if (attendee.response !== 'yes') outcome = { scanId, verdict: 'cancelled', person };
    else if (await this.door.checkIn(ctx, attendee, now)) outcome = { scanId, verdict: 'admitted', person, at: now.toISOString(), lane: ctx.lane.name };
    else {
      const current = await this.db.attendee.findUnique({ where: { id: attendee.id } });
      outcome = { scanId, verdict: 'already', person, at: current?.checkedInAt?.toISOString(), lane: current?.checkedInLane ?? null };
    }
    await this.db.checkinScan.update({ where: { scanId }, data: { verdict: outcome.verdict, attendeeId: attendee.id } });
    if (outcome.verdict === 'admitted') await this.door.alerts.afterAdmission(ctx.meeting, now);
    return outcome;
  }

  /** Details do not match (name, company, photo): the desk admits or refuses; the organizers get a task either way. */
  async mismatch(ctx: DoorContext, scanId: string, attendeeId: number, admit: boolean, reasonText: string | undefined): Promise<{ outcome: ScanOutcome; taskId: number }> {
    const reason = this.reason(reasonText);
    const attendee = await this.attendee(ctx.meeting, attendeeId);
    const outcome = admit
      ? await this.admitManually(ctx, scanId, attendeeId, reason)
      : await this.refuse(ctx, scanId, attendee.id, reason);
    await this.db.checkinScan.update({ where: { scanId }, data: { kind: 'mismatch' } });
    const t = await this.locales.forUser(ctx.meeting.creatorId);
    const task = await this.tasks.create(
      {
        title: t.t(admit ? 'door.task.mismatchAdmitted' : 'door.task.mismatchRefused', { name: attendee.name, id: ctx.meeting.id, lane: ctx.lane.name, reason, by: ctx.user.name }),
        creatorId: ctx.user.id,
        assigneeId: ctx.meeting.creatorId,
        meetingId: ctx.meeting.id,
        conversationId: ctx.meeting.conversationId,
        priority: 'high',
        dueAt: new Date(Date.now() + FOLLOW_UP_MS),
      },
      new Date(),
    );
    return { outcome, taskId: task.id };
  }

  private async refuse(ctx: DoorContext, scanId: string, attendeeId: number, reason: string): Promise<ScanOutcome> {
    const attendee = await this.attendee(ctx.meeting, attendeeId);
    if (!(await this.door.claim(ctx, scanId, new Date(), false, 'manual', reason))) return this.door.stored(ctx, scanId);
    await this.db.checkinScan.update({ where: { scanId }, data: { verdict: 'refused', attendeeId } });
    return { scanId, verdict: 'refused', person: this.door.person(ctx, attendee) };
  }

  // ---- walk-ins ------------------------------------------------------------------------

  /** A walk-in asks to be admitted: a card in the meeting's group for the organizers. */
  async requestWalkin(ctx: DoorContext, name: string, note: string | undefined): Promise<number> {
    const clean = name.trim();
    if (!clean || [...clean].length > 40) throw new UserError('E_DOOR_WALKIN_NAME', { max: 40 });
    const row = await this.db.checkinWalkin.create({
      data: { meetingId: ctx.meeting.id, laneId: ctx.lane.id, name: clean, note: note?.trim() || null, requestedBy: ctx.user.id },
    });
    const t = await this.locales.forConversation(ctx.meeting.conversationId);
    await this.cards.send(walkinCard(t, { id: row.id, meetingId: ctx.meeting.id, title: ctx.meeting.title, name: clean, note: row.note, lane: ctx.lane.name, by: ctx.user.name }), {
      kind: 'door-walkin',
      refId: String(row.id),
      target: { kind: 'conversation', conversationId: ctx.meeting.conversationId },
      priority: PRIORITY.urgent,
    });
    return row.id;
  }

  async walkin(meetingId: number, id: number) {
    const row = await this.db.checkinWalkin.findUnique({ where: { id } });
    return row && row.meetingId === meetingId ? row : null;
  }

  /**
   * An organizer decides (page or card); the first decision wins. Approval adds the person to the
   * list as confirmed and admits them at the lane they asked at, recorded as a walk-in.
   */
  async decideWalkin(walkinId: number, user: UserRecord, approve: boolean): Promise<{ status: string; already: boolean }> {
    const row = await this.db.checkinWalkin.findUnique({ where: { id: walkinId } });
    if (!row) throw new UserError('E_DOOR_NO_WALKIN', { id: walkinId });
    const meeting = await this.meetings.get(row.meetingId);
    if (!meeting) throw new UserError('E_MEETING_GONE');
    if (!this.meetings.isOrganizer(meeting, user)) throw new UserError('E_DOOR_ORGANIZER_ONLY', { id: meeting.id });
    const now = new Date();
    const decided = await this.db.checkinWalkin.updateMany({ where: { id: walkinId, status: 'pending' }, data: { status: approve ? 'approved' : 'refused', decidedBy: user.id, decidedAt: now } });
    if (decided.count === 0) return { status: (await this.db.checkinWalkin.findUnique({ where: { id: walkinId } }))!.status, already: true };
    if (approve) {
      const lane = await this.door.laneById(meeting.id, row.laneId);
      const attendee = await this.db.attendee.create({
        data: { meetingId: meeting.id, name: row.name, response: 'yes', respondedAt: now, answeredBy: user.id, invitedBy: user.id, note: row.note, checkedInAt: now, checkedInBy: row.requestedBy, checkedInLane: lane?.name ?? null },
      });
      await this.db.checkinWalkin.update({ where: { id: walkinId }, data: { attendeeId: attendee.id } });
      await this.db.checkinScan.create({
        data: { scanId: `walkin-${walkinId}`, meetingId: meeting.id, laneId: row.laneId, deviceUser: user.id, attendeeId: attendee.id, kind: 'walkin', verdict: 'admitted', reason: row.note, scannedAt: now },
      });
      await this.door.alerts.afterAdmission(meeting, now);
    }
    const decider = user.name;
    await this.cards.update(`walkin-${walkinId}`, (c, t) => ({ ...c, state: { status: approve ? 'approved' : 'refused', label: t.t(approve ? 'door.walkin.approved' : 'door.walkin.refused', { by: decider }), closed: true } }), PRIORITY.interactive);
    return { status: approve ? 'approved' : 'refused', already: false };
  }
}
