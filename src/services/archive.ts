/**
 * Archive packs (`会议 归档 #N`): once the close-out checklist is empty (or forced, with the reason
 * recorded), one zip of the meeting (summary.html with KPIs, charts and the review; attendees,
 * check-in log, incidents, tasks, surveys, budget, attachments) is built, encrypted at rest
 * (archive-files.ts) and recorded with its SHA-256. Organizers download it through a single-use
 * sign-in link the bot DMs them (route `/archive/packs/<id>`, src/web/archive.ts) or the admin API;
 * every download is a row in ArchiveDownload.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.js';
import { sha256File } from '../db/backup-file.js';
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { Translator } from '../i18n/translator.js';
import { PRIORITY, jobIdPart } from '../queue/queues.js';
import { type ArchiveContent, type PackEntry, textEntry } from './archive-content.js';
import { type ArchiveFiles, packStem } from './archive-files.js';
import { summaryHtml } from './archive-summary.js';
import type { CloseoutService } from './closeout.js';
import type { UserRecord } from './directory.js';
import type { LocaleService } from './locales.js';
import type { MeetingReviewService } from './meeting-review.js';
import type { MeetingRow } from './meetings.js';
import type { Outbox } from './outbox.js';
import type { PageAccess } from './page-access.js';
import type { Logger } from 'pino';

declare module './services.js' {
  interface Services {
    archive: ArchiveService;
  }
}

export type ArchivePackRow = NonNullable<Awaited<ReturnType<PrismaClient['archivePack']['findUnique']>>>;
export type DownloadVia = 'link' | 'admin-api';

export const archivePackPath = (packId: number) => `/archive/packs/${packId}`;
/** Reasons are stored and shown; a paragraph is enough. */
export const MAX_REASON = 200;

/** A decrypted pack ready to stream. */
export interface OpenedPack {
  stream: Readable;
  name: string;
  size: number;
}

export class ArchiveService {
  constructor(
    private readonly db: PrismaClient,
    private readonly config: Config,
    private readonly files: ArchiveFiles,
    private readonly content: ArchiveContent,
    private readonly review: MeetingReviewService,
    private readonly closeout: Pick<CloseoutService, 'openItems'>,
    private readonly locales: LocaleService,
    private readonly outbox: Outbox,
    private readonly pageAccess: PageAccess,
    private readonly log: Logger,
  ) {}

  /**
   * Builds, encrypts and records the pack. Refused while the close-out checklist has open items
   * (listed with their commands in `t`, the requester's language) unless `forcedReason` is given.
   */
  async build(meeting: MeetingRow, user: UserRecord, forcedReason: string | null, now: Date, t: Translator): Promise<ArchivePackRow> {
    const open = await this.closeout.openItems(meeting.id, t);
    if (open.length > 0 && !forcedReason) {
      throw new UserError('E_ARCHIVE_BLOCKED', { id: meeting.id, count: open.length, lines: open.map((i) => t.t('closeout.card.item', { text: i.text, command: i.command })).join('\n') });
    }
    // The pack speaks the organizers' group's language (Chinese unless the group chose otherwise).
    const gt = await this.locales.forConversation(meeting.conversationId);
    const openTexts = forcedReason ? (await this.closeout.openItems(meeting.id, gt)).map((i) => i.text) : [];
    const entries = await this.content.entries(gt, meeting, user.id, now);
    const review = await this.review.compute(meeting, now);
    const summary = textEntry(
      'summary.html',
      summaryHtml(gt, {
        review,
        sections: this.review.sections(gt, review),
        followUps: this.review.followUpTexts(gt, review),
        files: entries,
        builtBy: user.name,
        builtAt: now,
        forcedReason,
        openItems: openTexts,
        perMinuteTarget: this.config.HUIWU_CHECKIN_TARGET_PER_MINUTE,
        fontFile: this.config.HUIWU_CJK_FONT,
      }),
    );
    const zip = await this.files.scratch('pack.zip');
    try {
      await writeZip(zip, [summary, ...entries], now);
      const [sha256, { size }] = await Promise.all([sha256File(zip), stat(zip)]);
      const stem = packStem(meeting.id, now);
      const { file, encSha256 } = await this.files.store(zip, meeting.id, stem);
      const pack = await this.db.archivePack.create({
        data: { meetingId: meeting.id, file, sha256, encSha256, size, builtBy: user.id, forcedReason, openItems: open.length, createdAt: now },
      });
      this.log.info({ meetingId: meeting.id, packId: pack.id, size, forced: forcedReason !== null, openItems: open.length }, 'archive pack built');
      return pack;
    } finally {
      await this.files.remove(zip);
    }
  }

