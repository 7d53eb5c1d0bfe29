/** The Prisma client on SQLite (through better-sqlite3); see client.ts. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.js';
import { sqliteFilePath } from './sqlite-url.js';
import { registerSqliteFactory } from './sqlite-direct.js';
import { type SqliteSync, withStatementCache } from './sqlite-statements.js';

/** SQLite busy timeout: how long a write waits for another connection's lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * A Prisma client on the SQLite database at `databaseUrl` (`file:./data/huiwu.db`, relative to
 * the process cwd, or `file:/abs/path.db`). The database is switched to WAL mode (persistent in
 * the file) and every connection waits up to 5 s on a lock, so the app and a test process can
 * use the same file. Run `applyMigrations` first; the client does not create tables.
 */
export function createSqlitePrisma(databaseUrl: string, sync: SqliteSync = 'normal'): PrismaClient {
  const file = sqliteFilePath(databaseUrl, process.cwd());
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
  }
  const adapter = withStatementCache(new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }), sync);
  const client = new PrismaClient({ adapter });
  registerSqliteFactory(client, adapter);
  return client;
}
