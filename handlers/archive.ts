/**
 * The last steps of a meeting's close-out, both organizers only:
 * - `会议 归档 #N [强制 <理由>]` / `meeting archive #N [force <reason>]` builds the encrypted archive
 *   pack (refused while the close-out checklist has open items, unless forced with a reason) and
 *   DMs a single-use download link; `… 列表` lists the packs, `… 下载 [<pack>]` sends a new link.
 * - `会议 复盘 #N` / `meeting review #N` shows the meeting's review with suggested follow-ups;
 *   `… 任务 <n> [@某人] 截止 <时间>` turns follow-up n into a task of the meeting.
 * The services (review, archive) and the download route come with this capability.
 */
import type { Capability } from '../src/capability.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, UsageError, UserError } from '../src/router/types.js';
import { ArchiveContent } from '../src/services/archive-content.js';
import { ArchiveFiles, archiveKey } from '../src/services/archive-files.js';
import { ArchiveService, type ArchivePackRow, MAX_REASON } from '../src/services/archive.js';
import { MeetingReviewService } from '../src/services/meeting-review.js';
import { archivePages } from '../src/web/archive.js';
import { matchSub } from './args.js';
import { incidentReviewText } from './incident-review.js';
import { loadOwnMeeting, takeId } from './meeting-args.js';
import { createFromSpec, parseAssignment } from './task-args.js';

const ARCHIVE_SUB = { force: words('archive.words.force'), list: words('archive.words.list'), link: words('archive.words.link') };
const REVIEW_SUB = { task: words('archive.words.task') };

const kilobytes = (bytes: number) => (bytes / 1024).toFixed(1);

/** `会议 归档 #N …` */
export async function meetingArchive(ctx: CommandContext, args: string): Promise<string> {
  const { id, rest } = takeId(args, 'archive.example.archive');
  const meeting = await loadOwnMeeting(ctx, id, 'archive.action.archive');
  const { sub, rest: more } = matchSub(rest, ARCHIVE_SUB);
  if (sub === 'list') return listPacks(ctx, meeting.id);
  if (sub === 'link') return resendLink(ctx, meeting.id, more);
  if (sub === null && rest) throw new UsageError('E_ARCHIVE_UNKNOWN_SUB', { word: rest.split(' ')[0] });
  const reason = sub === 'force' ? more.trim() : null;
  if (sub === 'force' && !reason) throw new UsageError('E_ARCHIVE_FORCE_REASON', { id });
  if (reason && reason.length > MAX_REASON) throw new UsageError('E_ARCHIVE_REASON_TOO_LONG', { max: MAX_REASON });
  const pack = await ctx.services.archive.build(meeting, ctx.user, reason, ctx.now, ctx.t);
  await ctx.services.archive.sendLink(ctx.user, pack, ctx.event.eventId);
  return ctx.t.t(reason ? 'archive.builtForced' : 'archive.built', {
    id,
    title: meeting.title,
    pack: pack.id,
    size: kilobytes(pack.size),
    sha256: pack.sha256,
    reason: reason ?? '',
    count: pack.openItems,
    minutes: Math.round(ctx.services.config.HUIWU_PAGE_LINK_TTL.ms / 60_000),
  });
}

async function listPacks(ctx: CommandContext, meetingId: number): Promise<string> {
  const { t } = ctx;
  const packs = await ctx.services.archive.list(meetingId);
  if (packs.length === 0) return t.t('archive.listEmpty', { id: meetingId });
  const lines = await Promise.all(packs.map(async (p) => packLine(ctx, p)));
  return t.t('archive.list', { id: meetingId, count: packs.length, lines: lines.join('\n') });
}

async function packLine(ctx: CommandContext, p: ArchivePackRow): Promise<string> {
  const downloads = (await ctx.services.archive.downloads(p.id)).length;
  const by = (await ctx.services.directory.user(p.builtBy))?.name ?? p.builtBy;
  const forced = p.forcedReason ? ctx.t.t('archive.lineForced', { reason: p.forcedReason }) : '';
  return ctx.t.t('archive.line', { pack: p.id, at: p.createdAt, by, size: kilobytes(p.size), sha256: p.sha256, downloads, forced });
}

