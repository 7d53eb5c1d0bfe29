/**
 * Invitations and answers: 会议 邀请 / 催办 / 回复 / 截止, and the confirmation card's buttons
 * (参加 / 不参加 / 待定 with dietary, accommodation and note fields).
 */
import { RSVP_ACTIONS, describeAnswer } from '../cards/meeting-cards.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CardActionSpec, type CommandContext, UsageError, UserError } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { AnswerInput, AttendeeRow } from '../src/services/rsvp.js';
import { parseTime } from '../src/time/parse-time.js';
import { loadMeeting, loadOwnMeeting, splitArgs, takeId, takeTrailingOption, trimSeparators } from './meeting-args.js';
import { timeOptions } from './args.js';

export const invitationSubcommands = {
  invite: words('meeting.words.invite'),
  nudge: words('meeting.words.nudge'),
  answer: words('meeting.words.answer'),
  cutoff: words('meeting.words.cutoff'),
};

const DEPARTMENT_WORDS = words('meeting.words.department');
/** Names listed in full in the reply; beyond that, a count. */
const NAMES_SHOWN = 10;

export async function inviteAttendees(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'meeting.example.invite');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.invite');
  let people: UserRecord[] = ctx.mentions;
  const [word, ...departments] = splitArgs(rest);
  if (word && DEPARTMENT_WORDS.includes(word.toLowerCase())) {
    if (departments.length === 0) throw new UsageError('E_MEETING_DEPARTMENT_MISSING');
    const members = await ctx.services.directory.usersInDepartments(ctx.user.platform, departments);
    const unknown = departments.filter((d) => !members.some((u) => u.department === d));
    if (unknown.length > 0) throw new UserError('E_MEETING_DEPARTMENT_UNKNOWN', { departments: t.list(unknown) });
    people = [...people, ...members];
  }
  if (people.length === 0) throw new UsageError('E_MEETING_INVITE_MISSING');
  const unique = [...new Map(people.map((p) => [p.id, p])).values()];
  const { added, existing } = await ctx.services.rsvp.invite(meeting, unique, ctx.user.id);
  const listed = added.length <= NAMES_SHOWN ? t.t('meeting.invitedNames', { names: t.list(added.map((a) => a.name)) }) : '';
  const lines = [t.t('meeting.invited', { id, count: added.length, names: listed })];
  if (existing.length > 0) {
    const more = existing.length > NAMES_SHOWN ? t.t('meeting.invitedExistingMore', { count: existing.length }) : '';
    lines.push(t.t('meeting.invitedExisting', { names: t.list(existing.slice(0, NAMES_SHOWN)), more }));
  }
  if (added.length > 0) lines.push(t.t('meeting.invitedCardsSent'));
  return lines.join('\n');
}

export async function nudge(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, 'meeting.example.nudge');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.nudge');
  const count = await ctx.services.rsvp.followUp(meeting, `manual-${ctx.event.eventId}`);
  return count === 0 ? ctx.t.t('meeting.nudgedNone', { id }) : ctx.t.t('meeting.nudged', { count });
}

export async function setCutoff(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, 'meeting.example.cutoff');
  const meeting = await loadOwnMeeting(ctx, id, 'meeting.action.cutoff');
  const parsed = parseTime(rest, timeOptions(ctx));
  if (!parsed.ok) throw new UsageError(parsed.code, parsed.params);
  if (parsed.kind !== 'once') throw new UsageError('E_MEETING_CUTOFF_RECURRING');
  if (parsed.at > meeting.startAt) throw new UsageError('E_MEETING_CUTOFF_AFTER_START');
  await ctx.services.meetings.setCutoff(meeting, parsed.at);
  return ctx.t.t('meeting.cutoffSet', { id, cutoff: parsed.at });
}

/** Input words of a text answer, each a catalogue word list. */
const ANSWER_WORDS = {
  yes: words('meeting.words.yes'),
  no: words('meeting.words.no'),
  maybe: words('meeting.words.maybe'),
  none: words('meeting.words.dietaryNone'),
  vegetarian: words('meeting.words.vegetarian'),
  halal: words('meeting.words.halal'),
  other: words('meeting.words.allergy'),
  rooms: words('meeting.words.rooms'),
  noRooms: words('meeting.words.noRooms'),
  nights: words('meeting.words.nights'),
};
type AnswerWord = keyof typeof ANSWER_WORDS;

function kindOf(word: string): AnswerWord | null {
  const lower = word.toLowerCase();
  return (Object.keys(ANSWER_WORDS) as AnswerWord[]).find((k) => ANSWER_WORDS[k].includes(lower)) ?? null;
}

/**
 * The nights after a rooms word: `2晚`, `2 晚`, `2 nights`, or nothing (one night). `glued` is what
 * followed the rooms word in the same token (`住宿2晚`); a separate number token is consumed.
 */
function takeNights(glued: string, tokens: string[]): string | undefined {
  const text = glued || (/^\d/.test(tokens[0] ?? '') ? tokens.shift()! : '');
  if (!text) return undefined;
  const m = /^(\d+)(.*)$/.exec(text);
  if (!m || (m[2] && kindOf(m[2]) !== 'nights')) throw new UsageError('E_RSVP_UNKNOWN_WORD', { word: text });
  if (!m[2] && tokens[0] && kindOf(tokens[0]) === 'nights') tokens.shift();
  return m[1];
}

/**
 * `参加 素食 住宿2晚 备注 晚到` / `yes vegetarian rooms 2 nights note arriving late`: the text
 * fallback of the confirmation card.
 */
