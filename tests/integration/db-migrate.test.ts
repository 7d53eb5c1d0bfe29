import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/db/migrate.js';
import { sqliteFilePath } from '../../src/db/sqlite-url.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const migrationsDir = path.join(root, 'prisma', 'migrations');

let tmp = '';
let dbFile = '';
let databaseUrl = '';

beforeAll(async () => {
  // The client is generated (gitignored); make sure it exists before client.ts is imported.
  const script = path.join(root, 'scripts', 'prisma-generate.mjs');
  const { generatePrismaClient } = (await import(script)) as {
    generatePrismaClient: (opts: { root: string; quiet?: boolean }) => Promise<unknown>;
  };
  await generatePrismaClient({ root, quiet: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'huiwu-db-'));
  dbFile = path.join(tmp, 'nested', 'test.db'); // the folder does not exist yet
  databaseUrl = `file:${dbFile}`;
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('sqliteFilePath', () => {
  it('resolves relative, absolute and file:// URLs', () => {
    expect(sqliteFilePath('file:./data/huiwu.db', '/srv/app')).toBe('/srv/app/data/huiwu.db');
    expect(sqliteFilePath('file:/tmp/x.db?connection_limit=1', '/srv/app')).toBe('/tmp/x.db');
    expect(sqliteFilePath('file:///tmp/y.db', '/srv/app')).toBe('/tmp/y.db');
    expect(() => sqliteFilePath('postgresql://localhost/huiwu', '/srv/app')).toThrow();
  });
});

describe('applyMigrations + createPrisma on a fresh SQLite file', () => {
  it('applies every migration once and records it in _prisma_migrations', async () => {
    const expected = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(expected.length).toBeGreaterThan(0);

    const lines: string[] = [];
    const applied = await applyMigrations({ databaseUrl, migrationsDir, log: (l) => lines.push(l) });
    expect(applied).toEqual(expected);
    expect(lines).toContain(`Applied migration ${expected[0]}`);

    const db = new Database(dbFile, { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
        )
        .all() as {
        migration_name: string;
        checksum: string;
        finished_at: string | null;
        rolled_back_at: string | null;
        applied_steps_count: number;
      }[];
      expect(rows.map((r) => r.migration_name)).toEqual(expected);
      for (const row of rows) {
        const sql = readFileSync(path.join(migrationsDir, row.migration_name, 'migration.sql'), 'utf8');
        expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    } finally {
      db.close();
    }

    const started = performance.now();
    expect(await applyMigrations({ databaseUrl, migrationsDir })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('writes and reads a User through createPrisma', async () => {
    const { createPrisma } = await import('../../src/db/client.js');
    const prisma = createPrisma(databaseUrl);
    try {
      await prisma.user.create({
        data: {
          id: 'u-1',
          platform: 'wecom',
          externalId: 'zhangsan',
          name: '张三',
          roles: JSON.stringify(['organizer']),
        },
      });
      const found = await prisma.user.findUnique({
        where: { platform_externalId: { platform: 'wecom', externalId: 'zhangsan' } },
      });
      expect(found).toMatchObject({ id: 'u-1', name: '张三', roles: '["organizer"]', department: null });
      expect(found?.createdAt).toBeInstanceOf(Date);
      const mode = await prisma.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
      expect(mode[0]?.journal_mode).toBe('wal');
    } finally {
      await prisma.$disconnect();
    }
  });
});
