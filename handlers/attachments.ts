/**
 * `会议 附件 #N` / `meeting attach #N`: with a file or image, stores it for the meeting (organizers);
 * without one, lists the meeting's files and waits HUIWU_ATTACHMENT_WAIT for the sender's next file
 * or image in that chat (WeCom and DingTalk images carry no caption: command first, file next).
 * The files go into the archive pack later.
 */
import type { Capability } from '../src/capability.js';
import type { CommandContext, Reply } from '../src/router/types.js';
import { AttachmentService } from '../src/services/attachments.js';
import type { MeetingRow } from '../src/services/meetings.js';
import { loadMeeting, loadOwnMeeting, takeId } from './meeting-args.js';

export async function meetingAttachments(ctx: CommandContext, args: string): Promise<string> {
  const { t } = ctx;
  const { id } = takeId(args, 'attachment.example.attach');
  const file = ctx.event.file;
  if (!file) {
    const meeting = await loadMeeting(ctx, id);
    if (!ctx.services.meetings.isOrganizer(meeting, ctx.user)) await loadOwnMeeting(ctx, id, 'attachment.action.list');
    await ctx.services.attachments.armPending(ctx.user.id, ctx.conversation.id, meeting.id, ctx.now);
    const waiting = t.t('attachment.waiting', { id, minutes: waitMinutes(ctx) });
    const rows = await ctx.services.attachments.list(id);
    if (rows.length === 0) return `${t.t('attachment.listEmpty', { id })}\n${waiting}`;
    const lines = rows.map((r) => t.t('attachment.line', { name: r.name, size: kilobytes(r.size), hash: r.sha256.slice(0, 12), at: r.createdAt }));
    return `${t.t('attachment.list', { id, count: rows.length, lines: lines.join('\n') })}\n${waiting}`;
  }
  const meeting = await loadOwnMeeting(ctx, id, 'attachment.action.attach');
  return attach(ctx, meeting);
}

/**
 * A file or image sent without a command: attached to the meeting its sender named just before
 * (`会议 附件 #N` in this chat, still waiting). Without one: ignored in a group (people share files
 * with each other), explained in a one-to-one chat.
 */
async function attachWaitingFile(ctx: CommandContext): Promise<Reply | null> {
  const meetingId = await ctx.services.attachments.takePending(ctx.user.id, ctx.conversation.id, ctx.now);
  if (meetingId === null) {
    return ctx.conversation.type === 'direct' ? ctx.t.t('attachment.howTo', { example: ctx.t.t('attachment.example.attach'), minutes: waitMinutes(ctx) }) : null;
  }
  // Still an organizer now (the wait is short, but roles change).
  const meeting = await loadOwnMeeting(ctx, meetingId, 'attachment.action.attach');
  return attach(ctx, meeting);
}

async function attach(ctx: CommandContext, meeting: MeetingRow): Promise<string> {
  const { attachment, added } = await ctx.services.attachments.attach(meeting.id, ctx.event.file!, ctx.user.id, ctx.event.platform);
  return ctx.t.t(added ? 'attachment.added' : 'attachment.already', { id: meeting.id, name: attachment.name, size: kilobytes(attachment.size), hash: attachment.sha256.slice(0, 12) });
}

function waitMinutes(ctx: CommandContext): number {
  return Math.max(1, Math.round(ctx.services.config.HUIWU_ATTACHMENT_WAIT.ms / 60_000));
}

function kilobytes(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

/** Meeting attachments: the service and the file handler; the subcommand is part of 会议 (handlers/meetings.ts). */
export const attachments: Capability = {
  name: 'attachments',
  services: (s) => ({ attachments: new AttachmentService(s.db, s.inboundFiles, s.config) }),
  onFile: attachWaitingFile,
};
