/** 问卷 / survey: start (organizers), rate (attendees, by card or text), remind, results, close. */
import { SURVEY_SUBMIT } from '../cards/survey-cards.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import type { Audience, SurveyRow } from '../src/services/surveys.js';
import { parseTime } from '../src/time/parse-time.js';
import { matchSub, takeShortId, timeOptions } from './args.js';
import { loadOwnMeeting, takeId } from './meeting-args.js';
import type { Capability } from '../src/capability.js';
import { SurveyReport } from '../src/services/survey-report.js';
import { SurveyService } from '../src/services/surveys.js';

const SUB = {
  start: words('survey.words.start'),
  results: words('survey.words.results'),
  close: words('survey.words.close'),
  remind: words('survey.words.remind'),
  rate: words('survey.words.rate'),
};

/** The options of `问卷 发起`, each a word list. */
const OPTION = {
  named: words('survey.words.named'),
  anonymous: words('survey.words.anonymous'),
  confirmed: words('survey.words.confirmed'),
  checkedIn: words('survey.words.checkedIn'),
  deadline: words('survey.words.deadline'),
};

export const surveyCommand: CommandSpec = {
  id: 'survey',
  async handle(ctx) {
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'start':
        return startSurvey(ctx, rest);
      case 'results':
        return results(ctx, rest);
      case 'close':
        return closeSurvey(ctx, rest);
      case 'remind':
        return remind(ctx, rest);
      case 'rate':
        return rateByText(ctx, rest);
      default:
        if (ctx.args) throw new UsageError('E_SURVEY_UNKNOWN_SUB', { word: ctx.args.split(' ')[0] });
        throw new UsageError('E_SURVEY_MISSING_SUB');
    }
  },
};

async function startSurvey(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, t.t('survey.example.start'));
  const meeting = await loadOwnMeeting(ctx, id, t.t('survey.action.start'));
  let anonymous = true;
  let audience: Audience = 'checked-in';
  let deadline: Date | undefined;
  const tokens = rest.split(' ').filter(Boolean);
  const is = (word: string, list: string[]) => list.includes(word.toLowerCase());
  while (tokens.length > 0) {
    const word = tokens.shift()!;
    if (is(word, OPTION.named)) anonymous = false;
    else if (is(word, OPTION.anonymous)) anonymous = true;
    else if (is(word, OPTION.confirmed)) audience = 'confirmed';
    else if (is(word, OPTION.checkedIn)) audience = 'checked-in';
    else if (is(word, OPTION.deadline)) {
      const parsed = parseTime(tokens.splice(0).join(' '), timeOptions(ctx));
      if (!parsed.ok) throw new UsageError(parsed.code, parsed.params);
      if (parsed.kind !== 'once') throw new UsageError('E_SURVEY_DEADLINE_RECURRING');
      deadline = parsed.at;
    } else throw new UsageError('E_SURVEY_UNKNOWN_OPTION', { word });
  }
  const { survey, recipients } = await ctx.services.surveys.start(meeting, { anonymous, audience, deadline, createdBy: ctx.user.id }, ctx.now);
  return t.t('survey.started', {
    id: survey.id,
    kind: msg(anonymous ? 'survey.kind.anonymous' : 'survey.kind.named'),
    count: recipients,
    audience: msg(`survey.audience.${audience}`),
    deadline: survey.deadlineAt,
  });
}

async function loadSurvey(ctx: CommandContext, args: string, verb: 'results' | 'close' | 'remind' | 'rate'): Promise<{ survey: SurveyRow; rest: string }> {
  const { id, rest } = takeShortId(args, msg('survey.noun'), msg(`survey.example.${verb}`));
  const survey = await ctx.services.surveys.get(id);
  if (!survey) throw new UserError('E_SURVEY_NOT_FOUND', { id });
  return { survey, rest };
}

async function ownSurvey(ctx: CommandContext, args: string, verb: 'results' | 'close' | 'remind'): Promise<SurveyRow> {
  const { survey } = await loadSurvey(ctx, args, verb);
  const meeting = await ctx.services.meetings.get(survey.meetingId);
  if (!meeting || !ctx.services.meetings.isOrganizer(meeting, ctx.user)) {
    throw new UserError('E_SURVEY_NOT_ORGANIZER', { meeting: survey.meetingId, action: msg(`survey.action.${verb}`) });
  }
  return survey;
}

async function results(ctx: CommandContext, args: string): Promise<string | undefined> {
  const survey = await ownSurvey(ctx, args, 'results');
  await ctx.services.surveyReport.publish(survey, `req-${ctx.event.eventId}`);
  const meeting = await ctx.services.meetings.get(survey.meetingId);
  return meeting?.conversationId === ctx.conversation.id ? undefined : ctx.t.t('survey.resultsElsewhere');
}

