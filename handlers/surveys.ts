/** 问卷 / survey: start (organizers), rate (attendees, by card or text), remind, results, close. */
import { SURVEY_SUBMIT } from '../cards/survey-cards.js';
import { parseShortId } from '../src/router/normalize.js';
import { type CardActionSpec, type CommandContext, type CommandSpec, UsageError, UserError } from '../src/router/types.js';
import type { Audience, SurveyRow } from '../src/services/surveys.js';
import { formatDateTime, parseTime } from '../src/time/parse-time.js';
import { loadOwnMeeting, matchSub, takeId } from './meeting-args.js';

const SUB = {
  start: ['发起', '开始', 'start'],
  results: ['结果', 'results'],
  close: ['关闭', '结束', 'close'],
  remind: ['催办', 'remind'],
  rate: ['评分', 'rate'],
} as const;

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
        throw new UsageError(ctx.args ? `不认识的子命令「${ctx.args.split(' ')[0]}」` : '请写要做什么');
    }
  },
};

async function startSurvey(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '问卷 发起 #1');
  const meeting = await loadOwnMeeting(ctx, id, '发起问卷');
  let anonymous = true;
  let audience: Audience = 'checked-in';
  let deadline: Date | undefined;
  const words = rest.split(' ').filter(Boolean);
  while (words.length > 0) {
    const word = words.shift()!;
    if (word === '实名' || word === 'named') anonymous = false;
    else if (word === '匿名' || word === 'anonymous') anonymous = true;
    else if (word === '已确认' || word === 'confirmed') audience = 'confirmed';
    else if (word === '已签到' || word === 'checked-in') audience = 'checked-in';
    else if (word === '截止' || word === 'deadline') {
      const parsed = parseTime(words.splice(0).join(' '), { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
      if (!parsed.ok || parsed.kind !== 'once') throw new UsageError(parsed.ok ? '截止时间不能是循环时间' : parsed.message);
      deadline = parsed.at;
    } else throw new UsageError(`看不懂「${word}」`);
  }
  const { survey, recipients } = await ctx.services.surveys.start(meeting, { anonymous, audience, deadline, createdBy: ctx.user.id }, ctx.now);
  return [
    `✅ 已发起满意度问卷 #${survey.id}（${anonymous ? '匿名' : '实名'}），发给 ${recipients} 位${audience === 'checked-in' ? '已签到' : '确认参加'}的参会人`,
    `截止：${formatDateTime(survey.deadlineAt, ctx.services.config.HUIWU_TIMEZONE)}；未填写的人会自动收到提醒，截止后结果发到本群。`,
  ].join('\n');
}

async function loadSurvey(ctx: CommandContext, token: string | undefined, example: string): Promise<SurveyRow> {
  const id = parseShortId(token);
  if (id === null) throw new UsageError(`缺少问卷编号，例如：${example}`);
  const survey = await ctx.services.surveys.get(id);
  if (!survey) throw new UserError(`问卷 #${id} 不存在`);
  return survey;
}

async function ownSurvey(ctx: CommandContext, args: string, verb: string, example: string): Promise<SurveyRow> {
  const survey = await loadSurvey(ctx, args.split(' ')[0], example);
  const meeting = await ctx.services.meetings.get(survey.meetingId);
  if (!meeting || !ctx.services.meetings.isOrganizer(meeting, ctx.user)) throw new UserError(`只有会议 #${survey.meetingId} 的组织者可以${verb}`);
  return survey;
}

async function results(ctx: CommandContext, args: string): Promise<string | undefined> {
  const survey = await ownSurvey(ctx, args, '查看问卷结果', '问卷 结果 #1');
  await ctx.services.surveyReport.publish(survey, `req-${ctx.event.eventId}`);
  const meeting = await ctx.services.meetings.get(survey.meetingId);
  return meeting?.conversationId === ctx.conversation.id ? undefined : '📊 结果和图表已发到会议所在的群。';
}

async function closeSurvey(ctx: CommandContext, args: string): Promise<string> {
  const survey = await ownSurvey(ctx, args, '关闭问卷', '问卷 关闭 #1');
  if (survey.status === 'closed') throw new UserError(`问卷 #${survey.id} 已经关闭`);
  await ctx.services.surveys.close(survey, ctx.now);
  await ctx.services.surveyReport.publish(survey, 'close');
  return `✅ 问卷 #${survey.id} 已关闭，结果已发到会议所在的群。`;
}

async function remind(ctx: CommandContext, args: string): Promise<string> {
  const survey = await ownSurvey(ctx, args, '催办问卷', '问卷 催办 #1');
  if (survey.status !== 'open') throw new UserError(`问卷 #${survey.id} 已关闭`);
  const count = await ctx.services.surveys.remind(survey, `manual-${ctx.event.eventId}`);
  return count === 0 ? `问卷 #${survey.id} 所有人都已填写。` : `📣 已提醒 ${count} 位还没填写的人（已填写的人不会收到）。`;
}

async function rateByText(ctx: CommandContext, args: string): Promise<string> {
  const [token, ...rest] = args.split(' ');
  const survey = await loadSurvey(ctx, token, '问卷 评分 #1 5 4 5 4 5 很好');
  const count = ctx.services.surveys.dimensions(survey).length;
  const scores = rest.slice(0, count);
  if (scores.length < count) throw new UsageError(`请按顺序写 ${count} 个 1-5 的分数：${ctx.services.surveys.dimensions(survey).join('、')}`);
  await ctx.services.surveys.submit(survey, ctx.user.id, scores, rest.slice(count).join(' '), ctx.now);
  return `✅ 已提交问卷 #${survey.id}，感谢你的反馈！`;
}

export const surveySubmitAction: CardActionSpec = {
  key: SURVEY_SUBMIT,
  async handle({ card, user, event, services, now }) {
    const survey = await services.surveys.get(Number(card.refId));
    if (!survey) return { accepted: false, reason: '问卷不存在' };
    const scores = services.surveys.dimensions(survey).map((_, i) => event.values[`d${i}`] ?? '');
    await services.surveys.submit(survey, user.id, scores, event.values.comment, now);
    return { accepted: true, message: '已提交，感谢你的反馈！' };
  },
};
