/**
 * 签到 at the door: `签到 重发` (a new admission code, the old one revoked), `签到 通道` (lanes: add,
 * assign people, staff), `签到 扫码` (a scanner-page link by DM), `签到 来宾` (a walk-in decision
 * by text). Reached through the 签到 command's sub-words (handlers/checkin.ts); the scanner page
 * itself is in src/web/checkin-page.ts, plugged in through this capability's `pages`.
 */
import { WALKIN_ACTIONS } from '../cards/door-cards.js';
import type { Capability } from '../src/capability.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CardActionSpec, type CommandContext, UserError, UsageError } from '../src/router/types.js';
import { DoorDesk } from '../src/services/door-desk.js';
import { DoorService, type LaneRow } from '../src/services/door.js';
import type { MeetingRow } from '../src/services/meetings.js';
import type { AttendeeRow } from '../src/services/rsvp.js';
import { checkinPages } from '../src/web/checkin-page.js';
import { matchSub } from './args.js';
import { loadMeeting, loadOwnMeeting, splitArgs, takeId } from './meeting-args.js';

/** The 签到 sub-words this capability answers; handlers/checkin.ts hands them over. */
export function doorSubs() {
  return { reissue: words('door.words.reissue'), lane: words('door.words.lane'), scanner: words('door.words.scanner'), walkin: words('door.words.walkin') };
}

export async function handleDoor(ctx: CommandContext, sub: keyof ReturnType<typeof doorSubs>, rest: string): Promise<string> {
  switch (sub) {
    case 'reissue':
      return reissue(ctx, rest);
    case 'lane':
      return lanes(ctx, rest);
    case 'scanner':
      return scanner(ctx, rest);
    case 'walkin':
      return walkinByText(ctx, rest);
  }
}

/** Attendees named by @mention or exact name; every name must match exactly one. */
async function attendeesOf(ctx: CommandContext, meeting: MeetingRow, names: readonly string[]): Promise<AttendeeRow[]> {
  const found = await ctx.services.checkin.find(meeting.id, names, ctx.mentions.map((m) => m.id));
  const out = new Map<number, AttendeeRow>();
  for (const user of ctx.mentions) {
    const a = found.find((f) => f.userId === user.id);
    if (!a) throw new UserError('E_DOOR_NOT_LISTED', { name: user.name, id: meeting.id });
    out.set(a.id, a);
  }
  for (const name of names) {
    const matches = found.filter((a) => a.name === name);
    if (matches.length !== 1) throw new UserError(matches.length === 0 ? 'E_DOOR_NOT_LISTED' : 'E_DOOR_SAME_NAME', { name, id: meeting.id, count: matches.length });
    out.set(matches[0]!.id, matches[0]!);
  }
  return [...out.values()];
}

async function reissue(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'door.example.reissue');
  const meeting = await loadMeeting(ctx, id);
  const names = splitArgs(rest);
  const organizer = ctx.services.meetings.isOrganizer(meeting, ctx.user);
  let targets: AttendeeRow[];
  if (names.length === 0 && ctx.mentions.length === 0) {
    const own = await ctx.services.rsvp.attendeeFor(meeting.id, ctx.user.id);
    if (!own) throw new UserError('E_CHECKIN_NOT_ATTENDEE', { id: meeting.id });
    targets = [own];
  } else {
    if (!organizer) throw new UserError('E_DOOR_ORGANIZER_ONLY', { id: meeting.id });
    targets = await attendeesOf(ctx, meeting, names);
  }
  const lines: string[] = [];
  for (const a of targets) {
    if (!ctx.services.admission.holdsCode(meeting, a)) {
      lines.push(t.t('door.reissue.noCode', { name: a.name }));
      continue;
    }
    const updated = await ctx.services.admission.reissue(meeting, a);
    lines.push(t.t('door.reissue.done', { name: a.name, version: updated.admissionVersion }));
  }
  return lines.join('\n');
}

async function lanes(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'door.example.lane');
  if (!rest && ctx.mentions.length === 0) return laneList(ctx, await loadMeeting(ctx, id));
  const meeting = await loadOwnMeeting(ctx, id, 'door.action.lanes');
  const { sub, rest: after } = matchSub(rest, { add: words('door.words.add'), assign: words('door.words.assign'), staff: words('door.words.staff') });
  const [laneName, ...more] = splitArgs(after);
  if (!sub || !laneName) throw new UsageError('E_DOOR_LANE_USAGE', { id });
  if (sub === 'add') {
    const open = more.some((w) => words('door.words.open').includes(w.toLowerCase()));
    const lane = await ctx.services.door.addLane(meeting, laneName, open, ctx.user.id);
    return t.t(open ? 'door.lane.addedOpen' : 'door.lane.added', { id, lane: lane.name, vip: lane.vip ? t.t('door.lane.vipMark') : '' });
  }
  const lane = await ctx.services.door.lane(meeting, laneName);
  if (sub === 'assign') {
    const people = await attendeesOf(ctx, meeting, more);
    if (people.length === 0) throw new UsageError('E_DOOR_LANE_USAGE', { id });
    const count = await ctx.services.door.assign(lane, people.map((p) => p.id));
    return t.t('door.lane.assigned', { lane: lane.name, count, names: t.list(people.map((p) => p.name)) });
  }
  if (ctx.mentions.length === 0) throw new UsageError('E_DOOR_LANE_USAGE', { id });
  await ctx.services.door.addStaff(lane, ctx.mentions.map((m) => m.id));
  return t.t('door.lane.staffAdded', { lane: lane.name, names: t.list(ctx.mentions.map((m) => m.name)) });
}

