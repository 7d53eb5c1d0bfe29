/**
 * 我的信息 / my info (one-to-one chat): the attendee's own record across meetings, with
 * `饮食 <素食|清真|过敏 说明|无>` to correct the meal needs that pre-fill invitations and `删除` to
 * delete what no meeting requires.
 */
import { DIETARY, dietaryLabel } from '../cards/meeting-cards.js';
import type { Capability } from '../src/capability.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import { AttendeeDirectory } from '../src/services/attendee-directory.js';
import { matchSub } from './args.js';

const SUB = { diet: words('myinfo.words.diet'), delete: words('myinfo.words.delete') };
/** The meal words people type, as the invitation answer accepts them. */
const MEAL: Record<(typeof DIETARY)[number], readonly string[]> = {
  none: words('meeting.words.dietaryNone'),
  vegetarian: words('meeting.words.vegetarian'),
  halal: words('meeting.words.halal'),
  other: words('meeting.words.allergy'),
};
const MAX_NOTE = 100;

export const myInfoCommand: CommandSpec = {
  id: 'myinfo',
  async handle(ctx) {
    if (ctx.conversation.type !== 'direct') throw new UserError('E_MYINFO_DM_ONLY');
    const { sub, rest } = matchSub(ctx.args, SUB);
    if (sub === 'diet') return setDiet(ctx, rest);
    if (sub === 'delete') {
      const cleared = await ctx.services.attendeeDirectory.deleteOptional(ctx.user.id);
      return ctx.t.t('myinfo.deleted', { count: cleared });
    }
    if (ctx.args) throw new UsageError('E_MYINFO_UNKNOWN_SUB', { word: ctx.args.split(' ')[0] });
    return show(ctx);
  },
};

async function show(ctx: CommandContext): Promise<string> {
  const { t } = ctx;
  const record = await ctx.services.attendeeDirectory.record(ctx.user.id);
  const meal = record.dietary ? `${dietaryLabel(t, record.dietary)}${record.dietaryNote ? t.t('meeting.answer.mealNote', { note: record.dietaryNote }) : ''}` : t.t('myinfo.noMeal');
  const lines = record.meetings.map((m) => t.t('myinfo.line', { id: m.meetingId, title: m.title, time: m.startAt, outcome: t.t(`myinfo.outcome.${m.outcome}`) }));
  return t.t('myinfo.record', {
    name: ctx.user.name,
    meal,
    attended: record.attended,
    noShows: record.noShows,
    surveys: record.surveysAnswered,
    lines: lines.length > 0 ? lines.join('\n') : t.t('myinfo.noMeetings'),
  });
}

async function setDiet(ctx: CommandContext, text: string): Promise<string> {
  const [word = '', ...rest] = text.split(' ');
  const dietary = (Object.keys(MEAL) as Array<keyof typeof MEAL>).find((k) => MEAL[k].includes(word.toLowerCase()));
  if (!dietary) throw new UsageError('E_MYINFO_MEAL_UNKNOWN', { word: word || '—' });
  const note = rest.join(' ').trim() || null;
  if (note && note.length > MAX_NOTE) throw new UsageError('E_MYINFO_NOTE_TOO_LONG', { max: MAX_NOTE });
  await ctx.services.attendeeDirectory.setDietary(ctx.user.id, dietary, dietary === 'none' ? null : note);
  return ctx.t.t('myinfo.mealSet', { meal: dietaryLabel(ctx.t, dietary) });
}

/** The attendee directory: history across meetings and known needs; after surveys, whose receipts it counts. */
export const attendeeDirectory: Capability = {
  name: 'attendee-directory',
  services: (s) => ({ attendeeDirectory: new AttendeeDirectory(s.db, s.surveys, s.events, s.clock) }),
  commands: [myInfoCommand],
};
