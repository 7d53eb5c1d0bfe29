/** Argument helpers shared by the meeting, invitation and check-in handlers. */
import { type CommandContext, UserError } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { takeShortId } from './args.js';

export { matchSub } from './args.js';

/** Splits `#12 rest of text` into the meeting id and the rest. */
export function takeId(args: string, example: string): { id: number; rest: string } {
  return takeShortId(args, '会议', example);
}

export async function loadMeeting(ctx: CommandContext, id: number): Promise<MeetingRow> {
  const meeting = await ctx.services.meetings.get(id);
  if (!meeting) throw new UserError(`会议 #${id} 不存在`);
  return meeting;
}

/** Only the meeting's organizers (and admins) may change it. */
export async function loadOwnMeeting(ctx: CommandContext, id: number, verb: string): Promise<MeetingRow> {
  const meeting = await loadMeeting(ctx, id);
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) {
    throw new UserError(`只有会议 #${id} 的组织者可以${verb}（组织者：${(await ctx.services.meetings.view(meeting)).organizers}）`);
  }
  if (meeting.status === 'cancelled') throw new UserError(`会议 #${id} 已取消`);
  return meeting;
}
