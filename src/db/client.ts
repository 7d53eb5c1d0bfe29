import type { PrismaClient } from '../generated/prisma/client.js';
import { databaseKind } from './database-url.js';
import { createPostgresPrisma } from './postgres-client.js';
import { createSqlitePrisma } from './sqlite-client.js';

export type { PrismaClient };
export { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-client.js';

/**
 * A Prisma client on the database `databaseUrl` names: PostgreSQL (`postgresql://...`, through
 * `@prisma/adapter-pg` with a pool of `poolSize` connections) or SQLite (sqlite-client.ts: WAL
 * mode, a busy timeout; run `applyMigrations` first). Both clients are loaded here (tests,
 * benches, tools); the app loads only the one it uses with `openPrisma` (open-prisma.ts).
 */
export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  return databaseKind(databaseUrl) === 'postgresql' ? createPostgresPrisma(databaseUrl, poolSize) : createSqlitePrisma(databaseUrl);
}
