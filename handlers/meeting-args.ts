/**
 * Argument helpers shared by the meeting, invitation and check-in handlers. Arguments may come
 * from a Chinese IME: `#4，参加，素食；备注：晚到` separates like `#4 参加 素食 备注 晚到` (the router's
 * NFKC folding has already turned ，；： into ,;: — both forms are accepted here).
 */
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, UserError, msg } from '../src/router/types.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { takeShortId } from './args.js';

export { matchSub } from './args.js';

/** Characters that separate arguments besides spaces. */
const SEPARATOR = '[\\s,，、;；]';
const SEPARATORS = new RegExp(`${SEPARATOR}+`);
const EDGE_SEPARATORS = new RegExp(`^${SEPARATOR}+|${SEPARATOR}+$`, 'g');

/** The text without separators at its ends (`测试会，` -> `测试会`). */
export function trimSeparators(text: string): string {
  return text.replace(EDGE_SEPARATORS, '');
}

/** Words split on spaces and separators; `部门：市场部` becomes `部门` `市场部`. */
export function splitArgs(text: string): string[] {
  return text
    .split(SEPARATORS)
    .flatMap((token) => {
      const m = /^([^:：]+)[:：](.*)$/.exec(token);
      return m ? [m[1]!, m[2]!] : [token.replace(/^[:：]+|[:：]+$/g, '')];
    })
    .filter(Boolean);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `<option word>[:：] <value>` at the end of `text`, the option word preceded by a space or a
 * separator (or at the start): `…，地点：一号厅`, `… venue: Hall 2`. An ASCII word must be followed
 * by a space or a colon, so `venue` does not match `venues`. Returns the value and the text before.
 */
export function takeTrailingOption(text: string, key: string): { value: string; before: string } | null {
  const alternatives = words(key).map((w) => (/^[a-z]/i.test(w) ? `${escapeRegExp(w)}(?=[\\s:：])` : escapeRegExp(w)));
  const m = new RegExp(`(?:^|${SEPARATOR})(?:${alternatives.join('|')})\\s*[:：]?\\s*(.+)$`, 'i').exec(text);
  if (!m) return null;
  return { value: trimSeparators(m[1]!.trim()), before: trimSeparators(text.slice(0, m.index).trim()) };
}

/** Splits `#12 rest of text` (or `#12，rest`) into the meeting id and the rest; `example` is the catalogue key of an example command. */
export function takeId(args: string, example: string): { id: number; rest: string } {
  const { id, rest } = takeShortId(args.replace(/^([#＃]?\d+)[\s,，、;；:：]+/, '$1 '), msg('meeting.noun'), msg(example));
  return { id, rest: trimSeparators(rest) };
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
