import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-pg/client.js';
import { HUIWU_APPLICATION_NAME, databaseKind } from './database-url.js';
import { sqliteFilePath } from './sqlite-url.js';
import { registerSqliteFactory } from './sqlite-direct.js';
import { withStatementCache } from './sqlite-statements.js';

export type { PrismaClient };

/** SQLite busy timeout: how long a write waits for another connection's lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * A Prisma client on the database `databaseUrl` names: PostgreSQL (`postgresql://...`, through
 * `@prisma/adapter-pg` with a pool of `poolSize` connections) or SQLite. The PostgreSQL client is
 * generated from the derived schema (prisma/postgresql/schema.prisma): the same models, so it is
 * typed as the SQLite one.
 */
export function createPrisma(databaseUrl: string, { poolSize = 10, sqliteSync = 'normal' }: { poolSize?: number; sqliteSync?: 'normal' | 'full' } = {}): PrismaClient {
  if (databaseKind(databaseUrl) === 'postgresql') {
    // `application_name` marks our connections: a restore refuses while one is open (restore.ts).
    const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize, application_name: HUIWU_APPLICATION_NAME });
    return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  return createSqlitePrisma(databaseUrl, sqliteSync);
}

/**
 * A Prisma client on the SQLite database at `databaseUrl` (`file:./data/huiwu.db`, relative to
 * the process cwd, or `file:/abs/path.db`). The database is switched to WAL mode (persistent in
 * the file) and every connection waits up to 5 s on a lock, so the app and a test process can
 * use the same file. Run `applyMigrations` first; the client does not create tables.
 */
function createSqlitePrisma(databaseUrl: string, sync: 'normal' | 'full'): PrismaClient {
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
