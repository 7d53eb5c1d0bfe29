/**
 * Files organizers attach to a meeting (`会议 附件 #N` with a file or image). The bytes come from
 * the platform's media (the adapter stored them in the Media table), are checked against
 * HUIWU_ATTACHMENT_MAX_BYTES and written under `$HUIWU_DATA_DIR/attachments/m<meeting>/` as
 * `<sha256 prefix>-<safe name>`: the name people gave is kept for display only. The same content
 * twice on one meeting is stored once. The archive pack (later) lists and packs these files.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { InboundFile } from '../platforms/types.js';
import type { MediaStore } from './media.js';

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
    private readonly media: MediaStore,
    private readonly config: Config,
  ) {}

  private root(): string {
    return resolve(this.config.HUIWU_DATA_DIR);
  }

  /** Stores `file` for the meeting; returns the row and whether it was new. */
  async attach(meetingId: number, file: InboundFile, uploadedBy: string): Promise<{ attachment: AttachmentRow; added: boolean }> {
    const max = this.config.HUIWU_ATTACHMENT_MAX_BYTES;
    if (file.size > max) throw new UserError('E_ATTACHMENT_TOO_LARGE', { name: file.name, size: megabytes(file.size), max: megabytes(max) });
    const stored = await this.media.get(file.mediaId);
    if (!stored) throw new UserError('E_ATTACHMENT_UNAVAILABLE', { name: file.name });
    if (stored.data.length > max) throw new UserError('E_ATTACHMENT_TOO_LARGE', { name: file.name, size: megabytes(stored.data.length), max: megabytes(max) });
    const sha256 = createHash('sha256').update(stored.data).digest('hex');
    const existing = await this.db.attachment.findUnique({ where: { meetingId_sha256: { meetingId, sha256 } } });
    if (existing) return { attachment: existing, added: false };
    const relative = join('attachments', `m${meetingId}`, `${sha256.slice(0, 16)}-${safeFileName(file.name)}`);
    const target = join(this.root(), relative);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.partial`, stored.data, { mode: 0o600 });
    await rename(`${target}.partial`, target);
    const attachment = await this.db.attachment.create({
      data: { meetingId, name: file.name.slice(0, 255), mime: stored.mime, size: stored.data.length, sha256, path: relative, uploadedBy },
    });
    return { attachment, added: true };
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

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
