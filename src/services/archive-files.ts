/**
 * Archive packs on disk: `$HUIWU_DATA_DIR/archives/m<meeting>/meeting-<id>-<time>.zip.enc`, the
 * zip encrypted with the backup file format (src/db/backup-file.ts: AES-256-GCM, tag last) and a
 * `.sha256` beside it in `sha256sum` format. Opening one decrypts into a private temporary file
 * first, so nothing unauthenticated is ever served: a wrong key or a changed byte fails there.
 */
import { hkdfSync } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import { checksumLine, decryptFile, encryptFile } from '../db/backup-file.js';
import type { PrismaClient } from '../db/client.js';
import { parsePiiKey } from './pii.js';

const DAY_MS = 86_400_000;
export const PACK_SUFFIX = '.zip.enc';

/**
 * HUIWU_ARCHIVE_KEY when set, else derived from the PII key with its own label: one secret to keep
 * still opens the packs, and the pack key is neither the PII key nor the backup key.
 */
export function archiveKey(config: Pick<Config, 'HUIWU_ARCHIVE_KEY'>, piiKey: Buffer): Buffer {
  if (config.HUIWU_ARCHIVE_KEY) {
    const key = parsePiiKey(config.HUIWU_ARCHIVE_KEY);
    if (!key) throw new Error('HUIWU_ARCHIVE_KEY must be 32 bytes (64 hex characters)');
    return key;
  }
  return Buffer.from(hkdfSync('sha256', piiKey, Buffer.alloc(0), 'huiwu-archive-v1', 32));
}

/** `meeting-7-20261201T080000Z` */
export function packStem(meetingId: number, at: Date): string {
  return `meeting-${meetingId}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export class ArchiveFiles {
  constructor(
    private readonly dataDir: string,
    private readonly key: Buffer,
  ) {}

  private root(): string {
    return resolve(this.dataDir);
  }

  /** A private scratch path under the data folder (same file system as the packs). */
  async scratch(name: string): Promise<string> {
    const dir = join(this.root(), 'archives', 'tmp');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}-${name}`);
  }

  /** Encrypts the finished zip into its place; returns the path relative to the data folder and the stored file's SHA-256. */
  async store(zipFile: string, meetingId: number, stem: string): Promise<{ file: string; encSha256: string }> {
    const file = join('archives', `m${meetingId}`, `${stem}${PACK_SUFFIX}`);
    const target = join(this.root(), file);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const encSha256 = await encryptFile(zipFile, target, this.key);
    await writeFile(`${target}.sha256`, checksumLine(encSha256, `${stem}${PACK_SUFFIX}`), { mode: 0o600 });
    return { file, encSha256 };
  }

  /** Decrypts a stored pack into a scratch file; the caller removes it (`remove`). Throws on a wrong key or a damaged file. */
  async open(file: string): Promise<string> {
    const plain = await this.scratch('pack.zip');
    try {
      await decryptFile(join(this.root(), file), plain, this.key);
    } catch (error) {
      await rm(plain, { force: true });
      throw error;
    }
    return plain;
  }

  absolute(file: string): string {
    return join(this.root(), file);
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}

/**
 * Retention: packs of meetings that ended more than `days` ago lose their file (and checksum); the
 * row stays with `removedAt`, so the list of what was built and downloaded survives. Beside the
 * attachments in the daily prune (src/services/retention.ts).
 */
export async function pruneArchivePacks(db: PrismaClient, dataDir: string, days: number, now: Date): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  const rows = await db.archivePack.findMany({ where: { removedAt: null }, select: { id: true, meetingId: true, file: true } });
  if (rows.length === 0) return 0;
  const meetings = await db.meeting.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.meetingId))] } }, select: { id: true, startAt: true, endAt: true } });
  const ended = new Map(meetings.map((m) => [m.id, m.endAt ?? m.startAt]));
  const doomed = rows.filter((r) => (ended.get(r.meetingId) ?? new Date(0)) < cutoff);
  for (const row of doomed) {
    const path = join(resolve(dataDir), row.file);
    await rm(path, { force: true });
    await rm(`${path}.sha256`, { force: true });
  }
  if (doomed.length > 0) await db.archivePack.updateMany({ where: { id: { in: doomed.map((r) => r.id) } }, data: { removedAt: now } });
  return doomed.length;
}
