/**
 * `createPrisma` for the app: loads only the client of the database in use. Each generated client
 * with its adapter and driver is ~0.25 s and a few MB to load; the other one is never needed.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { DatabaseOptions } from './client.js';
import { databaseKind } from './database-url.js';

export async function openPrisma(databaseUrl: string, options: DatabaseOptions = {}): Promise<PrismaClient> {
  if (databaseKind(databaseUrl) === 'postgresql') return (await import('./postgres-client.js')).createPostgresPrisma(databaseUrl, options.poolSize ?? 10);
  return (await import('./sqlite-client.js')).createSqlitePrisma(databaseUrl, options.sqliteSync);
}
