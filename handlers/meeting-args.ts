/** Argument helpers shared by the meeting, invitation and check-in handlers. */
import { type CommandContext, UserError, msg } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { takeShortId } from './args.js';

export { matchSub } from './args.js';

/** Splits `#12 rest of text` into the meeting id and the rest; `example` is the catalogue key of an example command. */
export function takeId(args: string, example: string): { id: number; rest: string } {
  return takeShortId(args, msg('meeting.noun'), msg(example));
}

export async function loadMeeting(ctx: CommandContext, id: number): Promise<MeetingRow> {
  const meeting = await ctx.services.meetings.get(id);
  if (!meeting) throw new UserError('E_MEETING_NOT_FOUND', { id });
  return meeting;
}

/** Only the meeting's organizers (and admins) may change it; `action` is the catalogue key of what was refused. */
export async function loadOwnMeeting(ctx: CommandContext, id: number, action: string): Promise<MeetingRow> {
  const meeting = await loadMeeting(ctx, id);
  if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) {
    throw new UserError('E_MEETING_NOT_ORGANIZER', { id, action: msg(action), organizers: await ctx.services.meetings.organizerNames(meeting, ctx.t) });
  }
  if (meeting.status === 'cancelled') throw new UserError('E_MEETING_CANCELLED', { id });
  return meeting;
}
