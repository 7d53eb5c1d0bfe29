/**
 * 会议 / meeting: create, list, show, change time or venue, cancel, organizers; invitations,
 * follow-ups and text answers are in `invitations.ts`.
 */
import { describeAnswer, laneRatesText, organizersText, stateOf, venueText } from '../cards/meeting-cards.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { parseTimeRange } from '../src/time/parse-time.js';
import { invitationSubcommands, inviteAttendees, nudge, answerByText, setCutoff } from './invitations.js';
import { loadMeeting, loadOwnMeeting, matchSub, takeId, takeTrailingOption, trimSeparators } from './meeting-args.js';
import { timeOptions } from './args.js';
import { setMeetingImportance } from './schedule.js';
import { closeMeeting } from './closeout.js';
import { meetingAttachments } from './attachments.js';
import { meetingArchive, meetingReview } from './archive.js';
import type { Capability } from '../src/capability.js';
import { AdmissionCodes } from '../src/services/admission-codes.js';
import { AttendeeExport } from '../src/services/attendee-export.js';
import { AttendeeImport } from '../src/services/attendee-import.js';
import { MeetingStatsService } from '../src/services/meeting-stats.js';
import { MeetingService } from '../src/services/meetings.js';
import { RsvpService } from '../src/services/rsvp.js';
import { rsvpActions } from './invitations.js';

const SUB = {
  create: words('meeting.words.create'),
  list: words('meeting.words.list'),
  show: words('meeting.words.show'),
  reschedule: words('meeting.words.reschedule'),
  venue: words('meeting.words.venue'),
  cancel: words('meeting.words.cancel'),
  organizer: words('meeting.words.organizer'),
  roster: words('meeting.words.roster'),
  importance: words('meeting.words.importance'),
  close: words('meeting.words.close'),
  attach: words('meeting.words.attach'),
  archive: words('meeting.words.archive'),
  review: words('meeting.words.review'),
  ...invitationSubcommands,
};
const MAX_TITLE = 60;
const ROSTER_LIMIT = 200;

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
        return showMeeting(ctx, takeId(rest, 'meeting.example.show').id);
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
      case 'close':
        return closeMeeting(ctx, rest);
      case 'attach':
        return meetingAttachments(ctx, rest);
      case 'archive':
        return meetingArchive(ctx, rest);
      case 'review':
        return meetingReview(ctx, rest);
      case 'invite':
        return inviteAttendees(ctx, rest);
      case 'nudge':
        return nudge(ctx, rest);
      case 'answer':
        return answerByText(ctx, rest);
      case 'cutoff':
        return setCutoff(ctx, rest);
      default:
        if (/^#?\d+$/.test(ctx.args)) return showMeeting(ctx, takeId(ctx.args, 'meeting.example.bare').id);
        if (!ctx.args) throw new UsageError('E_MEETING_MISSING_SUB');
        throw new UsageError('E_MEETING_UNKNOWN_SUB', { word: ctx.args.split(' ')[0] });
    }
  },
};

/** `<title> <time>[~<end>] [地点 <venue>]`, in any order of title and time. */
function parseMeetingSpec(ctx: CommandContext, text: string) {
  const venue = takeTrailingOption(text, 'meeting.words.venueOption');
  const range = parseTimeRange(venue ? venue.before : text, timeOptions(ctx));
  if (!range.ok) throw new UsageError(range.code, range.params);
  return { title: trimSeparators(range.rest.trim()), start: range.start, end: range.end, venue: venue?.value || null };
}

async function createMeeting(ctx: CommandContext, text: string): Promise<string> {
  if (ctx.conversation.type !== 'group') throw new UsageError('E_MEETING_GROUP_ONLY');
  if (!text) throw new UsageError('E_MEETING_MISSING_SPEC');
  const spec = parseMeetingSpec(ctx, text);
  if (!spec.title) throw new UsageError('E_MEETING_MISSING_TITLE');
  if (spec.title.length > MAX_TITLE) throw new UsageError('E_MEETING_TITLE_TOO_LONG', { max: MAX_TITLE });
  const meeting = await ctx.services.meetings.create({
    title: spec.title,
    startAt: spec.start,
    endAt: spec.end,
    venue: spec.venue,
    conversationId: ctx.conversation.id,
    creatorId: ctx.user.id,
  });
  return ctx.t.t('meeting.created', {
    id: meeting.id,
    title: meeting.title,
    time: ctx.services.meetings.timeText(meeting),
    venue: venueText(ctx.t, meeting.venue),
    organizer: ctx.user.name,
  });
}