export function parseAnswer(text: string): AnswerInput {
  // The note is free text (it may hold separators): taken whole before the rest is split.
  const note = takeTrailingOption(text, 'meeting.words.note');
  const tokens = splitArgs(note ? note.before : text);
  const response = kindOf(tokens.shift() ?? '');
  if (response !== 'yes' && response !== 'no' && response !== 'maybe') throw new UsageError('E_RSVP_MISSING_RESPONSE');
  const input: AnswerInput = { response };
  while (tokens.length > 0) {
    const token = tokens.shift()!;
    const kind = kindOf(token);
    const roomsGlued = kind ? undefined : ANSWER_WORDS.rooms.find((w) => token.toLowerCase().startsWith(w));
    if (kind === 'none' || kind === 'vegetarian' || kind === 'halal' || kind === 'other') {
      input.dietary = kind;
      if (kind === 'other') input.dietaryNote = tokens.shift();
    } else if (kind === 'rooms' || roomsGlued) {
      input.accommodation = 'yes';
      const nights = takeNights(roomsGlued ? token.slice(roomsGlued.length) : '', tokens);
      if (nights !== undefined) input.nights = nights;
    } else if (kind === 'noRooms' || (kind === 'no' && tokens[0] && kindOf(tokens[0]) === 'rooms')) {
      if (kind === 'no') tokens.shift();
      input.accommodation = 'no';
    } else {
      throw new UsageError('E_RSVP_UNKNOWN_WORD', { word: token });
    }
  }
  if (note) input.note = note.value;
  return input;
}

/** `外宾 Smith 参加 素食`: the name typed before the answer word, if any, and the answer. */
function splitName(text: string): { name: string | null; answer: string } {
  for (const m of text.matchAll(/[^\s,，、;；:：]+/g)) {
    const kind = kindOf(m[0]);
    if (kind === 'yes' || kind === 'no' || kind === 'maybe') {
      return m.index === 0 ? { name: null, answer: text } : { name: trimSeparators(text.slice(0, m.index).trim()), answer: text.slice(m.index) };
    }
  }
  return { name: null, answer: text };
}

/** Whose answer a command records: @someone, a name on the list (guests without an account), or the requester. */
async function answerTarget(ctx: CommandContext, meetingId: number, name: string | null): Promise<AttendeeRow | null> {
  if (ctx.mentions.length > 1) throw new UsageError('E_RSVP_ONE_PERSON');
  const other = ctx.mentions.find((m) => m.id !== ctx.user.id);
  if (other) {
    const attendee = await ctx.services.rsvp.attendeeFor(meetingId, other.id);
    if (!attendee) throw new UserError('E_RSVP_PERSON_NOT_INVITED', { name: other.name, id: meetingId });
    return attendee;
  }
  if (name) {
    const found = await ctx.services.checkin.byName(meetingId, name);
    if (found.length === 0) throw new UserError('E_RSVP_NAME_NOT_FOUND', { name, id: meetingId });
    if (found.length > 1) throw new UserError('E_RSVP_NAME_AMBIGUOUS', { name, id: meetingId, count: found.length });
    return found[0]!;
  }
  return null;
}

/**
 * `会议 回复 #1 参加 …` answers for oneself; `会议 回复 #1 @某人 参加 …` or `会议 回复 #1 黄敏 参加 …`
 * records someone else's answer (organizers only, also after the cut-off; by name for imported
 * guests without a chat account).
 */
export async function answerByText(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, 'meeting.example.answer');
  const meeting = await loadMeeting(ctx, id);
  const { name, answer: answerText } = splitName(rest);
  const target = await answerTarget(ctx, id, name);
  const input = parseAnswer(answerText);
  if (target && target.userId !== ctx.user.id) {
    const answer = await ctx.services.rsvp.answer(meeting, target, input, ctx.now, ctx.t, ctx.user);
    return ctx.t.t('meeting.answeredFor', { name: target.name, id, answer: describeAnswer(ctx.t, answer) });
  }
  const attendee = target ?? (await ctx.services.rsvp.attendeeFor(id, ctx.user.id));
  if (!attendee) throw new UserError('E_RSVP_NOT_INVITED', { id });
  const answer = await ctx.services.rsvp.answer(meeting, attendee, input, ctx.now, ctx.t);
  return ctx.t.t('meeting.answered', { id, answer: describeAnswer(ctx.t, answer) });
}

function rsvpAction(key: string, response: AnswerInput['response']): CardActionSpec {
  return {
    key,
    async handle({ card, user, event, services, now, t }) {
      const meeting = await services.meetings.get(Number(card.refId));
      if (!meeting) throw new UserError('E_MEETING_GONE');
      const attendee = await services.rsvp.attendeeFor(meeting.id, user.id);
      if (!attendee) throw new UserError('E_RSVP_CARD_NOT_INVITED');
      const v = event.values;
      const answer = await services.rsvp.answer(
        meeting,
        attendee,
        { response, dietary: v.dietary, dietaryNote: v.dietaryNote, accommodation: v.accommodation, nights: v.nights, note: v.note },
        now,
        t,
      );
      return { accepted: true, message: t.t('meeting.answeredCard', { answer: describeAnswer(t, answer) }) };
    },
  };
}

export const rsvpActions: CardActionSpec[] = [
  rsvpAction(RSVP_ACTIONS.yes, 'yes'),
  rsvpAction(RSVP_ACTIONS.no, 'no'),
  rsvpAction(RSVP_ACTIONS.maybe, 'maybe'),
];
