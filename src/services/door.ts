/**
 * Check-in at the door: lanes, the scanner's verdicts, the offline roster and the exactly-once
 * sync of scans made offline. Every scan is a `CheckinScan` row keyed by the device's scan id,
 * claimed before anything else happens, so a queue replayed twice (or two tabs racing) records
 * each scan once. Admission itself is the same conditional update as any check-in
 * (`checkedInAt IS NULL`): a person is admitted once, whichever lane or device comes first.
 */
import { dietaryLabel } from '../../cards/meeting-cards.js';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { Translator } from '../i18n/translator.js';
import { words } from '../i18n/vocabulary.js';
import { PRIORITY } from '../queue/queues.js';
import { RosterSigner, verifyAdmission } from './admission.js';
import type { AdmissionCodes } from './admission-codes.js';
import type { CardService } from './cards.js';
import { checkinCardId } from './meeting-card-ids.js';
import type { UserRecord } from './directory.js';
import { DoorAlerts } from './door-alerts.js';
import type { LocaleService } from './locales.js';
import type { MeetingRow, MeetingService } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { PageAccess } from './page-access.js';
import type { AttendeeRow } from './rsvp.js';

declare module './services.js' {
  interface Services {
    door: DoorService;
  }
}

export type LaneRow = NonNullable<Awaited<ReturnType<PrismaClient['checkinLane']['findUnique']>>>;

export type Verdict = 'admitted' | 'already' | 'wrong-lane' | 'not-invited' | 'cancelled' | 'forged' | 'revoked' | 'expired' | 'refused';
export const ADMITTING: readonly Verdict[] = ['admitted'];

/** What the page shows for one scan. Names are surname only; notes are in the staff member's language. */
export interface ScanOutcome {
  scanId: string;
  verdict: Verdict;
  /** The scan id was recorded before: this is the stored outcome, nothing changed. */
  duplicate?: boolean;
  person?: { name: string; vip: boolean; lane: string | null; notes: string[] };
  /** For `already`: when and where the person was admitted. */
  at?: string;
  lane?: string | null;
  /** Admitted offline on this device although someone had admitted the person first. */
  doubleAdmission?: boolean;
  /** Our row id (no personal data): the page marks its roster with it. */
  attendeeId?: number;
}

export interface ScanInput {
  scanId: string;
  code: string;
  /** When the device scanned (offline scans are synced later); default now. */
  at?: Date;
  offline?: boolean;
  /** The device's own verdict when it decided offline. */
  localVerdict?: string;
}

export interface DoorContext {
  meeting: MeetingRow;
  lane: LaneRow;
  user: UserRecord;
  t: Translator;
}

/** Offline scans may be this old when synced; older clocks are clamped (a device with a wrong clock). */
const MAX_OFFLINE_AGE_MS = 24 * 3600_000;
const SCAN_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** At most this many scans per sync request. */
export const MAX_SYNC = 500;

