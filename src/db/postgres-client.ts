/** The Prisma client on PostgreSQL (through @prisma/adapter-pg); see client.ts. */
import { PrismaPg } from '@prisma/adapter-pg';
import type { PrismaClient } from '../generated/prisma/client.js';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-pg/client.js';
import { HUIWU_APPLICATION_NAME } from './database-url.js';

/**
 * The client is generated from the derived schema (prisma/postgresql/schema.prisma): the same
 * models, so it is typed as the SQLite one. A pool of `poolSize` connections.
 */
export function createPostgresPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  // `application_name` marks our connections: a restore refuses while one is open (restore.ts).
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize, application_name: HUIWU_APPLICATION_NAME });
  return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
}
