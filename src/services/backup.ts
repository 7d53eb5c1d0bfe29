/**
 * Backups: an online, consistent copy of the database (SQLite's backup API through better-sqlite3;
 * on PostgreSQL `pg_dump`, one snapshot transaction; the app keeps writing meanwhile), encrypted with AES-256-GCM and written with
 * its SHA-256 to the backup folder and the optional second target, keeping the newest
 * HUIWU_BACKUP_KEEP in each. Run by the maintenance queue every HUIWU_BACKUP_INTERVAL. A backup
 * that fails (either target) is reported to every admin by DM. Restore: scripts/db-restore.ts.
 */
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { CHECKSUM_SUFFIX, backupName, checksumLine, encryptFile, isBackupName } from '../db/backup-file.js';
import { PRIORITY } from '../queue/queues.js';
import type { Directory } from './directory.js';
import type { LocaleService } from './locales.js';
import type { Outbox } from './outbox.js';

/** The database to copy. */
export type BackupSource = { kind: 'sqlite'; file: string } | { kind: 'postgresql'; url: string };

export interface BackupResult {
  name: string;
  sha256: string;
  /** The folders written, in order (local first). */
  written: string[];
  /** Old backups removed by retention. */
  removed: number;
}

export class BackupService {
  constructor(
    private readonly db: PrismaClient,
    private readonly source: BackupSource,
    private readonly config: Config,
    private readonly key: Buffer,
    private readonly outbox: Outbox,
    private readonly directory: Directory,
    private readonly locales: LocaleService,
    private readonly log: Logger,
  ) {}

  /** The folders written, local first. */
  targets(): string[] {
    const local = resolve(this.config.HUIWU_BACKUP_DIR ?? join(this.config.HUIWU_DATA_DIR, 'backups'));
    return this.config.HUIWU_BACKUP_REMOTE_DIR ? [local, resolve(this.config.HUIWU_BACKUP_REMOTE_DIR)] : [local];
  }

  /** Takes one backup; on failure alerts the admins and throws (the job is marked failed). */
  async run(now: Date = new Date()): Promise<BackupResult> {
    try {
      const result = await this.write(now);
      this.log.info({ ...result }, 'backup written');
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.error({ err: error }, 'backup failed');
      await this.alertAdmins(now, reason);
      throw error;
    }
  }

  private async write(now: Date): Promise<BackupResult> {
    const name = backupName(now);
    const work = await mkdtemp(join(tmpdir(), 'huiwu-backup-'));
    try {
      const copy = join(work, 'copy.db');
      await this.snapshot(copy);
      const encrypted = join(work, name);
      const sha256 = await encryptFile(copy, encrypted, this.key);
      let removed = 0;
      const written: string[] = [];
      const failures: string[] = [];
      for (const dir of this.targets()) {
        try {
          await this.place(encrypted, dir, name, sha256);
          written.push(dir);
          removed += await this.prune(dir);
        } catch (error) {
          failures.push(`${dir}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (failures.length > 0) throw new Error(`backup ${name} not written to ${failures.join('; ')}`);
      return { name, sha256, written, removed };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** One consistent state of the database, written to `copy`. */
  private async snapshot(copy: string): Promise<void> {
    if (this.source.kind === 'postgresql') {
      // The PostgreSQL tools (and driver) are loaded only where they are used.
      const { pgDump } = await import('../db/pg-tools.js');
      await pgDump(this.source.url, copy);
      return;
    }
    const source = new Database(this.source.file, { readonly: true, fileMustExist: true });
    try {
      // Page by page; a write by another connection meanwhile restarts the copy, so what lands is
      // one consistent state of the database.
      await source.backup(copy);
    } finally {
      source.close();
    }
  }

  /** Copies under a temporary name and renames, so a folder never holds half a backup under its real name. */
  private async place(encrypted: string, dir: string, name: string, sha256: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const partial = join(dir, `.${name}.partial`);
    await copyFile(encrypted, partial);
    await rename(partial, join(dir, name));
    await writeFile(join(dir, `.${name}${CHECKSUM_SUFFIX}.partial`), checksumLine(sha256, name));
    await rename(join(dir, `.${name}${CHECKSUM_SUFFIX}.partial`), join(dir, `${name}${CHECKSUM_SUFFIX}`));
  }

  /** Keeps the newest HUIWU_BACKUP_KEEP backups of a folder (names sort by time). */
  private async prune(dir: string): Promise<number> {
    const backups = (await readdir(dir)).filter(isBackupName).sort();
    const doomed = backups.slice(0, Math.max(0, backups.length - this.config.HUIWU_BACKUP_KEEP));
    for (const name of doomed) {
      await rm(join(dir, name), { force: true });
      await rm(join(dir, `${name}${CHECKSUM_SUFFIX}`), { force: true });
    }
    return doomed.length;
  }

  /** One DM per admin and failure, in their language; keyed by the attempt's time, so a retried alert is sent once. */
  private async alertAdmins(now: Date, reason: string): Promise<void> {
    try {
      const admins = await this.directory.idsWithRole('admin');
      const readers = await this.locales.forUsers(admins);
      await this.outbox.enqueueMany(
        admins.map((userId) => ({
          id: `backup-failed-${now.getTime()}-${userId}`,
          target: { kind: 'user' as const, userId },
          content: { type: 'text' as const, text: readers.get(userId)!.t('backup.failed', { time: now, reason: reason.slice(0, 300) }) },
          priority: PRIORITY.urgent,
        })),
      );
    } catch (error) {
      this.log.error({ err: error }, 'backup failure alert could not be queued');
    }
  }
}
