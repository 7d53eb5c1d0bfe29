/**
 * Invitations and answers: 会议 邀请 / 催办 / 回复 / 截止, and the confirmation card's buttons
 * (参加 / 不参加 / 待定 with dietary, accommodation and note fields).
 */
import { RSVP_ACTIONS, describeAnswer } from '../cards/meeting-cards.js';
import { type CardActionSpec, type CommandContext, UsageError, UserError } from '../src/router/types.js';
import type { UserRecord } from '../src/services/directory.js';
import type { AnswerInput } from '../src/services/rsvp.js';
import { formatDateTime, parseTime } from '../src/time/parse-time.js';
import { loadMeeting, loadOwnMeeting, takeId } from './meeting-args.js';

export const invitationSubcommands = {
  invite: ['邀请', 'invite'],
  nudge: ['催办', '催', 'nudge', 'remind'],
  answer: ['回复', 'rsvp', 'reply'],
  cutoff: ['截止', 'cutoff'],
} as const;

const DEPARTMENT_WORDS = ['部门', 'dept', 'department'];

export async function inviteAttendees(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '会议 邀请 #1 @张三 @李四');
  const meeting = await loadOwnMeeting(ctx, id, '邀请参会人');
  let people: UserRecord[] = ctx.mentions;
  const [word, ...names] = rest.split(' ');
  if (word && DEPARTMENT_WORDS.includes(word.toLowerCase())) {
    const departments = names.join(' ').split(/[,，、\s]+/).filter(Boolean);
    if (departments.length === 0) throw new UsageError('请写部门名称，例如：会议 邀请 #1 部门 行政部');
    const users = await ctx.services.directory.usersOfPlatform(ctx.user.platform);
    const unknown = departments.filter((d) => !users.some((u) => u.department === d));
    if (unknown.length > 0) throw new UserError(`找不到部门：${unknown.join('、')}（或该部门没有成员）`);
    people = [...people, ...users.filter((u) => u.department && departments.includes(u.department))];
  }
  if (people.length === 0) throw new UsageError('请 @ 参会人，或写「部门 <部门名>」');
  const unique = [...new Map(people.map((p) => [p.id, p])).values()];
  const { added, existing } = await ctx.services.rsvp.invite(meeting, unique, ctx.user.id);
  const lines = [`✅ 会议 #${id} 已邀请 ${added.length} 人${added.length <= 10 ? `：${added.map((a) => a.name).join('、')}` : ''}`];
  if (existing.length > 0) lines.push(`已在名单中（未重复邀请）：${existing.slice(0, 10).join('、')}${existing.length > 10 ? ` 等 ${existing.length} 人` : ''}`);
  if (added.length > 0) lines.push('确认卡片已私聊发送，回复情况见群内「实时统计」卡片。');
  return lines.join('\n');
}

export async function nudge(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, '会议 催办 #1');
  const meeting = await loadOwnMeeting(ctx, id, '催办');
  const count = await ctx.services.rsvp.followUp(meeting, `manual-${ctx.event.eventId}`);
  return count === 0 ? `会议 #${id} 所有人都已回复，无需催办。` : `📣 已私聊催办 ${count} 位未回复的参会人（已回复和不参加的人不会收到）。`;
}

export async function setCutoff(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '会议 截止 #1 明天中午12点');
  const meeting = await loadOwnMeeting(ctx, id, '设置回复截止时间');
  const parsed = parseTime(rest, { now: ctx.now, timeZone: ctx.services.config.HUIWU_TIMEZONE });
  if (!parsed.ok) throw new UsageError(parsed.message);
  if (parsed.kind !== 'once') throw new UsageError('截止时间不能是循环时间');
  if (parsed.at > meeting.startAt) throw new UsageError('截止时间不能晚于会议开始时间');
  await ctx.services.db.meeting.update({ where: { id }, data: { rsvpCutoffAt: parsed.at } });
  return `✅ 会议 #${id} 回复截止时间：${formatDateTime(parsed.at, ctx.services.config.HUIWU_TIMEZONE)}`;
}

const RESPONSE_WORDS: Record<string, AnswerInput['response']> = {
  参加: 'yes', 出席: 'yes', yes: 'yes', 不参加: 'no', 不去: 'no', no: 'no', 待定: 'maybe', maybe: 'maybe',
};
const DIETARY_WORDS: Record<string, string> = { 无: 'none', 素食: 'vegetarian', 清真: 'halal', 过敏: 'other', 其他: 'other' };

/** The text fallback of the confirmation card: `会议 回复 #1 参加 素食 住宿2晚 备注 晚到`. */
export async function answerByText(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, '会议 回复 #1 参加 素食 住宿2晚');
  const meeting = await loadMeeting(ctx, id);
  const attendee = await ctx.services.rsvp.attendeeFor(id, ctx.user.id);
  if (!attendee) throw new UserError(`你不在会议 #${id} 的邀请名单中`);
  const words = rest.split(' ').filter(Boolean);
  const response = RESPONSE_WORDS[words.shift()?.toLowerCase() ?? ''];
  if (!response) throw new UsageError('请写 参加、不参加 或 待定');
  const input: AnswerInput = { response };
  while (words.length > 0) {
    const word = words.shift()!;
    const nights = /^住宿(\d+)晚$/.exec(word);
    if (word in DIETARY_WORDS) {
      input.dietary = DIETARY_WORDS[word];
      if (input.dietary === 'other') input.dietaryNote = words.shift();
    } else if (nights) {
      input.accommodation = 'yes';
      input.nights = nights[1];
    } else if (word === '住宿') {
      input.accommodation = 'yes';
    } else if (word === '不住宿') {
      input.accommodation = 'no';
    } else if (word === '备注') {
      input.note = words.splice(0).join(' ');
    } else {
      throw new UsageError(`看不懂「${word}」`);
    }
  }
  const answer = await ctx.services.rsvp.answer(meeting, attendee, input, ctx.now);
  return `✅ 已记录你对会议 #${id} 的回复：${describeAnswer(answer)}`;
}

function rsvpAction(key: string, response: AnswerInput['response']): CardActionSpec {
  return {
    key,
    async handle({ card, user, event, services, now }) {
      const meeting = await services.meetings.get(Number(card.refId));
      if (!meeting) return { accepted: false, reason: '会议不存在' };
      const attendee = await services.rsvp.attendeeFor(meeting.id, user.id);
      if (!attendee) return { accepted: false, reason: '你不在该会议的邀请名单中' };
      const v = event.values;
      const answer = await services.rsvp.answer(
        meeting,
        attendee,
        { response, dietary: v.dietary, dietaryNote: v.dietaryNote, accommodation: v.accommodation, nights: v.nights, note: v.note },
        now,
      );
      return { accepted: true, message: `已记录：${describeAnswer(answer)}` };
    },
  };
}

export const rsvpActions: CardActionSpec[] = [
  rsvpAction(RSVP_ACTIONS.yes, 'yes'),
  rsvpAction(RSVP_ACTIONS.no, 'no'),
  rsvpAction(RSVP_ACTIONS.maybe, 'maybe'),
];
