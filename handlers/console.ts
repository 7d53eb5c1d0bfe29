/**
 * 控制台 / console: DMs an organizer or admin a personal sign-in link to the meeting console;
 * `控制台 退出` ends their sessions everywhere. The console's services (KPIs, boards, live feed) and
 * its pages (`src/web/console/`) come with this capability.
 */
import type { Capability } from '../src/capability.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, type CommandSpec, UserError } from '../src/router/types.js';
import { CONSOLE_PATH, ConsoleService } from '../src/services/console.js';
import { ConsoleFeed } from '../src/services/console-feed.js';
import { type CostSource, MeetingKpiService } from '../src/services/meeting-kpis.js';
import type { Services } from '../src/services/services.js';
import { consolePages } from '../src/web/console/routes.js';

const SIGN_OUT = words('console.words.signOut');

export const consoleCommand: CommandSpec = {
  id: 'console',
  async handle(ctx) {
    if (SIGN_OUT.includes(ctx.args.trim().toLowerCase())) return signOut(ctx);
    if (!(await ctx.services.console.mayUse(ctx.user))) throw new UserError('E_CONSOLE_NOT_ALLOWED');
    const minutes = Math.round(ctx.services.config.HUIWU_PAGE_LINK_TTL.ms / 60_000);
    // In a group the link would be seen (and could be opened) by everyone: it goes to the DM.
    if (ctx.conversation.type === 'group') {
      await ctx.services.console.sendLink(ctx.user, ctx.event.eventId);
      return ctx.t.t('console.linkSent', { minutes });
    }
    return ctx.services.console.linkText(ctx.t, await ctx.services.pageAccess.issueLink(ctx.user.id, CONSOLE_PATH));
  },
};

async function signOut(ctx: CommandContext): Promise<string> {
  const count = await ctx.services.pageAccess.signOut(ctx.user.id);
  return ctx.t.t('console.signedOut', { count });
}

/**
 * The cost KPI from the budget: the actual deviation once every line has its expense (or the
 * meeting is settled), the forecast's before; no budget (or a zero one) reads "no budget yet".
 */
function costFromBudget(s: Services): CostSource {
  return {
    async costDeviation(meetingId) {
      const cost = await s.budget.costDeviation(meetingId);
      if (!cost) return null;
      const final = cost.settled || cost.complete;
      const deviation = final ? cost.actualDeviation : cost.forecastDeviation;
      if (deviation === null) return null;
      return { budget: cost.approved, actual: final ? cost.actual : cost.forecast, deviation, forecast: !final };
    },
  };
}

/** The organizer console: its command, the KPI service, boards and live feed, and its pages. */
export const consoleCapability: Capability = {
  name: 'console',
  services: (s) => {
    const meetingKpis = new MeetingKpiService(s.db, s.config, s.checklists, s.surveys, s.incidents, costFromBudget(s));
    return {
      meetingKpis,
      console: new ConsoleService(s.db, s.meetings, s.rsvp, s.checkin, s.checklists, s.incidents, s.attendeeExport, s.directory, s.outbox, s.locales, s.pageAccess, s.config),
      consoleFeed: new ConsoleFeed(s.events),
    };
  },
  commands: [consoleCommand],
  pages: consolePages,
};
