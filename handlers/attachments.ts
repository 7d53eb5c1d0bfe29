/**
 * `会议 附件 #N` / `meeting attach #N`: with a file or image, stores it for the meeting (organizers);
 * without one, lists the meeting's files. The files go into the archive pack later.
 */
import type { Capability } from '../src/capability.js';
import type { CommandContext } from '../src/router/types.js';
import { AttachmentService } from '../src/services/attachments.js';
import { loadMeeting, loadOwnMeeting, takeId } from './meeting-args.js';

export async function meetingAttachments(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id } = takeId(args, 'attachment.example.attach');
  const file = ctx.event.file;
  if (!file) {
    const meeting = await loadMeeting(ctx, id);
    if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) await loadOwnMeeting(ctx, id, 'attachment.action.list');
    const rows = await ctx.services.attachments.list(id);
    if (rows.length === 0) return t.t('attachment.listEmpty', { id });
    const lines = rows.map((r) => t.t('attachment.line', { name: r.name, size: kilobytes(r.size), hash: r.sha256.slice(0, 12), at: r.createdAt }));
    return t.t('attachment.list', { id, count: rows.length, lines: lines.join('\n') });
  }
  const meeting = await loadOwnMeeting(ctx, id, 'attachment.action.attach');
  const { attachment, added } = await ctx.services.attachments.attach(meeting.id, file, ctx.user.id);
  return t.t(added ? 'attachment.added' : 'attachment.already', { id, name: attachment.name, size: kilobytes(attachment.size), hash: attachment.sha256.slice(0, 12) });
}

function kilobytes(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

/** Meeting attachments: the service; the subcommand is part of 会议 (handlers/meetings.ts). */
export const attachments: Capability = {
  name: 'attachments',
  services: (s) => ({ attachments: new AttachmentService(s.db, s.media, s.config) }),
};