async function listMeetings(ctx: CommandContext): Promise<string> {
  const { t } = ctx;
  const list = await ctx.services.meetings.listForConversation(ctx.conversation.id, ctx.now);
  if (list.length === 0) return t.t('meeting.listEmpty');
  const lines = await Promise.all(
    list.map(async (m) => {
      const stats = await ctx.services.meetingStats.compute(m.id, ctx.now);
      const venue = m.venue ?? t.t('meeting.listVenueTbd');
      return t.t('meeting.listLine', { id: m.id, title: m.title, time: ctx.services.meetings.timeText(m), venue, yes: stats.yes, invited: stats.invited });
    }),
  );
  return t.t('meeting.list', { count: list.length, lines: lines.join('\n') });
}

async function showMeeting(ctx: CommandContext, id: number): Promise<string> {
  const { t } = ctx;
  const meeting = await loadMeeting(ctx, id);
  const view = await ctx.services.meetings.view(meeting);
  const stats = await ctx.services.meetingStats.compute(meeting.id, ctx.now);
  const text = t.t('meeting.show', {
    id: meeting.id,
    title: meeting.title,
    cancelled: meeting.status === 'cancelled' ? t.t('meeting.cancelledMark') : '',
    time: view.time,
    venue: venueText(t, view.venue),
    organizers: organizersText(t, view.organizers),
    cutoff: ctx.services.meetings.cutoff(meeting),
    counts: t.t('meeting.counts', {
      invited: stats.invited,
      yes: stats.yes,
      no: stats.no,
      maybe: stats.maybe,
      pending: stats.pending,
      guests: stats.noAccount > 0 ? t.t('meeting.card.status.noAccount', { count: stats.noAccount }) : '',
      arrived: stats.arrived,
    }),
  });
  const lanes = stats.lanes?.length ? [t.t('meeting.showLanes', { lanes: laneRatesText(t, stats.lanes, ctx.services.config.HUIWU_CHECKIN_TARGET_PER_MINUTE) })] : [];
  const own = await ctx.services.rsvp.attendeeFor(meeting.id, ctx.user.id);
  return [text, ...lanes, ...(own ? [t.t('meeting.ownAnswer', { answer: describeAnswer(t, own) })] : [])].join('\n');
}

async function reschedule(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, 'meeting.example.reschedule');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.reschedule');
  if (!rest) throw new UsageError('E_MEETING_MISSING_TIME');
  const range = parseTimeRange(rest, timeOptions(ctx));
  if (!range.ok) throw new UsageError(range.code, range.params);
  const end = range.end ?? keepDuration(meeting, range.start);
  const { meeting: updated, notified } = await ctx.services.meetings.reschedule(meeting, range.start, end);
  return ctx.t.t('meeting.rescheduled', { id, time: ctx.services.meetings.timeText(updated), count: notified });
}

/** Moving only the start keeps the meeting's length. */
function keepDuration(meeting: MeetingRow, start: Date): Date | null {
  return meeting.endAt ? new Date(start.getTime() + (meeting.endAt.getTime() - meeting.startAt.getTime())) : null;
}

async function changeVenue(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, 'meeting.example.venue');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.venue');
  // `会议 改地点 #1 地点：三号厅`: the option word is optional here.
  const option = takeTrailingOption(rest, 'meeting.words.venueOption');
  const venue = option && !option.before ? option.value : rest;
  if (!venue) throw new UsageError('E_MEETING_MISSING_VENUE');
  const { notified } = await ctx.services.meetings.changeVenue(meeting, venue);
  return ctx.t.t('meeting.venueChanged', { id, venue, count: notified });
}

async function cancelMeeting(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, 'meeting.example.cancel');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.cancel');
  const notified = await ctx.services.meetings.cancel(meeting);
  return ctx.t.t('meeting.cancelled', { id, title: meeting.title, count: notified });
}

async function addOrganizers(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, 'meeting.example.organizer');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.organizer');
  if (ctx.mentions.length === 0) throw new UsageError('E_MEETING_MISSING_ORGANIZERS');
  const updated = await ctx.services.meetings.addOrganizers(meeting, ctx.mentions.map((m) => m.id));
  return ctx.t.t('meeting.organizers', { id, organizers: await ctx.services.meetings.organizerNames(updated, ctx.t) });
}

