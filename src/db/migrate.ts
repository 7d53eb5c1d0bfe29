/**
 * Applies pending Prisma migrations without the Prisma CLI (which needs a native engine
 * download). Same layout, same `_prisma_migrations` bookkeeping as `prisma migrate deploy`: the
 * work is done by Prisma's own schema engine (WebAssembly build). SQLite's history is
 * prisma/migrations, PostgreSQL's prisma/migrations-postgresql (derived, see docs/database.md).
 * Every start calls this, so the engine and the PostgreSQL driver are loaded only when needed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { fileURLToPath } from 'node:url';
import { databaseKind, displayDatabaseUrl, type DatabaseKind } from './database-url.js';
import type { OpenSchemaEngineOptions, SchemaEngineHandle } from './schema-engine.js';
import { sqliteFilePath } from './sqlite-url.js';

export type { MigrationList };

export const MIGRATION_LOCK_FILE = 'migration_lock.toml';

const PRISMA_DIR = fileURLToPath(new URL('../../prisma/', import.meta.url));
/** The committed migration history of each database. */
export function migrationsDirOf(kind: DatabaseKind): string {
  return path.join(PRISMA_DIR, kind === 'postgresql' ? 'migrations-postgresql' : 'migrations');
}
const BUSY_TIMEOUT_MS = 5000;
/** How long a process waits for another process that is applying migrations. */
const MIGRATE_LOCK_TIMEOUT_MS = 120_000;

/**
 * Reads a migrations directory the way the Prisma CLI does: every sub-directory, sorted by name,
 * with its `migration.sql` (a read error is passed on to the engine, which reports it).
 */
export async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const lockContent = await readFile(path.join(baseDir, MIGRATION_LOCK_FILE), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories: MigrationList['migrationDirectories'] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const content = await readFile(path.join(baseDir, entry.name, 'migration.sql'), 'utf8').then(
      (value) => ({ tag: 'ok' as const, value }),
      (err: unknown) => ({ tag: 'error' as const, value: err instanceof Error ? err.message : String(err) }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: lockContent },
    migrationDirectories,
    shadowDbInitScript: '',
  };
}

/** The `provider` named in a migration_lock.toml text, or undefined. */
export function lockfileProvider(content: string | null): string | undefined {
  return content?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
}

/** The schema engine (WebAssembly, a few MB), loaded when a migration is to be applied. */
async function openSchemaEngine(opts: OpenSchemaEngineOptions): Promise<SchemaEngineHandle> {
  const engine = await import('./schema-engine.js');
  return engine.openSchemaEngine(opts);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/**
 * Read-only check: the names of local migrations not yet recorded as applied, or `undefined`
 * when the engine must decide (no migrations table, a failed migration, an unreadable file).
 */
function pendingFromDatabase(
  file: string,
  list: MigrationList,
  log: ((line: string) => void) | undefined,
): string[] | undefined {
  if (!existsSync(file)) return undefined;
  if (list.migrationDirectories.some((m) => m.migrationFile.content.tag !== 'ok')) return undefined;
  const db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!table) return undefined;
    const rows = db
      .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations')
      .all() as AppliedRow[];
    if (rows.some((r) => r.finished_at == null && r.rolled_back_at == null)) return undefined;
    const applied = new Map<string, string>();
    for (const r of rows) if (r.finished_at != null && r.rolled_back_at == null) applied.set(r.migration_name, r.checksum);
    const pending: string[] = [];
    for (const m of list.migrationDirectories) {
      const checksum = applied.get(m.path);
      if (checksum === undefined) {
        pending.push(m.path);
        continue;
      }
      const content = m.migrationFile.content.tag === 'ok' ? m.migrationFile.content.value : '';
      if (checksum !== sha256(content) && checksum !== sha256(content.replace(/\r\n/g, '\n'))) {
        log?.(`warning: migration ${m.path} was modified after it was applied`);
      }
    }
    return pending;
  } finally {
    db.close();
  }
}

/**
 * Serialises migration runs between processes sharing one database file: an exclusive SQLite
 * lock on `<db>.migrate-lock`, released by the OS if the process dies.
 */
async function withMigrateLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = new Database(`${file}.migrate-lock`, { timeout: MIGRATE_LOCK_TIMEOUT_MS });
  try {
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return await fn();
    } finally {
      lock.exec('ROLLBACK');
    }
  } finally {
    lock.close();
  }
}

