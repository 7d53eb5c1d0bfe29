/**
 * 会议 / meeting: create, list, show, change time or venue, cancel, organizers; invitations,
 * follow-ups and text answers are in `invitations.ts`.
 */
import { describeAnswer } from '../cards/meeting-cards.js';
import { type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { formatDateTime, parseTimeRange } from '../src/time/parse-time.js';
import { invitationSubcommands, inviteAttendees, nudge, answerByText, setCutoff } from './invitations.js';
import { loadMeeting, loadOwnMeeting, matchSub, takeId } from './meeting-args.js';
import { setMeetingImportance } from './schedule.js';

const SUB = {
  create: ['新建', '创建', 'new', 'create'],
  list: ['列表', 'list', 'ls'],
  show: ['查看', '详情', 'show', 'info'],
  reschedule: ['改时间', '改期', 'reschedule', 'time'],
  venue: ['改地点', 'venue'],
  cancel: ['取消', 'cancel'],
  organizer: ['组织者', 'organizer'],
  roster: ['名单', 'roster', 'attendees'],
  importance: ['重要性', 'importance'],
  ...invitationSubcommands,
} as const;

export const meetingCommand: CommandSpec = {
  id: 'meeting',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'create':
        return createMeeting(ctx, rest);
      case 'list':
        return listMeetings(ctx);
      case 'show':
        return showMeeting(ctx, takeId(rest, '会议 查看 #1').id);
      case 'reschedule':
        return reschedule(ctx, rest);
      case 'venue':
        return changeVenue(ctx, rest);
      case 'cancel':
        return cancelMeeting(ctx, rest);
      case 'organizer':
        return addOrganizers(ctx, rest);
      case 'roster':
        return roster(ctx, rest);
      case 'importance':
        return setMeetingImportance(ctx, rest);
      case 'invite':
        return inviteAttendees(ctx, rest);
      case 'nudge':
        return nudge(ctx, rest);
      case 'answer':
        return answerByText(ctx, rest);
      case 'cutoff':
        return setCutoff(ctx, rest);
      default:
        if (/^#?\d+$/.test(ctx.args)) return showMeeting(ctx, takeId(ctx.args, '会议 #1').id);
        throw new UsageError(ctx.args ? `不认识的子命令「${ctx.args.split(' ')[0]}」` : '请写要做什么');
    }
  },
};

