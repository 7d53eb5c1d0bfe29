/**
 * 签到 / checkin: attendees check themselves in (command or check-in card), organizers check
 * someone in by @mention or by name. Open from the check-in opening until the meeting ends.
 */
import { CHECKIN_ACTION } from '../cards/meeting-cards.js';
import type { Translator } from '../src/i18n/translator.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, type Msg, UserError, UsageError, msg } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import type { Services } from '../src/services/services.js';
import type { AttendeeRow } from '../src/services/rsvp.js';
import { loadMeeting, splitArgs, takeId } from './meeting-args.js';

export const checkinCommand: CommandSpec = {
  id: 'checkin',
  async handle(ctx) {
    if (!ctx.args) return selfCheckin(ctx, await currentMeetingOf(ctx));
    const { id, rest } = takeId(ctx.args, 'checkin.example');
    const meeting = await loadMeeting(ctx, id);
    if (ctx.mentions.length === 0 && !rest) return selfCheckin(ctx, meeting);
    return checkinOthers(ctx, meeting, rest);
  },
};

async function currentMeetingOf(ctx: CommandContext): Promise<MeetingRow> {
  const invitations = await ctx.services.db.attendee.findMany({
    where: { userId: ctx.user.id, meeting: { status: 'scheduled' } },
    include: { meeting: true },
  });
  const open = invitations.filter(({ meeting }) => ctx.services.checkin.isOpen(meeting, ctx.now));
  if (open.length === 1) return open[0]!.meeting;
  if (open.length === 0) throw new UserError('E_CHECKIN_NONE_OPEN');
  throw new UsageError('E_CHECKIN_SEVERAL_OPEN', { meetings: ctx.t.list(open.map((o) => `#${o.meeting.id} ${o.meeting.title}`)) });
}

async function selfCheckin(ctx: CommandContext, meeting: MeetingRow): Promise<string> {
  const attendee = await ctx.services.rsvp.attendeeFor(meeting.id, ctx.user.id);
  if (!attendee) throw new UserError('E_CHECKIN_NOT_ATTENDEE', { id: meeting.id });
  return checkinText(ctx.services, ctx.t, meeting, attendee, ctx.user.id, ctx.now, msg('checkin.you'));
}

async function checkinOthers(ctx: CommandContext, meeting: MeetingRow, names: string): Promise<string> {
  const { t } = ctx;
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) throw new UserError('E_CHECKIN_ORGANIZER_ONLY', { id: meeting.id });
  const targets: AttendeeRow[] = [];
  const problems: string[] = [];
  for (const user of ctx.mentions) {
    const a = await ctx.services.rsvp.attendeeFor(meeting.id, user.id);
    if (a) targets.push(a);
    else problems.push(t.t('checkin.problem.notListed', { name: user.name }));
  }
  // A name with a space (`外宾 Lee`) is one name when the list has it; otherwise names are separate.
  const whole = names.trim() ? await ctx.services.checkin.byName(meeting.id, names.trim()) : [];
  for (const name of whole.length === 1 ? [names.trim()] : splitArgs(names)) {
    const found = await ctx.services.checkin.byName(meeting.id, name);
    if (found.length === 1) targets.push(found[0]!);
    else problems.push(t.t(found.length === 0 ? 'checkin.problem.noSuchName' : 'checkin.problem.sameName', { name, count: found.length }));
  }
  const lines = [];
  for (const a of targets) lines.push(await checkinText(ctx.services, t, meeting, a, ctx.user.id, ctx.now, a.name));
  return [...lines, ...problems.map((p) => t.t('checkin.problem.line', { problem: p }))].join('\n');
}

async function checkinText(services: Services, t: Translator, meeting: MeetingRow, attendee: AttendeeRow, by: string, now: Date, who: string | Msg): Promise<string> {
  services.checkin.checkWindow(meeting, now);
  if (attendee.response !== 'yes') await services.db.attendee.update({ where: { id: attendee.id }, data: { response: 'yes' } });
  const result = await services.checkin.checkIn(meeting, attendee, by, now);
  return result.already
    ? t.t('checkin.already', { who, at: result.at, id: meeting.id })
    : t.t('checkin.done', { who, id: meeting.id, title: meeting.title, at: result.at });
}

export const checkinAction: CardActionSpec = {
  key: CHECKIN_ACTION,
  async handle({ card, user, services, now, t }) {
    const meeting = await services.meetings.get(Number(card.refId));
    if (!meeting) throw new UserError('E_MEETING_GONE');
    const attendee = await services.rsvp.attendeeFor(meeting.id, user.id);
    if (!attendee) throw new UserError('E_CHECKIN_CARD_NOT_ATTENDEE');
    return { accepted: true, message: await checkinText(services, t, meeting, attendee, user.id, now, msg('checkin.you')) };
  },
};
