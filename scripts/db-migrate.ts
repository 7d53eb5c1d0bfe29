/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (default file:./data/huiwu.db,
 * relative to the current folder), offline: prisma/migrations for SQLite,
 * prisma/migrations-postgresql for PostgreSQL.
 */
import { databaseKind, displayDatabaseUrl } from '../src/db/database-url.js';
import { applyMigrations } from '../src/db/migrate.js';
import { sqliteFilePath } from '../src/db/sqlite-url.js';

const databaseUrl = process.env.DATABASE_URL || 'file:./data/huiwu.db';

try {
  const where = databaseKind(databaseUrl) === 'sqlite' ? sqliteFilePath(databaseUrl, process.cwd()) : displayDatabaseUrl(databaseUrl);
  const applied = await applyMigrations({ databaseUrl, log: (line) => console.log(line) });
  console.log(applied.length === 0 ? `Database ${where} is up to date, no migration applied.` : `Applied ${applied.length} migration(s) to ${where}.`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
