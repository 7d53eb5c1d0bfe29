/**
 * `npm run db:restore -- <backup file>`: restores a backup (HUIWU_BACKUP_DIR/huiwu-<time>.db.enc)
 * into DATABASE_URL (a SQLite file, or a PostgreSQL database through pg_restore) after checking its SHA-256 and decrypting it with HUIWU_BACKUP_KEY (or the key
 * derived from HUIWU_PII_KEY, or from $HUIWU_DATA_DIR/pii.key in demo mode). Refuses while Huiwu runs
 * on that database (PostgreSQL: while a connection named `huiwu` is open on it). Reads .env like `npm start`. See docs/operations.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';
import { BackupFileError } from '../src/db/backup-file.js';
import { databaseKind, displayDatabaseUrl } from '../src/db/database-url.js';
import { restoreBackup, restorePostgresBackup } from '../src/db/restore.js';
import { sqliteFilePath } from '../src/db/sqlite-url.js';
import { backupKeyOf } from '../src/secrets.js';
import { parsePiiKey } from '../src/services/pii.js';

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error('Usage: npm run db:restore -- <backup file>   (e.g. data/backups/huiwu-20261201T080000Z.db.enc)');
  process.exit(2);
}
if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const config = loadConfig();
  const storedKey = join(resolve(config.HUIWU_DATA_DIR), 'pii.key');
  const piiText = config.HUIWU_PII_KEY ?? (existsSync(storedKey) ? readFileSync(storedKey, 'utf8') : null);
  const piiKey = piiText ? parsePiiKey(piiText) : null;
  if (!config.HUIWU_BACKUP_KEY && !piiKey) {
    throw new BackupFileError(`no key: set HUIWU_BACKUP_KEY (or HUIWU_PII_KEY the backup was taken with), or put the demo key at ${storedKey}`);
  }
  const key = backupKeyOf(config, piiKey ?? Buffer.alloc(32));
  const postgres = databaseKind(config.DATABASE_URL) === 'postgresql';
  const target = postgres ? displayDatabaseUrl(config.DATABASE_URL) : sqliteFilePath(config.DATABASE_URL, process.cwd());
  const result = postgres ? await restorePostgresBackup(resolve(file), config.DATABASE_URL, key) : await restoreBackup(resolve(file), target, key);
  console.log(`Restored ${file} into ${target}: ${result.meetings} meeting(s), ${result.users} user(s).`);
  if (result.previous) console.log(`The previous database was kept as ${result.previous}.`);
  console.log('Start Huiwu as usual (npm start); pending migrations are applied at start.');
} catch (error) {
  if (error instanceof BackupFileError || error instanceof ConfigError) {
    console.error(`Restore refused: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
