/**
 * Restores a backup written by the backup job (src/services/backup.ts) into the database file of a
 * stopped instance: the checksum must match, the file must decrypt with the key (a wrong key fails
 * the GCM tag), and the result must pass SQLite's integrity check and hold our migrations table.
 * The database it replaces is kept beside it as `<db>.before-restore-<time>`.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BackupFileError, decryptFile, readChecksum, sha256File } from './backup-file.js';
import { liveInstances } from './instances.js';

export interface RestoreResult {
  /** The previous database, moved aside (null: there was none). */
  previous: string | null;
  meetings: number;
  users: number;
}

export async function restoreBackup(backupFile: string, dbFile: string, key: Buffer, now: Date = new Date()): Promise<RestoreResult> {
  if (!existsSync(backupFile)) throw new BackupFileError(`no such file: ${backupFile}`);
  const expected = await readChecksum(backupFile);
  if (!expected) throw new BackupFileError(`the checksum file ${basename(backupFile)}.sha256 is missing or unreadable beside the backup`);
  const actual = await sha256File(backupFile);
  if (actual !== expected) throw new BackupFileError(`checksum mismatch: the backup is damaged (expected ${expected}, got ${actual})`);
  const running = liveInstances(dbFile);
  if (running.length > 0) throw new BackupFileError(`Huiwu is running on ${dbFile} (pid ${running.join(', ')}): stop it first`);

  await mkdir(dirname(dbFile), { recursive: true });
  const staged = join(dirname(dbFile), `.${basename(dbFile)}.restoring`);
  await rm(staged, { force: true });
  try {
    await decryptFile(backupFile, staged, key);
    const counts = inspect(staged);
    let previous: string | null = null;
    if (existsSync(dbFile)) {
      previous = `${dbFile}.before-restore-${now.toISOString().replace(/[-:.]/g, '')}`;
      // The WAL belongs to the old file: it moves with it, or SQLite would replay it into the restored one.
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(dbFile + suffix)) await rename(dbFile + suffix, previous + suffix);
    }
    await rename(staged, dbFile);
    return { previous, ...counts };
  } finally {
    await rm(staged, { force: true });
  }
}

function inspect(file: string): { meetings: number; users: number } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupFileError('the decrypted backup is not a SQLite database');
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupFileError(`the decrypted backup fails SQLite's integrity check: ${String(check)}`);
    const hasMigrations = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!hasMigrations) throw new BackupFileError('the decrypted backup is not a Huiwu database (no _prisma_migrations table)');
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    return { meetings: count('Meeting'), users: count('User') };
  } catch (error) {
    if (error instanceof BackupFileError) throw error;
    throw new BackupFileError(`the decrypted backup cannot be read: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}
