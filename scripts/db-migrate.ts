/**
 * `npm run db:migrate`: applies pending migrations (prisma/migrations) to DATABASE_URL
 * (default file:./data/huiwu.db, relative to the current folder), offline.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../src/db/migrate.js';
import { sqliteFilePath } from '../src/db/sqlite-url.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const databaseUrl = process.env.DATABASE_URL || 'file:./data/huiwu.db';

try {
  const file = sqliteFilePath(databaseUrl, process.cwd());
  const applied = await applyMigrations({
    databaseUrl,
    migrationsDir: path.join(root, 'prisma', 'migrations'),
    log: (line) => console.log(line),
  });
  console.log(
    applied.length === 0
      ? `Database ${file} is up to date, no migration applied.`
      : `Applied ${applied.length} migration(s) to ${file}.`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
