/**
 * 签到 / checkin: attendees check themselves in (command or check-in card), organizers check
 * someone in by @mention or by name. Open from the check-in opening until the meeting ends.
 */
import { CHECKIN_ACTION } from '../cards/meeting-cards.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import type { Services } from '../src/services/services.js';
import type { AttendeeRow } from '../src/services/rsvp.js';
import { formatDateTime } from '../src/time/parse-time.js';
import { loadMeeting, takeId } from './meeting-args.js';

/** Meetings without an end time stay open for check-in this long after the start. */
const OPEN_WITHOUT_END_MS = 12 * 3600_000;

export const checkinCommand: CommandSpec = {
  id: 'checkin',
  async handle(ctx) {
    if (!ctx.args) return selfCheckin(ctx, await currentMeetingOf(ctx));
    const { id, rest } = takeId(ctx.args, '签到 #1');
    const meeting = await loadMeeting(ctx, id);
    if (ctx.mentions.length === 0 && !rest) return selfCheckin(ctx, meeting);
    return checkinOthers(ctx, meeting, rest);
  },
};

function checkWindow(services: Services, meeting: MeetingRow, now: Date): void {
  if (meeting.status !== 'scheduled') throw new UserError(`会议 #${meeting.id} 已取消`);
  const opens = new Date(meeting.startAt.getTime() - services.config.HUIWU_CHECKIN_OPENS.ms);
  const closes = meeting.endAt ?? new Date(meeting.startAt.getTime() + OPEN_WITHOUT_END_MS);
  const zone = services.config.HUIWU_TIMEZONE;
  if (now < opens) throw new UserError(`会议 #${meeting.id} 的签到将于 ${formatDateTime(opens, zone)} 开放`);
  if (now > closes) throw new UserError(`会议 #${meeting.id} 已于 ${formatDateTime(closes, zone)} 结束，签到已关闭`);
}

async function currentMeetingOf(ctx: CommandContext): Promise<MeetingRow> {
  const invitations = await ctx.services.db.attendee.findMany({
    where: { userId: ctx.user.id, meeting: { status: 'scheduled' } },
    include: { meeting: true },
  });
  const open = invitations.filter(({ meeting }) => {
    try {
      checkWindow(ctx.services, meeting, ctx.now);
      return true;
    } catch {
      return false;
    }
  });
  if (open.length === 1) return open[0]!.meeting;
  if (open.length === 0) throw new UserError('你现在没有可以签到的会议（签到在会议开始前开放）');
  throw new UsageError(`你有多个会议可以签到：${open.map((o) => `#${o.meeting.id} ${o.meeting.title}`).join('、')}，请写编号`);
}

async function selfCheckin(ctx: CommandContext, meeting: MeetingRow): Promise<string> {
  const attendee = await ctx.services.rsvp.attendeeFor(meeting.id, ctx.user.id);
  if (!attendee) throw new UserError(`你不在会议 #${meeting.id} 的参会名单中，请联系组织者`);
  return checkinText(ctx.services, meeting, attendee, ctx.user.id, ctx.now, '你');
}

async function checkinOthers(ctx: CommandContext, meeting: MeetingRow, names: string): Promise<string> {
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) throw new UserError(`只有会议 #${meeting.id} 的组织者可以为他人签到`);
  const targets: AttendeeRow[] = [];
  const problems: string[] = [];
  for (const user of ctx.mentions) {
    const a = await ctx.services.rsvp.attendeeFor(meeting.id, user.id);
    if (a) targets.push(a);
    else problems.push(`${user.name} 不在参会名单中`);
  }
  for (const name of names.split(/[\s,，、]+/).filter(Boolean)) {
    const found = await ctx.services.checkin.byName(meeting.id, name);
    if (found.length === 1) targets.push(found[0]!);
    else problems.push(found.length === 0 ? `名单中没有「${name}」` : `名单中有 ${found.length} 个「${name}」，请用 @ 指定`);
  }
  const lines = [];
  for (const a of targets) lines.push(await checkinText(ctx.services, meeting, a, ctx.user.id, ctx.now, a.name));
  return [...lines, ...problems.map((p) => `❌ ${p}`)].join('\n');
}

async function checkinText(services: Services, meeting: MeetingRow, attendee: AttendeeRow, by: string, now: Date, who: string): Promise<string> {
  checkWindow(services, meeting, now);
  if (attendee.response !== 'yes') await services.db.attendee.update({ where: { id: attendee.id }, data: { response: 'yes' } });
  const result = await services.checkin.checkIn(meeting, attendee, by, now);
  const at = formatDateTime(result.at, services.config.HUIWU_TIMEZONE);
  return result.already ? `ℹ️ ${who}已于 ${at} 签到过会议 #${meeting.id}，无需重复签到` : `✅ ${who}已签到会议 #${meeting.id}「${meeting.title}」（${at}）`;
}

export const checkinAction: CardActionSpec = {
  key: CHECKIN_ACTION,
  async handle({ card, user, services, now }) {
    const meeting = await services.meetings.get(Number(card.refId));
    if (!meeting) return { accepted: false, reason: '会议不存在' };
    const attendee = await services.rsvp.attendeeFor(meeting.id, user.id);
    if (!attendee) return { accepted: false, reason: '你不在该会议的参会名单中' };
    try {
      return { accepted: true, message: await checkinText(services, meeting, attendee, user.id, now, '你') };
    } catch (error) {
      if (error instanceof UserError) return { accepted: false, reason: error.message };
      throw error;
    }
  },
};
