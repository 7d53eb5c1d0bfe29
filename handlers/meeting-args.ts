/** Argument helpers shared by the meeting, invitation and check-in handlers. */
import { parseShortId } from '../src/router/normalize.js';
import { type CommandContext, UsageError, UserError } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';

/** Splits `#12 rest of text` into the id and the rest; `example` completes the usage message. */
export function takeId(args: string, example: string): { id: number; rest: string } {
  const [token, ...rest] = args.split(' ');
  const id = parseShortId(token);
  if (id === null) throw new UsageError(`缺少会议编号，例如：${example}`);
  return { id, rest: rest.join(' ').trim() };
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

/** Finds the first subcommand whose words match the first token. */
export function matchSub<K extends string>(args: string, table: Record<K, readonly string[]>): { sub: K | null; rest: string } {
  const [first = '', ...rest] = args.split(' ');
  const sub = (Object.keys(table) as K[]).find((k) => table[k].includes(first.toLowerCase())) ?? null;
  return sub ? { sub, rest: rest.join(' ').trim() } : { sub: null, rest: args };
}
