/**
 * Files organizers attach to a meeting (`会议 附件 #N` with a file or image, or the command first and
 * the file next: see `armPending`). The bytes come from the platform (the simulator's Media row, or a
 * WeCom/DingTalk download through InboundFiles), are checked against HUIWU_ATTACHMENT_MAX_BYTES and
 * the type the message claimed (an image must be served as one), and written under `$HUIWU_DATA_DIR/attachments/m<meeting>/` as
 * `<sha256 prefix>-<safe name>`: the name people gave is kept for display only. The same content
 * twice on one meeting is stored once. The archive pack (later) lists and packs these files.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { InboundFile, PlatformName } from '../platforms/types.js';
import { InboundFileError, type InboundFiles } from './inbound-files.js';

declare module './services.js' {
  interface Services {
    attachments: AttachmentService;
  }
}

export type AttachmentRow = NonNullable<Awaited<ReturnType<PrismaClient['attachment']['findUnique']>>>;

const DAY_MS = 86_400_000;

/** A file name safe on every file system: no folders, no control or reserved characters, at most 80 characters, extension kept. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .replace(/\s+/g, '_');
  if (!cleaned) return 'file';
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  const stem = ext ? cleaned.slice(0, dot) : cleaned;
  return `${[...stem].slice(0, 80 - ext.length).join('')}${ext}`;
}

export class AttachmentService {
  constructor(
    private readonly db: PrismaClient,
    private readonly files: InboundFiles,
    private readonly config: Config,
  ) {}

  private root(): string {
    return resolve(this.config.HUIWU_DATA_DIR);
  }

  /** Stores `file` (sent on `platform`) for the meeting; returns the row and whether it was new. Nothing is stored when refused. */
  async attach(meetingId: number, file: InboundFile, uploadedBy: string, platform: PlatformName): Promise<{ attachment: AttachmentRow; added: boolean }> {
    const max = this.config.HUIWU_ATTACHMENT_MAX_BYTES;
    if (file.size > max) throw new UserError('E_ATTACHMENT_TOO_LARGE', { name: file.name, size: megabytes(file.size), max: megabytes(max) });
    const fetched = await this.files.read(platform, file, max).catch((error: unknown) => {
      throw refusal(error, file.name, max);
    });
    const name = fetched.name?.trim() || file.name;
    if (fetched.data.length > max) throw new UserError('E_ATTACHMENT_TOO_LARGE', { name, size: megabytes(fetched.data.length), max: megabytes(max) });
    if (fetched.data.length === 0) throw new UserError('E_ATTACHMENT_EMPTY', { name });
    if (!MIME.test(fetched.mime) || (file.kind === 'image' && !fetched.mime.startsWith('image/'))) throw new UserError('E_ATTACHMENT_TYPE', { name, mime: fetched.mime.slice(0, 60) });
    const sha256 = createHash('sha256').update(fetched.data).digest('hex');
    const existing = await this.db.attachment.findUnique({ where: { meetingId_sha256: { meetingId, sha256 } } });
    if (existing) return { attachment: existing, added: false };
    const relative = join('attachments', `m${meetingId}`, `${sha256.slice(0, 16)}-${safeFileName(name)}`);
    const target = join(this.root(), relative);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.partial`, fetched.data, { mode: 0o600 });
    await rename(`${target}.partial`, target);
    const attachment = await this.db.attachment.create({
      data: { meetingId, name: name.slice(0, 255), mime: fetched.mime, size: fetched.data.length, sha256, path: relative, uploadedBy },
    });
    return { attachment, added: true };
  }

  /**
   * `会议 附件 #N` without a file: the sender's next image or file in this chat, within
   * HUIWU_ATTACHMENT_WAIT, goes to the meeting. Kept in the database (a restart keeps it); asking
   * again replaces the meeting and restarts the wait. Returns when it expires.
   */
  async armPending(userId: string, conversationId: string, meetingId: number, now: Date): Promise<Date> {
    const expiresAt = new Date(now.getTime() + this.config.HUIWU_ATTACHMENT_WAIT.ms);
    // Expired waits of anyone are dropped here: the table stays as small as the people waiting.
    await this.db.attachmentPending.deleteMany({ where: { expiresAt: { lt: now } } });
    await this.db.attachmentPending.upsert({
      where: { userId_conversationId: { userId, conversationId } },
      create: { userId, conversationId, meetingId, expiresAt },
      update: { meetingId, expiresAt, createdAt: now },
    });
    return expiresAt;
  }

  /**
   * The meeting a file from this person in this chat is for, taking the wait (one file per
   * command); null when none waits or it expired. Two files at once: only one takes it.
   */
  async takePending(userId: string, conversationId: string, now: Date): Promise<number | null> {
    const row = await this.db.attachmentPending.findUnique({ where: { userId_conversationId: { userId, conversationId } } });
    if (!row) return null;
    const taken = await this.db.attachmentPending.deleteMany({ where: { id: row.id } });
    return taken.count === 1 && row.expiresAt > now ? row.meetingId : null;
  }

  async list(meetingId: number): Promise<AttachmentRow[]> {
    return this.db.attachment.findMany({ where: { meetingId }, orderBy: { id: 'asc' } });
  }
}

/**
 * Retention: attachments of meetings that ended more than `days` ago (cancelled ones: since they
 * were last changed), file and row. Used by the daily prune (src/services/retention.ts).
 */
export async function pruneAttachments(db: PrismaClient, dataDir: string, days: number, now: Date): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  const rows = await db.attachment.findMany({ select: { id: true, meetingId: true, path: true } });
  if (rows.length === 0) return 0;
  const meetings = await db.meeting.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.meetingId))] } }, select: { id: true, startAt: true, endAt: true } });
  // Gone meetings count as ended long ago; a meeting without an end counts from its start.
  const ended = new Map(meetings.map((m) => [m.id, m.endAt ?? m.startAt]));
  const doomed = rows.filter((r) => (ended.get(r.meetingId) ?? new Date(0)) < cutoff);
  for (const row of doomed) await rm(join(resolve(dataDir), row.path), { force: true });
  if (doomed.length > 0) await db.attachment.deleteMany({ where: { id: { in: doomed.map((r) => r.id) } } });
  return doomed.length;
}

const MIME = /^[\w.+-]+\/[\w.+-]+$/;

/** What the sender is told when the platform did not give us the file. */
function refusal(error: unknown, name: string, max: number): unknown {
  if (!(error instanceof InboundFileError)) return error;
  if (error.reason === 'unknown') return new UserError('E_ATTACHMENT_UNKNOWN', { name });
  if (error.reason === 'too-large') return new UserError('E_ATTACHMENT_OVER_LIMIT', { name, max: megabytes(max) });
  if (error.reason === 'type') return new UserError('E_ATTACHMENT_TYPE', { name, mime: '?' });
  return new UserError('E_ATTACHMENT_UNAVAILABLE', { name });
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