/** The attendee list in chat, for organizers; personal data is always masked here. */
async function roster(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id } = takeId(args, 'meeting.example.roster');
  const meeting = await loadMeeting(ctx, id);
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) throw new UserError('E_MEETING_ROSTER_ORGANIZER_ONLY', { id });
  const rows = await ctx.services.rsvp.roster(id, ROSTER_LIMIT);
  if (rows.length === 0) return t.t('meeting.rosterEmpty', { id });
  const recorders = await ctx.services.directory.usersByIds([...new Set(rows.flatMap((r) => (r.answeredBy ? [r.answeredBy] : [])))]);
  const recorderName = new Map(recorders.map((u) => [u.id, u.name]));
  const lines = rows.map((r) => {
    const p = ctx.services.attendeeExport.personal(r, false);
    const parts = [`${r.name}${r.department ? t.t('meeting.rosterDepartment', { department: r.department }) : ''}`, describeAnswer(t, { ...r, response: stateOf(r) })];
    if (r.answeredBy) parts.push(t.t('meeting.answer.recordedBy', { name: recorderName.get(r.answeredBy) ?? r.answeredBy }));
    if (r.checkedInAt) parts.push(t.t('meeting.rosterCheckedIn'));
    const personal = [p.phone && t.t('meeting.rosterPhone', { phone: p.phone }), p.idNumber && t.t('meeting.rosterIdNumber', { idNumber: p.idNumber })].filter(Boolean);
    if (personal.length > 0) parts.push(personal.join(' '));
    return parts.join(' · ');
  });
  const more = rows.length === ROSTER_LIMIT ? t.t('meeting.rosterMore', { max: ROSTER_LIMIT }) : '';
  return t.t('meeting.roster', { id, count: rows.length, lines: lines.join('\n'), more });
}

/** Meetings and invitations: the meeting, RSVP and attendee services, the command, the answer cards and the jobs before a meeting. */
export const meetings: Capability = {
  name: 'meetings',
  services: (s) => {
    const meetingStats = new MeetingStatsService(s.db);
    const meetings = new MeetingService(s.db, s.events, s.scheduler, s.cards, s.outbox, s.directory, meetingStats, s.locales, s.config);
    // Admission codes ride on the confirmation card's own update (one card update per answer).
    const admission = new AdmissionCodes(s.db, s.events, meetings, s.cards, s.media, s.admissionKey);
    const rsvp = new RsvpService(s.db, s.events, meetings, s.cards, s.outbox, s.scheduler, s.locales, s.config, admission);
    return {
      meetingStats,
      meetings,
      admission,
      rsvp,
      attendeeImport: new AttendeeImport(s.db, s.directory, rsvp, s.pii),
      attendeeExport: new AttendeeExport(s.db, meetingStats, s.pii),
    };
  },
  commands: [meetingCommand],
  cardActions: rsvpActions,
  jobs: {
    'meeting.followup': async (s, data, job) => {
      const offset = s.config.HUIWU_RSVP_FOLLOWUPS.find((o) => o.key === data.offset);
      const meeting = offset && (await s.meetings.stillDue(data.meetingId, offset.ms, job.processedOn ?? Date.now()));
      if (!meeting) return 'skipped';
      return `followed up ${await s.rsvp.followUp(meeting, `${data.offset}-${meeting.startAt.getTime()}`)}`;
    },
    'meeting.remind': async (s, data, job) => {
      const offset = s.config.HUIWU_MEETING_REMINDERS.find((o) => o.key === data.offset);
      const meeting = offset && (await s.meetings.stillDue(data.meetingId, offset.ms, job.processedOn ?? Date.now()));
      if (!meeting) return 'skipped';
      return `reminded ${await s.rsvp.remindConfirmed(meeting, `${data.offset}-${meeting.startAt.getTime()}`)}`;
    },
    'meeting.status': async (s, data) => {
      await s.meetings.refreshStatusNow(data.meetingId);
      return 'refreshed';
    },
    'fanout.progress': async (s, data) => {
      const { sent, failed } = await s.rsvp.progress(data);
      return `sent ${sent} failed ${failed}`;
    },
  },
};