async function laneList(ctx: CommandContext, meeting: MeetingRow): Promise<string> {
  const { t } = ctx;
  const rows = await ctx.services.door.lanes(meeting);
  const stats = await ctx.services.meetingStats.compute(meeting.id, ctx.now);
  const staffNames = new Map((await ctx.services.directory.usersByIds(rows.flatMap((l) => ctx.services.door.staffOf(l)))).map((u) => [u.id, u.name]));
  const lines = rows.map((l: LaneRow) => {
    const rate = stats.lanes?.find((x) => x.lane === l.name);
    return t.t('door.lane.line', {
      lane: l.name,
      vip: l.vip ? t.t('door.lane.vipMark') : '',
      who: t.t(l.open ? 'door.lane.openToAll' : 'door.lane.assignedOnly'),
      staff: ctx.services.door.staffOf(l).map((s) => staffNames.get(s) ?? s).join('、') || '—',
      rate: rate?.perMinute ?? 0,
      total: rate?.total ?? 0,
      target: ctx.services.config.HUIWU_CHECKIN_TARGET_PER_MINUTE,
    });
  });
  return t.t('door.lane.list', { id: meeting.id, title: meeting.title, lines: lines.join('\n') });
}

/** `签到 扫码 #1 [通道 贵宾] [@staff]`: the lane's page link to the staff named, else to the requester. */
async function scanner(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'door.example.scanner');
  const meeting = await loadMeeting(ctx, id);
  const tokens = splitArgs(rest);
  const laneWord = tokens.findIndex((w) => words('door.words.lane').includes(w.toLowerCase()));
  const laneName = laneWord >= 0 ? tokens[laneWord + 1] : tokens[0];
  const lane = laneName ? await ctx.services.door.lane(meeting, laneName) : (await ctx.services.door.lanes(meeting))[0]!;
  const organizer = ctx.services.meetings.isOrganizer(meeting, ctx.user);
  const staff = ctx.mentions.length > 0 ? ctx.mentions : [ctx.user];
  if (!organizer && (ctx.mentions.length > 0 || !ctx.services.door.mayScan(meeting, lane, ctx.user))) {
    throw new UserError('E_DOOR_STAFF_ONLY', { id: meeting.id, lane: lane.name });
  }
  for (const person of staff) await ctx.services.door.sendScannerLink(meeting, lane, person, ctx.now);
  return t.t('door.linkSent', { names: t.list(staff.map((s) => s.name)), lane: lane.name, id: meeting.id });
}

async function walkinByText(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, 'door.example.walkin');
  const { sub } = matchSub(rest, { approve: words('door.words.approve'), refuse: words('door.words.refuse') });
  if (!sub) throw new UsageError('E_DOOR_WALKIN_USAGE', { id });
  const result = await ctx.services.doorDesk.decideWalkin(id, ctx.user, sub === 'approve');
  return ctx.t.t(result.already ? 'door.walkin.alreadyDecided' : sub === 'approve' ? 'door.walkin.approvedReply' : 'door.walkin.refusedReply', { id, status: ctx.t.t(`door.walkin.status.${result.status}`) });
}

const walkinAction = (approve: boolean): CardActionSpec => ({
  key: approve ? WALKIN_ACTIONS.approve : WALKIN_ACTIONS.refuse,
  async handle({ card, user, services, t }) {
    const result = await services.doorDesk.decideWalkin(Number(card.refId), user, approve);
    return { accepted: true, message: t.t(result.already ? 'door.walkin.alreadyDecided' : approve ? 'door.walkin.approvedReply' : 'door.walkin.refusedReply', { id: card.refId, status: t.t(`door.walkin.status.${result.status}`) }) };
  },
});

/** The door: lanes, scanner links, the scanner page and its exceptions. Built after tasks (follow-ups go there). */
export const door: Capability = {
  name: 'door',
  services: (s) => {
    const doorService = new DoorService(s.db, s.meetings, s.admission, s.cards, s.outbox, s.locales, s.config, s.admissionKey, s.pageAccess);
    return { door: doorService, doorDesk: new DoorDesk(s.db, doorService, s.meetings, s.tasks, s.cards, s.locales, s.pii, s.admissionKey) };
  },
  cardActions: [walkinAction(true), walkinAction(false)],
  pages: checkinPages,
};
