/**
 * Close-out: `会议 结束 #N` / `meeting close #N` (and by itself HUIWU_CLOSEOUT_DELAY after the
 * meeting's end) posts the checklist of what is still open in the organizers' group; its 刷新
 * button re-checks. The items come from every capability's `closeOut` hook.
 */
import { CLOSEOUT_REFRESH } from '../cards/closeout-cards.js';
import type { Capability } from '../src/capability.js';
import { type CardActionSpec, type CommandContext, UserError, msg } from '../src/router/types.js';
import { CloseoutService } from '../src/services/closeout.js';
import { loadOwnMeeting, takeId } from './meeting-args.js';

const RECOVER_DAYS = 30;

/** `会议 结束 #1`: organizers only; posts (or refreshes) the checklist and says how much is open. */
export async function closeMeeting(ctx: CommandContext, args: string): Promise<string> {
  const { id } = takeId(args, 'closeout.example.close');
  const meeting = await loadOwnMeeting(ctx, id, 'closeout.action.close');
  const items = await ctx.services.closeout.post(meeting, ctx.now);
  const here = ctx.conversation.id === meeting.conversationId;
  return ctx.t.t(items.length === 0 ? 'closeout.postedClear' : 'closeout.posted', { id, title: meeting.title, count: items.length, where: here ? '' : ctx.t.t('closeout.inGroup') });
}

const refreshAction: CardActionSpec = {
  key: CLOSEOUT_REFRESH,
  async handle({ card, user, services, now, t }) {
    const meeting = await services.meetings.get(Number(card.refId));
    if (!meeting) throw new UserError('E_MEETING_NOT_FOUND', { id: Number(card.refId) });
    if (!services.meetings.isOrganizer(meeting, user)) {
      throw new UserError('E_MEETING_NOT_ORGANIZER', { id: meeting.id, action: msg('closeout.action.refresh'), organizers: await services.meetings.organizerNames(meeting, t) });
    }
    const items = await services.closeout.post(meeting, now);
    return { accepted: true, message: t.t('closeout.refreshed', { count: items.length }) };
  },
};

/**
 * The close-out capability. `all` is the registry (read when a checklist is built), whose
 * capabilities' `closeOut` hooks supply the items.
 */
export function closeoutCapability(all: () => readonly Capability[]): Capability {
  return {
    name: 'closeout',
    services: (s) => ({
      closeout: new CloseoutService(s.meetings, s.cards, s.scheduler, s.locales, s.config, s.events, () =>
        all().flatMap((c) => (c.closeOut ? [(meetingId: number, t: Parameters<NonNullable<Capability['closeOut']>>[2]) => c.closeOut!(s, meetingId, t)] : [])),
      ),
    }),
    cardActions: [refreshAction],
    jobs: { 'closeout.auto': (s, data) => s.closeout.auto(data), 'closeout.refresh': (s, data) => s.closeout.refresh(data) },
    recover: (s) => s.closeout.recover(new Date(Date.now() - RECOVER_DAYS * 86_400_000)),
  };
}
