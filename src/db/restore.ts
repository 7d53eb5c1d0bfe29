/**
 * Restores a backup written by the backup job (src/services/backup.ts) into the database file of a
 * stopped instance: the checksum must match, the file must decrypt with the key (a wrong key fails
 * the GCM tag), and the result must pass SQLite's integrity check and hold our migrations table.
 * The database it replaces is kept beside it as `<db>.before-restore-<time>`.
 *
 * PostgreSQL (`restorePostgresBackup`): the same checks of the file, then `pg_restore` of the
 * decrypted pg_dump archive into the configured database, in one transaction, once no Huiwu
 * connection (application_name `huiwu`, set on the app's pool) is open on it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import pg from 'pg';
import { HUIWU_APPLICATION_NAME, displayDatabaseUrl } from './database-url.js';
import { pgArchiveCheck, pgRestore } from './pg-tools.js';
import { BackupFileError, decryptFile, readChecksum, sha256File } from './backup-file.js';
import { liveInstances } from './instances.js';

export interface RestoreResult {
  /** The previous database, moved aside (null: there was none). */
  previous: string | null;
  meetings: number;
  users: number;
}

/** The backup's checksum must match the one written beside it. */
async function verifyChecksum(backupFile: string): Promise<void> {
  if (!existsSync(backupFile)) throw new BackupFileError(`no such file: ${backupFile}`);
  const expected = await readChecksum(backupFile);
  if (!expected) throw new BackupFileError(`the checksum file ${basename(backupFile)}.sha256 is missing or unreadable beside the backup`);
  const actual = await sha256File(backupFile);
  if (actual !== expected) throw new BackupFileError(`checksum mismatch: the backup is damaged (expected ${expected}, got ${actual})`);
}

export async function restoreBackup(backupFile: string, dbFile: string, key: Buffer, now: Date = new Date()): Promise<RestoreResult> {
  await verifyChecksum(backupFile);
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

/**
 * Restores a pg_dump backup into the PostgreSQL database `databaseUrl` (which must exist; it may
 * be empty). Its tables are replaced by the backup's in one transaction: a failure leaves it as
 * it was. Refused while a Huiwu instance is connected to it.
 */
export async function restorePostgresBackup(backupFile: string, databaseUrl: string, key: Buffer): Promise<RestoreResult> {
  await verifyChecksum(backupFile);
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new BackupFileError(`cannot connect to ${displayDatabaseUrl(databaseUrl)}: ${(error as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT COUNT(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()',
      [HUIWU_APPLICATION_NAME],
    );
    const connected = Number(rows[0]?.n ?? 0);
    if (connected > 0) throw new BackupFileError(`Huiwu is running on ${displayDatabaseUrl(databaseUrl)} (${connected} connection(s)): stop every instance first`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const work = await mkdtemp(join(tmpdir(), 'huiwu-restore-'));
  const archive = join(work, 'backup.dump');
  try {
    await decryptFile(backupFile, archive, key);
    await pgArchiveCheck(archive).catch(() => {
      throw new BackupFileError('the decrypted backup is not a pg_dump archive (a SQLite backup? restore it with a file: DATABASE_URL)');
    });
    await pgRestore(databaseUrl, archive);
    return { previous: null, ...(await countRows(databaseUrl)) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function countRows(databaseUrl: string): Promise<{ meetings: number; users: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (!(await client.query("SELECT to_regclass('_prisma_migrations') AS t")).rows[0]?.t) {
      throw new BackupFileError('the restored backup is not a Huiwu database (no _prisma_migrations table)');
    }
    const count = async (table: string) => Number((await client.query<{ n: string }>(`SELECT COUNT(*)::text AS n FROM "${table}"`)).rows[0]!.n);
    return { meetings: await count('Meeting'), users: await count('User') };
  } finally {
    await client.end().catch(() => undefined);
  }
}