  /** The meeting's packs still on disk, newest first. */
  async list(meetingId: number): Promise<ArchivePackRow[]> {
    return this.db.archivePack.findMany({ where: { meetingId, removedAt: null }, orderBy: { id: 'desc' } });
  }

  async get(packId: number): Promise<ArchivePackRow | null> {
    return this.db.archivePack.findUnique({ where: { id: packId } });
  }

  /** The file name a downloader gets. */
  downloadName(pack: ArchivePackRow): string {
    return packStem(pack.meetingId, pack.createdAt) + '.zip';
  }

  /**
   * Decrypts a pack for one download and logs it (who, which, how). The caller has checked that
   * `userId` may read it.
   */
  async open(pack: ArchivePackRow, userId: string, via: DownloadVia): Promise<OpenedPack> {
    if (pack.removedAt) throw new UserError('E_ARCHIVE_REMOVED', { pack: pack.id });
    const path = await this.files.open(pack.file);
    // The open handle keeps the bytes readable; the name goes at once, so no decrypted copy
    // outlives the download (not even after a crash mid-stream).
    const handle = await open(path, 'r').finally(() => this.files.remove(path));
    await this.db.archiveDownload.create({ data: { packId: pack.id, userId, via } });
    this.log.info({ packId: pack.id, meetingId: pack.meetingId, userId, via }, 'archive pack downloaded');
    return { stream: handle.createReadStream(), name: this.downloadName(pack), size: pack.size };
  }

  async downloads(packId: number) {
    return this.db.archiveDownload.findMany({ where: { packId }, orderBy: { id: 'asc' } });
  }

  /** DMs `user` a single-use sign-in link that downloads the pack; `key` keeps one message per request. */
  async sendLink(user: UserRecord, pack: ArchivePackRow, key: string): Promise<void> {
    const url = await this.pageAccess.issueLink(user.id, archivePackPath(pack.id));
    const t = this.locales.ofUser(user);
    await this.outbox.enqueue({
      id: `archive-link-${pack.id}-${jobIdPart(key)}`,
      target: { kind: 'user', userId: user.id },
      content: { type: 'text', text: t.t('archive.link', { pack: pack.id, id: pack.meetingId, url, minutes: Math.round(this.config.HUIWU_PAGE_LINK_TTL.ms / 60_000), sha256: pack.sha256 }) },
      priority: PRIORITY.interactive,
    });
  }

  /** Where the encrypted file is (for operators and tests). */
  storedPath(pack: ArchivePackRow): string {
    return this.files.absolute(pack.file);
  }
}

/** Writes the entries into one zip file (deflated; PNGs and attachments stored as they are). */
async function writeZip(target: string, entries: readonly PackEntry[], now: Date): Promise<void> {
  // Loaded when an archive is packed, not at every start.
  const { default: yazl } = await import('yazl');
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    const compress = !/\.(png|jpe?g|gif|zip|pdf|mp4|docx|xlsx|pptx)$/i.test(e.name);
    if (e.data) zip.addBuffer(e.data, e.name, { mtime: now, compress });
    else zip.addReadStream(createReadStream(e.path!), e.name, { mtime: now, compress, size: e.size });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(target, { mode: 0o600 }));
}