/**
 * Applies every pending migration in `migrationsDir` (`<timestamp>_<name>/migration.sql` plus
 * `migration_lock.toml`) to the SQLite database at `databaseUrl` (`file:./data/huiwu.db`, relative
 * to the process cwd, or `file:/abs/path.db`) and records them in `_prisma_migrations`.
 * Returns the names applied, `[]` when the database was up to date (checked without loading the
 * engine). Safe to call at every start, also from several processes at once.
 */
export async function applyMigrations(opts: {
  databaseUrl: string;
  /** Default: the committed history of the URL's database. */
  migrationsDir?: string;
  log?: (line: string) => void;
}): Promise<string[]> {
  const { log } = opts;
  const kind = databaseKind(opts.databaseUrl);
  const migrationsDir = opts.migrationsDir ?? migrationsDirOf(kind);
  if (kind === 'postgresql') return applyPostgresMigrations(opts.databaseUrl, migrationsDir, log);
  const file = sqliteFilePath(opts.databaseUrl, process.cwd());
  if (file === ':memory:') throw new Error('applyMigrations needs a SQLite file, not :memory:');
  const list = await readMigrationsList(migrationsDir);
  const provider = lockfileProvider(list.lockfile.content);
  if (list.lockfile.content !== null && provider !== 'sqlite') {
    throw new Error(
      `${path.join(list.baseDir, MIGRATION_LOCK_FILE)} is for provider "${provider ?? '?'}", this database is SQLite`,
    );
  }
  await mkdir(path.dirname(file), { recursive: true });
  if (list.migrationDirectories.length === 0) return [];

  if (pendingFromDatabase(file, list, log)?.length === 0) return [];

  return withMigrateLock(file, async () => {
    const handle = await openSchemaEngine({
      sqliteFile: file,
      log: (line) => {
        if (log && /"level":"(WARN|ERROR)"/.test(line)) log(`schema-engine: ${line}`);
      },
    });
    try {
      const { appliedMigrationNames } = await handle.engine.applyMigrations({
        migrationsList: list,
        filters: { externalTables: [], externalEnums: [] },
      });
      for (const name of appliedMigrationNames) log?.(`Applied migration ${name}`);
      return appliedMigrationNames;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`Applying migrations from ${list.baseDir} to ${file} failed: ${message}`, { cause: err });
    } finally {
      await handle.close();
    }
  });
}

/** The PostgreSQL counterpart of pendingFromDatabase: read-only, `undefined` when the engine must decide. */
async function pendingFromPostgres(databaseUrl: string, list: MigrationList): Promise<string[] | undefined> {
  if (list.migrationDirectories.some((m) => m.migrationFile.content.tag !== 'ok')) return undefined;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const table = await client.query("SELECT to_regclass('_prisma_migrations') AS t");
    if (!table.rows[0]?.t) return undefined;
    const rows = (await client.query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations')).rows as AppliedRow[];
    if (rows.some((r) => r.finished_at == null && r.rolled_back_at == null)) return undefined;
    const applied = new Set(rows.filter((r) => r.finished_at != null && r.rolled_back_at == null).map((r) => r.migration_name));
    return list.migrationDirectories.map((m) => m.path).filter((name) => !applied.has(name));
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The same on PostgreSQL. The engine serialises concurrent runs itself (an advisory lock, as
 * `prisma migrate deploy` does), so several instances may start at once.
 */
async function applyPostgresMigrations(databaseUrl: string, migrationsDir: string, log?: (line: string) => void): Promise<string[]> {
  const list = await readMigrationsList(migrationsDir);
  const provider = lockfileProvider(list.lockfile.content);
  if (list.lockfile.content !== null && provider !== 'postgresql') {
    throw new Error(`${path.join(list.baseDir, MIGRATION_LOCK_FILE)} is for provider "${provider ?? '?'}", this database is PostgreSQL`);
  }
  if (list.migrationDirectories.length === 0) return [];
  // Every start calls this; loading the engine (seconds) only when something is pending.
  if ((await pendingFromPostgres(databaseUrl, list))?.length === 0) return [];
  const handle = await openSchemaEngine({
    postgresUrl: databaseUrl,
    log: (line) => {
      if (log && /"level":"(WARN|ERROR)"/.test(line)) log(`schema-engine: ${line}`);
    },
  });
  try {
    const { appliedMigrationNames } = await handle.engine.applyMigrations({ migrationsList: list, filters: { externalTables: [], externalEnums: [] } });
    for (const name of appliedMigrationNames) log?.(`Applied migration ${name}`);
    return appliedMigrationNames;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`Applying migrations from ${list.baseDir} to ${displayDatabaseUrl(databaseUrl)} failed: ${message}`, { cause: err });
  } finally {
    await handle.close();
  }
}
