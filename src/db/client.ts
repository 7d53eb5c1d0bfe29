import type { PrismaClient } from '../generated/prisma/client.js';
import { databaseKind } from './database-url.js';
import { createPostgresPrisma } from './postgres-client.js';
import { createSqlitePrisma } from './sqlite-client.js';
import type { SqliteSync } from './sqlite-statements.js';

export type { PrismaClient };

export interface DatabaseOptions {
  /** PostgreSQL: connections in the pool (HUIWU_DB_POOL_SIZE). */
  poolSize?: number;
  /** SQLite: when a commit reaches the disk (HUIWU_SQLITE_SYNC). */
  sqliteSync?: SqliteSync;
}
export { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-client.js';

/**
 * A Prisma client on the database `databaseUrl` names: PostgreSQL (`postgresql://...`, through
 * `@prisma/adapter-pg` with a pool of `poolSize` connections) or SQLite (sqlite-client.ts: WAL
 * mode, a busy timeout; run `applyMigrations` first). Both clients are loaded here (tests,
 * benches, tools); the app loads only the one it uses with `openPrisma` (open-prisma.ts).
 */
export function createPrisma(databaseUrl: string, options: DatabaseOptions = {}): PrismaClient {
  return databaseKind(databaseUrl) === 'postgresql' ? createPostgresPrisma(databaseUrl, options.poolSize ?? 10) : createSqlitePrisma(databaseUrl, options.sqliteSync);
}
