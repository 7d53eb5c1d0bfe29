/**
 * 签到 / checkin: attendees check themselves in (command or check-in card), organizers check
 * someone in by @mention or by name. Open from the check-in opening until the meeting ends.
 */
import { CHECKIN_ACTION } from '../cards/meeting-cards.js';
import type { Translator } from '../src/i18n/translator.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, type Msg, UserError, UsageError, msg } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import type { HandlerServices } from '../src/services/services.js';
import type { AttendeeRow } from '../src/services/rsvp.js';
import { loadMeeting, matchSub, splitArgs, takeId } from './meeting-args.js';
import { doorSubs, handleDoor } from './door.js';
import type { Capability } from '../src/capability.js';
import { CheckinService } from '../src/services/checkin.js';

export const checkinCommand: CommandSpec = {
  id: 'checkin',
  async handle(ctx) {
    if (!ctx.args) return selfCheckin(ctx, await currentMeetingOf(ctx));
    // The door's sub-commands: 重发 / 通道 / 扫码 / 来宾 (handlers/door.ts).
    const door = matchSub(ctx.args, doorSubs());
    if (door.sub) return handleDoor(ctx, door.sub, door.rest);
    const { id, rest } = takeId(ctx.args, 'checkin.example');
    const meeting = await loadMeeting(ctx, id);
    if (ctx.mentions.length === 0 && !rest) return selfCheckin(ctx, meeting);
    return checkinOthers(ctx, meeting, rest);
  },
};

async function currentMeetingOf(ctx: CommandContext): Promise<MeetingRow> {
  const open = await ctx.services.checkin.openMeetingsOf(ctx.user.id, ctx.now);
  if (open.length === 1) return open[0]!;
  if (open.length === 0) throw new UserError('E_CHECKIN_NONE_OPEN');
  throw new UsageError('E_CHECKIN_SEVERAL_OPEN', { meetings: ctx.t.list(open.map((m) => `#${m.id} ${m.title}`)) });
}

async function selfCheckin(ctx: CommandContext, meeting: MeetingRow): Promise<string> {
  const attendee = await ctx.services.rsvp.attendeeFor(meeting.id, ctx.user.id);
  if (!attendee) throw new UserError('E_CHECKIN_NOT_ATTENDEE', { id: meeting.id });
  return checkinText(ctx.services, ctx.t, meeting, attendee, ctx.user.id, ctx.now, msg('checkin.you'));
}

/** At most this many names and @mentions in one command: one reply line each. */
const MAX_PER_COMMAND = 50;

async function checkinOthers(ctx: CommandContext, meeting: MeetingRow, text: string): Promise<string> {
  const { t } = ctx;
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) throw new UserError('E_CHECKIN_ORGANIZER_ONLY', { id: meeting.id });
  const typed = splitArgs(text);
  if (typed.length + ctx.mentions.length > MAX_PER_COMMAND) {
    throw new UserError('E_CHECKIN_TOO_MANY', { max: MAX_PER_COMMAND, count: typed.length + ctx.mentions.length });
  }
  ctx.services.checkin.checkWindow(meeting, ctx.now);
  const whole = text.trim();
  const mentioned = [...new Map(ctx.mentions.map((m) => [m.id, m])).values()];
  // One query for every name and mention; a name with a space (`外宾 Lee`) is one name when the list has it.
  const found = await ctx.services.checkin.find(meeting.id, [...new Set([whole, ...typed])], mentioned.map((m) => m.id));
  const named = (name: string) => found.filter((a) => a.name === name);
  const names = whole && named(whole).length === 1 ? [whole] : [...new Set(typed)];

  const targets = new Map<number, AttendeeRow>();
  const problems: string[] = [];
  for (const user of mentioned) {
    const a = found.find((f) => f.userId === user.id);
    if (a) targets.set(a.id, a);
    else problems.push(t.t('checkin.problem.notListed', { name: user.name }));
  }
  for (const name of names) {
    const matches = named(name);
    if (matches.length === 1) targets.set(matches[0]!.id, matches[0]!);
    else problems.push(t.t(matches.length === 0 ? 'checkin.problem.noSuchName' : 'checkin.problem.sameName', { name, count: matches.length }));
  }
  const lines = [];
  for (const a of targets.values()) lines.push(await checkinText(ctx.services, t, meeting, a, ctx.user.id, ctx.now, a.name));
  return [...lines, ...problems.map((p) => t.t('checkin.problem.line', { problem: p }))].join('\n');
}

async function checkinText(services: HandlerServices, t: Translator, meeting: MeetingRow, attendee: AttendeeRow, by: string, now: Date, who: string | Msg): Promise<string> {
  services.checkin.checkWindow(meeting, now);
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

/** Check-in: its service, command and card, and the job that opens check-in before a meeting. */
export const checkin: Capability = {
  name: 'checkin',
  services: (s) => ({ checkin: new CheckinService(s.db, s.events, s.meetings, s.cards, s.locales, s.admission) }),
  commands: [checkinCommand],
  cardActions: [checkinAction],
  jobs: {
    'meeting.checkin-open': async (s, data, job) => {
      const meeting = await s.meetings.stillDue(data.meetingId, s.config.HUIWU_CHECKIN_OPENS.ms, job.processedOn ?? Date.now());
      if (!meeting) return 'skipped';
      return `check-in cards ${await s.checkin.openCheckin(meeting)}`;
    },
  },
};