/** `<title> <time>[~<end>] [地点 <venue>]`, in any order of title and time. */
function parseMeetingSpec(ctx: CommandContext, text: string) {
  const venueMatch = /(?:^|\s)(?:地点|venue)[:：]?\s*(.+)$/i.exec(text);
  const venue = venueMatch?.[1]?.trim() || null;
  const withoutVenue = venueMatch ? text.slice(0, venueMatch.index).trim() : text;
  const range = parseTimeRange(withoutVenue, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
  if (!range.ok) throw new UsageError(range.message);
  return { title: range.rest.trim(), start: range.start, end: range.end, venue };
}

async function createMeeting(ctx: CommandContext, text: string): Promise<string> {
  if (ctx.conversation.type !== 'group') throw new UsageError('会议要在群聊里新建：会议属于创建它的群，实时统计也发在那里');
  if (!text) throw new UsageError('缺少会议标题和时间');
  const spec = parseMeetingSpec(ctx, text);
  if (!spec.title) throw new UsageError('缺少会议标题');
  if (spec.title.length > 60) throw new UsageError('会议标题最多 60 个字');
  const meeting = await ctx.services.meetings.create({
    title: spec.title,
    startAt: spec.start,
    endAt: spec.end,
    venue: spec.venue,
    conversationId: ctx.conversation.id,
    creatorId: ctx.user.id,
  });
  return [
    `✅ 已新建会议 #${meeting.id}「${meeting.title}」`,
    `时间：${ctx.services.meetings.timeText(meeting)}`,
    `地点：${meeting.venue ?? '待定'}`,
    `组织者：${ctx.user.name}`,
    `下一步：会议 邀请 #${meeting.id} @参会人 或 会议 邀请 #${meeting.id} 部门 <部门名>`,
  ].join('\n');
}

async function listMeetings(ctx: CommandContext): Promise<string> {
  const list = await ctx.services.meetings.listForConversation(ctx.conversation.id, ctx.now);
  if (list.length === 0) return '本群暂无即将举行的会议。新建：会议 新建 <标题> <时间> [地点 <地点>]';
  const lines = await Promise.all(
    list.map(async (m) => {
      const stats = await ctx.services.meetingStats.compute(m.id, ctx.now);
      return `#${m.id} ${m.title} · ${ctx.services.meetings.timeText(m)} · ${m.venue ?? '地点待定'} · 参加 ${stats.yes}/${stats.invited}`;
    }),
  );
  return `本群会议（${list.length}）：\n${lines.join('\n')}`;
}

async function showMeeting(ctx: CommandContext, id: number): Promise<string> {
  const meeting = await loadMeeting(ctx, id);
  const view = await ctx.services.meetings.view(meeting);
  const stats = await ctx.services.meetingStats.compute(meeting.id, ctx.now);
  const lines = [
    `会议 #${meeting.id}「${meeting.title}」${meeting.status === 'cancelled' ? '（已取消）' : ''}`,
    `时间：${view.time}`,
    `地点：${view.venue ?? '待定'}`,
    `组织者：${view.organizers}`,
    `回复截止：${formatDateTime(ctx.services.meetings.cutoff(meeting), ctx.services.config.HUIWU_TIMEZONE)}`,
    `邀请 ${stats.invited} · 参加 ${stats.yes} · 不参加 ${stats.no} · 待定 ${stats.maybe} · 未回复 ${stats.pending} · 已签到 ${stats.arrived}`,
  ];
  const own = await ctx.services.rsvp.attendeeFor(meeting.id, ctx.user.id);
  if (own) lines.push(`你的回复：${own.response === 'pending' ? '未回复' : describeAnswer(own)}`);
  return lines.join('\n');
}

async function reschedule(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '会议 改时间 #1 明天下午4点~6点');
  const meeting = await loadOwnMeeting(ctx, id, '改时间');
  if (!rest) throw new UsageError('缺少新的时间');
  const range = parseTimeRange(rest, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
  if (!range.ok) throw new UsageError(range.message);
  const end = range.end ?? keepDuration(meeting, range.start);
  const updated = await ctx.services.meetings.reschedule(meeting, range.start, end);
  return `🕒 会议 #${id} 时间已改为 ${ctx.services.meetings.timeText(updated)}，已通知确认参加的人，提醒与催办已按新时间重排。`;
}

/** Moving only the start keeps the meeting's length. */
function keepDuration(meeting: MeetingRow, start: Date): Date | null {
  return meeting.endAt ? new Date(start.getTime() + (meeting.endAt.getTime() - meeting.startAt.getTime())) : null;
}

async function changeVenue(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '会议 改地点 #1 二号会议室');
  const meeting = await loadOwnMeeting(ctx, id, '改地点');
  if (!rest) throw new UsageError('缺少新的地点');
  await ctx.services.meetings.changeVenue(meeting, rest);
  return `📍 会议 #${id} 地点已改为 ${rest}，已通知确认参加的人。`;
}

async function cancelMeeting(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, '会议 取消 #1');
  const meeting = await loadOwnMeeting(ctx, id, '取消会议');
  await ctx.services.meetings.cancel(meeting);
  return `🚫 会议 #${id}「${meeting.title}」已取消，已通知确认参加的人，相关提醒已撤销。`;
}

async function addOrganizers(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, '会议 组织者 #1 @赵磊');
  const meeting = await loadOwnMeeting(ctx, id, '添加组织者');
  if (ctx.mentions.length === 0) throw new UsageError('请 @ 要添加的组织者');
  const updated = await ctx.services.meetings.addOrganizers(meeting, ctx.mentions.map((m) => m.id));
  const view = await ctx.services.meetings.view(updated);
  return `✅ 会议 #${id} 组织者：${view.organizers}`;
}

/** The attendee list in chat, for organizers; personal data is always masked here. */
async function roster(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, '会议 名单 #1');
  const meeting = await loadMeeting(ctx, id);
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) throw new UserError(`只有会议 #${id} 的组织者可以查看名单`);
  const rows = await ctx.services.db.attendee.findMany({ where: { meetingId: id }, orderBy: { id: 'asc' }, take: 200 });
  if (rows.length === 0) return `会议 #${id} 还没有邀请任何人`;
  const lines = rows.map((r) => {
    const p = ctx.services.attendeeExport.personal(r, false);
    const extra = [p.phone && `手机 ${p.phone}`, p.idNumber && `身份证 ${p.idNumber}`].filter(Boolean).join(' ');
    return `${r.name}${r.department ? `（${r.department}）` : ''} · ${r.response === 'pending' ? '未回复' : describeAnswer(r)}${r.checkedInAt ? ' · 已签到' : ''}${extra ? ` · ${extra}` : ''}`;
  });
  const more = rows.length === 200 ? '\n（只显示前 200 人，完整名单请用导出）' : '';
  return `会议 #${id} 名单（${rows.length}）：\n${lines.join('\n')}${more}`;
}