async function resendLink(ctx: CommandContext, meetingId: number, args: string): Promise<string> {
  const packs = await ctx.services.archive.list(meetingId);
  let pack = packs[0];
  if (args) {
    const n = Number(args.replace(/^[#＃]/, ''));
    pack = Number.isInteger(n) ? packs.find((p) => p.id === n) : undefined;
    if (!pack) throw new UserError('E_ARCHIVE_PACK_NOT_FOUND', { pack: args, id: meetingId });
  }
  if (!pack) throw new UserError('E_ARCHIVE_NONE', { id: meetingId });
  await ctx.services.archive.sendLink(ctx.user, pack, ctx.event.eventId);
  return ctx.t.t('archive.linkSent', { pack: pack.id, minutes: Math.round(ctx.services.config.HUIWU_PAGE_LINK_TTL.ms / 60_000) });
}

/** `会议 复盘 #N [任务 <n> …]` */
export async function meetingReview(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id, rest } = takeId(args, 'archive.example.review');
  const meeting = await loadOwnMeeting(ctx, id, 'archive.action.review');
  const { sub, rest: more } = matchSub(rest, REVIEW_SUB);
  if (sub === null && rest) throw new UsageError('E_REVIEW_UNKNOWN_SUB', { word: rest.split(' ')[0] });
  const s = ctx.services;
  const review = await s.meetingReview.compute(meeting, ctx.now);
  const followUps = s.meetingReview.followUpTexts(t, review);
  if (sub === 'task') {
    const [nText = '', ...assignment] = more.split(' ');
    const n = Number(nText.replace(/^[#＃]/, ''));
    if (followUps.length === 0) throw new UsageError('E_REVIEW_NO_FOLLOW_UPS', { id });
    if (!Number.isInteger(n) || n < 1 || n > followUps.length) throw new UsageError('E_REVIEW_FOLLOW_UP_NUMBER', { max: followUps.length, id });
    const spec = await parseAssignment(ctx, assignment.join(' '), false);
    return createFromSpec(ctx, { ...spec, title: followUps[n - 1]!, meetingId: meeting.id });
  }
  const tasks = await s.tasks.list({ meetingId: meeting.id });
  const lines = [t.t('review.title', { id, title: meeting.title })];
  for (const section of s.meetingReview.sections(t, review)) lines.push(t.t('review.sectionTitle', { title: section.title }), ...section.lines);
  lines.push(t.t('review.followUpsTitle'));
  if (followUps.length === 0) lines.push(t.t('review.noFollowUps'));
  followUps.forEach((text, i) => {
    const task = tasks.find((x) => x.title === text && x.status !== 'cancelled');
    lines.push(t.t('review.followUpLine', { n: i + 1, text, task: task ? t.t('review.followUpTask', { task: task.id }) : '' }));
  });
  if (followUps.length > 0) lines.push(t.t('review.toTask', { id }));
  return lines.join('\n');
}

/** Archive packs and the meeting review; the subcommands are part of 会议 (handlers/meetings.ts). */
export const archive: Capability = {
  name: 'archive',
  services: (s) => {
    const meetingReview = new MeetingReviewService(s.db, s.meetingKpis, s.surveys);
    const content = new ArchiveContent({
      db: s.db,
      config: s.config,
      directory: s.directory,
      attendeeExport: s.attendeeExport,
      attachments: s.attachments,
      checklists: s.checklists,
      surveys: s.surveys,
      surveyReport: s.surveyReport,
      budget: s.budget,
      budgetReport: s.budgetReport,
      incidentText: async (t, incidentId) => {
        const incident = await s.incidents.get(incidentId);
        return incident ? incidentReviewText(s, t, incident) : '';
      },
    });
    const files = new ArchiveFiles(s.config.HUIWU_DATA_DIR, archiveKey(s.config, s.piiKey));
    return {
      meetingReview,
      archive: new ArchiveService(s.db, s.config, files, content, meetingReview, s.closeout, s.locales, s.outbox, s.pageAccess, s.log),
    };
  },
  pages: archivePages,
};