async function closeSurvey(ctx: CommandContext, args: string): Promise<string> {
  const survey = await ownSurvey(ctx, args, 'close');
  if (survey.status === 'closed') throw new UserError('E_SURVEY_ALREADY_CLOSED', { id: survey.id });
  await ctx.services.surveys.close(survey, ctx.now);
  await ctx.services.surveyReport.publish(survey, 'close');
  return ctx.t.t('survey.closed', { id: survey.id });
}

async function remind(ctx: CommandContext, args: string): Promise<string> {
  const survey = await ownSurvey(ctx, args, 'remind');
  if (survey.status !== 'open') throw new UserError('E_SURVEY_CLOSED', { id: survey.id });
  const count = await ctx.services.surveys.remind(survey, `manual-${ctx.event.eventId}`);
  return count === 0 ? ctx.t.t('survey.allAnswered', { id: survey.id }) : ctx.t.t('survey.reminded', { count });
}

async function rateByText(ctx: CommandContext, args: string): Promise<string> {
  const { survey, rest } = await loadSurvey(ctx, args, 'rate');
  const dimensions = ctx.services.surveys.dimensions(survey);
  const tokens = rest.split(' ').filter(Boolean);
  const scores = tokens.slice(0, dimensions.length);
  if (scores.length < dimensions.length) throw new UsageError('E_SURVEY_SCORES_MISSING', { count: dimensions.length, dimensions: ctx.t.list(dimensions) });
  await ctx.services.surveys.submit(survey, ctx.user.id, scores, tokens.slice(dimensions.length).join(' '), ctx.now);
  return ctx.t.t('survey.submitted', { id: survey.id });
}

export const surveySubmitAction: CardActionSpec = {
  key: SURVEY_SUBMIT,
  async handle({ card, user, event, services, now, t }) {
    const survey = await services.surveys.get(Number(card.refId));
    if (!survey) throw new UserError('E_SURVEY_GONE');
    const scores = services.surveys.dimensions(survey).map((_, i) => event.values[`d${i}`] ?? '');
    await services.surveys.submit(survey, user.id, scores, event.values.comment, now);
    return { accepted: true, message: t.t('survey.actionSubmitted') };
  },
};

/** Satisfaction surveys: the survey and report services, the command and answer card, start at a meeting's end, reminders, closing. */
export const surveys: Capability = {
  name: 'surveys',
  services: (s) => {
    const surveys = new SurveyService(s.db, s.meetings, s.cards, s.outbox, s.locales, s.scheduler, s.config, s.piiKey, s.events);
    return { surveys, surveyReport: new SurveyReport(surveys, s.meetings, s.outbox, s.locales, s.media, s.config.HUIWU_CJK_FONT) };
  },
  commands: [surveyCommand],
  cardActions: [surveySubmitAction],
  jobs: {
    'meeting.survey': async (s, data) => {
      const meeting = await s.meetings.get(data.meetingId);
      if (!meeting || meeting.status !== 'scheduled' || s.config.HUIWU_SURVEY_AUTO === 'off') return 'skipped';
      if (await s.surveys.existsFor(meeting.id)) return 'skipped: a survey exists';
      try {
        const { recipients } = await s.surveys.start(meeting, { anonymous: true, audience: s.config.HUIWU_SURVEY_AUDIENCE, createdBy: 'system' }, new Date());
        return `survey sent to ${recipients}`;
      } catch (error) {
        // Nobody to ask (no check-ins): nothing to send, not a failure to retry.
        return `skipped: ${(error as Error).message}`;
      }
    },
    'survey.remind': async (s, data) => {
      const survey = await s.surveys.get(data.surveyId);
      return survey ? `reminded ${await s.surveys.remind(survey, data.offset)}` : 'skipped';
    },
    'survey.close': async (s, data) => {
      const survey = await s.surveys.get(data.surveyId);
      if (!survey || survey.status !== 'open') return 'skipped';
      await s.surveys.close(survey, new Date());
      const { overall } = await s.surveyReport.publish(survey, 'close');
      return `closed, overall ${overall}`;
    },
  },
  // A survey still collecting answers: 问卷 关闭 ends it and publishes the results.
  closeOut: async (s, meetingId, t) =>
    (await s.surveys.openForMeeting(meetingId)).map((survey) => ({
      text: t.t('survey.closeOut.item', { id: survey.id, deadline: survey.deadlineAt }),
      command: t.t('survey.closeOut.command', { id: survey.id }),
    })),
};