/** Surname only: `张伟` → `张*`, `Wang Fang` → `Fang`... the family name comes last in Latin order. */
export function surnameOnly(name: string): string {
  const trimmed = name.trim();
  if (/\s/.test(trimmed)) return trimmed.split(/\s+/).at(-1)!;
  const chars = [...trimmed];
  return chars.length <= 1 ? trimmed : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** Whether `lane` admits `attendee`: an open lane admits everyone invited, a restricted one its assigned people. */
export function laneAdmits(lane: Pick<LaneRow, 'open' | 'name'>, attendee: Pick<AttendeeRow, 'laneName'>): boolean {
  return lane.open || attendee.laneName === lane.name;
}

export class DoorService {
  constructor(
    private readonly db: PrismaClient,
    private readonly meetings: MeetingService,
    private readonly admission: AdmissionCodes,
    private readonly cards: CardService,
    private readonly outbox: Outbox,
    private readonly locales: LocaleService,
    private readonly config: Config,
    private readonly key: Buffer,
    private readonly pageAccess: PageAccess,
  ) {
    this.rosterSigner = new RosterSigner(key);
    this.alerts = new DoorAlerts(db, meetings, outbox, locales, config);
  }

  /** Reports to the organizers: double admissions after a sync, slow lanes. */
  readonly alerts: DoorAlerts;

  /** Signs the offline rosters; its public key is in the scanner page. */
  readonly rosterSigner: RosterSigner;

  /**
   * DMs `staff` a personal sign-in link to the lane's scanner page (single use, expiring, bound
   * to them: the rules of every Huiwu page). The lane remembers them as its staff.
   */
  async sendScannerLink(meeting: MeetingRow, lane: LaneRow, staff: UserRecord, now: Date): Promise<void> {
    await this.addStaff(lane, [staff.id]);
    const link = await this.pageAccess.issueLink(staff.id, this.pagePath(meeting, lane));
    const t = await this.locales.forUser(staff.id);
    await this.outbox.enqueue({
      id: `door-link-m${meeting.id}-l${lane.id}-${staff.id}-${now.getTime()}`,
      target: { kind: 'user', userId: staff.id },
      content: { type: 'text', text: t.t('door.link', { id: meeting.id, title: meeting.title, lane: lane.name, link, minutes: Math.round(this.config.HUIWU_PAGE_LINK_TTL.ms / 60_000) }) },
      priority: PRIORITY.interactive,
    });
  }

  // ---- lanes -----------------------------------------------------------------------------

  /** The meeting's lanes; the default lane (普通, in the group's language) exists from the first look. */
  async lanes(meeting: MeetingRow): Promise<LaneRow[]> {
    const rows = await this.db.checkinLane.findMany({ where: { meetingId: meeting.id }, orderBy: { id: 'asc' } });
    if (rows.length > 0) return rows;
    const t = await this.locales.forConversation(meeting.conversationId);
    await this.db.checkinLane.upsert({
      where: { meetingId_name: { meetingId: meeting.id, name: t.t('door.defaultLane') } },
      create: { meetingId: meeting.id, name: t.t('door.defaultLane'), open: true, createdBy: meeting.creatorId },
      update: {},
    });
    return this.db.checkinLane.findMany({ where: { meetingId: meeting.id }, orderBy: { id: 'asc' } });
  }

  async lane(meeting: MeetingRow, name: string): Promise<LaneRow> {
    const lanes = await this.lanes(meeting);
    const found = lanes.find((l) => l.name.toLowerCase() === name.trim().toLowerCase());
    if (!found) throw new UserError('E_DOOR_NO_LANE', { id: meeting.id, lane: name, lanes: lanes.map((l) => l.name).join(' / ') });
    return found;
  }

  async laneById(meetingId: number, laneId: number): Promise<LaneRow | null> {
    return this.db.checkinLane.findFirst({ where: { id: laneId, meetingId } });
  }

  /** A new lane: restricted to its assigned people unless `open`; VIP when named like one (贵宾, VIP). */
  async addLane(meeting: MeetingRow, name: string, open: boolean, by: string): Promise<LaneRow> {
    await this.lanes(meeting);
    const clean = name.trim();
    if (!clean || [...clean].length > 20) throw new UserError('E_DOOR_LANE_NAME', { max: 20 });
    const exists = await this.db.checkinLane.findUnique({ where: { meetingId_name: { meetingId: meeting.id, name: clean } } });
    if (exists) throw new UserError('E_DOOR_LANE_EXISTS', { id: meeting.id, lane: clean });
    const vip = words('door.words.vip').includes(clean.toLowerCase());
    if (vip) this.vipCache.add(`${meeting.id}:${clean}`);
    return this.db.checkinLane.create({ data: { meetingId: meeting.id, name: clean, open, vip, createdBy: by } });
  }

  /** Assigns attendees to a lane (their code is admitted there; a restricted lane admits only them). */
  async assign(lane: LaneRow, attendeeIds: readonly number[]): Promise<number> {
    const res = await this.db.attendee.updateMany({ where: { meetingId: lane.meetingId, id: { in: [...attendeeIds] } }, data: { laneName: lane.name } });
    return res.count;
  }

  staffOf(lane: LaneRow): string[] {
    return JSON.parse(lane.staffIds) as string[];
  }

  async addStaff(lane: LaneRow, userIds: readonly string[]): Promise<LaneRow> {
    const ids = [...new Set([...this.staffOf(lane), ...userIds])];
    return this.db.checkinLane.update({ where: { id: lane.id }, data: { staffIds: JSON.stringify(ids) } });
  }

  /** Organizers and the lane's staff may scan there. */
  mayScan(meeting: MeetingRow, lane: LaneRow, user: UserRecord): boolean {
    return this.meetings.isOrganizer(meeting, user) || this.staffOf(lane).includes(user.id);
  }

  /** The page's address for a lane. */
  pagePath(meeting: MeetingRow, lane: LaneRow): string {
    return `/checkin/m${meeting.id}/l${lane.id}`;
  }

  // ---- scanning --------------------------------------------------------------------------

  /** One scan, online or synced: claims the scan id, decides, records. A scan id seen before returns its stored outcome. */
  async scan(ctx: DoorContext, input: ScanInput): Promise<ScanOutcome> {
    if (!SCAN_ID.test(input.scanId)) throw new UserError('E_DOOR_SCAN_ID');
    const now = new Date();
    const at = input.at && input.offline ? new Date(Math.min(now.getTime(), Math.max(input.at.getTime(), now.getTime() - MAX_OFFLINE_AGE_MS))) : now;
    const claimed = await this.claim(ctx, input.scanId, at, input.offline ?? false, 'scan');
    if (!claimed) return this.stored(ctx, input.scanId);
    await this.rememberVipLanes(ctx.meeting, 30_000);
    const outcome = await this.decide(ctx, input, at);
    await this.db.checkinScan.update({
      where: { scanId: input.scanId },
      data: { verdict: outcome.verdict, attendeeId: outcome.attendeeId ?? null, doubleAdmission: outcome.doubleAdmission ?? false },
    });
    if (outcome.verdict === 'admitted') await this.alerts.afterAdmission(ctx.meeting, now);
    return outcome;
  }

  /** Syncs an offline queue in order; a scan id seen before is skipped. Double admissions are reported once per sync. */
  async sync(ctx: DoorContext, scans: readonly ScanInput[]): Promise<ScanOutcome[]> {
    if (scans.length > MAX_SYNC) throw new UserError('E_DOOR_SYNC_TOO_MANY', { max: MAX_SYNC });
    const outcomes: ScanOutcome[] = [];
    for (const scan of scans) outcomes.push(await this.scan(ctx, { ...scan, offline: true }));
    const doubles = outcomes.filter((o) => o.doubleAdmission && !o.duplicate);
    if (doubles.length > 0) await this.alerts.reportDoubles(ctx, doubles);
    return outcomes;
  }

  /** Inserts the scan row; false when the scan id was recorded before (a replay). */
  async claim(ctx: DoorContext, scanId: string, at: Date, offline: boolean, kind: string, reason?: string): Promise<boolean> {
    try {
      await this.db.checkinScan.create({
        data: { scanId, meetingId: ctx.meeting.id, laneId: ctx.lane.id, deviceUser: ctx.user.id, kind, verdict: 'pending', offline, scannedAt: at, reason: reason ?? null },
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return false;
      throw error;
    }
  }

  async stored(ctx: DoorContext, scanId: string): Promise<ScanOutcome> {
    const row = await this.db.checkinScan.findUnique({ where: { scanId } });
    if (!row || row.meetingId !== ctx.meeting.id) throw new UserError('E_DOOR_SCAN_ID');
    const attendee = row.attendeeId ? await this.db.attendee.findUnique({ where: { id: row.attendeeId } }) : null;
    return {
      scanId,
      verdict: row.verdict as Verdict,
      duplicate: true,
      ...(attendee ? { attendeeId: attendee.id, person: this.person(ctx, attendee), at: attendee.checkedInAt?.toISOString(), lane: attendee.checkedInLane } : {}),
      ...(row.doubleAdmission ? { doubleAdmission: true } : {}),
    };
  }

  private async decide(ctx: DoorContext, input: ScanInput, at: Date): Promise<ScanOutcome> {
    const base = { scanId: input.scanId };
    const checked = verifyAdmission(this.key, input.code, at);
    if (!checked.ok) return { ...base, verdict: checked.reason };
    const { claims } = checked;
    if (claims.meetingId !== ctx.meeting.id) return { ...base, verdict: 'not-invited' };
    const attendee = await this.db.attendee.findUnique({ where: { id: claims.attendeeId } });
    if (!attendee || attendee.meetingId !== ctx.meeting.id) return { ...base, verdict: 'not-invited' };
    if (claims.version !== attendee.admissionVersion) return { ...base, verdict: 'revoked', attendeeId: attendee.id };
    return this.admit(ctx, attendee, at, input.offline === true && input.localVerdict === 'admitted', base);
  }

  /** The admission rules once the person is known: answer, lane, then the conditional check-in. */
  private async admit(ctx: DoorContext, attendee: AttendeeRow, at: Date, admittedOffline: boolean, base: { scanId: string }): Promise<ScanOutcome> {
    const person = this.person(ctx, attendee);
    if (attendee.checkedInAt) {
      return { ...base, verdict: 'already', attendeeId: attendee.id, person, at: attendee.checkedInAt.toISOString(), lane: attendee.checkedInLane, ...(admittedOffline ? { doubleAdmission: true } : {}) };
    }
    if (attendee.response !== 'yes' || ctx.meeting.status !== 'scheduled') return { ...base, verdict: 'cancelled', attendeeId: attendee.id, person };
    if (!laneAdmits(ctx.lane, attendee)) return { ...base, verdict: 'wrong-lane', attendeeId: attendee.id, person, lane: attendee.laneName };
    const first = await this.checkIn(ctx, attendee, at);
    if (!first) {
      const current = await this.db.attendee.findUnique({ where: { id: attendee.id } });
      return { ...base, verdict: 'already', attendeeId: attendee.id, person, at: current?.checkedInAt?.toISOString(), lane: current?.checkedInLane ?? null, ...(admittedOffline ? { doubleAdmission: true } : {}) };
    }
    return { ...base, verdict: 'admitted', attendeeId: attendee.id, person, at: at.toISOString(), lane: ctx.lane.name };
  }

  /** The conditional check-in (`checkedInAt IS NULL`); closes the attendee's check-in card. */
  async checkIn(ctx: DoorContext, attendee: AttendeeRow, at: Date): Promise<boolean> {
    const updated = await this.db.attendee.updateMany({
      where: { id: attendee.id, checkedInAt: null },
      data: { checkedInAt: at, checkedInBy: ctx.user.id, checkedInLane: ctx.lane.name, response: 'yes' },
    });
    if (updated.count === 0) return false;
    const cardId = checkinCardId(ctx.meeting.id, attendee.id);
    if (await this.cards.get(cardId)) {
      await this.cards.update(cardId, (c, t) => ({ ...c, state: { status: 'checked-in', label: t.t('meeting.card.checkin.done', { at }), closed: true } }), PRIORITY.normal);
    }
    return true;
  }

  /** What the desk needs to see: surname only, VIP, lane, meal and room notes. */
  person(ctx: Pick<DoorContext, 't'>, a: AttendeeRow, vipLanes: ReadonlySet<string> = this.vipCache): { name: string; vip: boolean; lane: string | null; notes: string[] } {
    const { t } = ctx;
    const notes: string[] = [];
    if (a.dietary && a.dietary !== 'none') notes.push(t.t('door.note.meal', { meal: dietaryLabel(t, a.dietary), note: a.dietaryNote ?? '' }).trim());
    if (a.accommodation) notes.push(t.t('door.note.rooms', { nights: a.nights ?? 1, count: a.nights ?? 1 }));
    if (a.note) notes.push(t.t('door.note.note', { note: a.note }));
    return { name: surnameOnly(a.name), vip: a.laneName !== null && vipLanes.has(`${a.meetingId}:${a.laneName}`), lane: a.laneName, notes };
  }

  /** `meeting:lane` of VIP lanes, and when each meeting's were read (another instance may add a lane). */
  private readonly vipCache = new Set<string>();
  private readonly vipReadAt = new Map<number, number>();

  async rememberVipLanes(meeting: MeetingRow, maxAgeMs = 0): Promise<void> {
    const now = Date.now();
    if (now - (this.vipReadAt.get(meeting.id) ?? 0) <= maxAgeMs) return;
    this.vipReadAt.set(meeting.id, now);
    for (const l of await this.lanes(meeting)) if (l.vip) this.vipCache.add(`${meeting.id}:${l.name}`);
  }

  // ---- the offline roster ----------------------------------------------------------------

  /**
   * The lane's roster as signed text (`RosterSigner`): the page verifies it before deciding
   * offline from it, also when it reads it back from storage. The server re-checks every code on sync.
   */
  async signedRoster(ctx: DoorContext): Promise<{ body: string; sig: string }> {
    const body = JSON.stringify(await this.roster(ctx));
    return { body, sig: this.rosterSigner.sign(body) };
  }

  /**
   * Everyone this lane may admit, with the tag of their current code (the code's MAC, not the
   * key): the page decides offline by matching a scanned code's tag and version.
   */
  async roster(ctx: DoorContext): Promise<{ meetingId: number; laneId: number; lane: string; issuedAt: string; entries: RosterEntry[] }> {
    await this.rememberVipLanes(ctx.meeting);
    const rows = await this.db.attendee.findMany({
      where: { meetingId: ctx.meeting.id, response: 'yes', ...(ctx.lane.open ? {} : { laneName: ctx.lane.name }) },
      orderBy: { id: 'asc' },
    });
    const entries = rows.map((a) => ({
      a: a.id,
      v: a.admissionVersion,
      tag: this.admission.tagFor(ctx.meeting, a),
      ...this.person(ctx, a),
      in: a.checkedInAt?.toISOString() ?? null,
      at: a.checkedInLane,
    }));
    return { meetingId: ctx.meeting.id, laneId: ctx.lane.id, lane: ctx.lane.name, issuedAt: new Date().toISOString(), entries };
  }
}

export interface RosterEntry {
  a: number;
  v: number;
  tag: string;
  name: string;
  vip: boolean;
  lane: string | null;
  notes: string[];
  in: string | null;
  at: string | null;
}
