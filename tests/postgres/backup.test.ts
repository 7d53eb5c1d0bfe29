/**
 * PostgreSQL backups: one taken (pg_dump) while rows are being written, restored with
 * `npm run db:restore` into a fresh database, holds every row committed before it started and a
 * consistent cut of the rest; a restore into the database of a running instance is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl } from '../support/postgres-setup.js';
import { onPostgres, startTestApp, type TestApp } from '../support/harness.js';
import { runRestore } from '../support/restore-script.js';

const KEY = randomBytes(32).toString('hex');
const backupDir = mkdtempSync(join(tmpdir(), 'huiwu-pg-backup-test-'));
const fresh = `r${randomBytes(6).toString('hex')}`;
let t: TestApp | null = null;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await t?.close();
  if (onPostgres) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`));
  rmSync(backupDir, { recursive: true, force: true });
});

/** Runs the restore script on `url`. */
const restore = (file: string, url: string) => runRestore(file, { DATABASE_URL: url, HUIWU_BACKUP_KEY: KEY, HUIWU_DATA_DIR: backupDir });

describe.runIf(onPostgres)('PostgreSQL backups', () => {
  it('a backup taken during writes restores into a fresh database with every row committed before it', async () => {
    t = await startTestApp({ HUIWU_BACKUP_DIR: backupDir, HUIWU_BACKUP_KEY: KEY });
    const { db } = t.app.services;
    const text = (i: number) => `backup-row-${String(i).padStart(5, '0')}`;
    // A writer that commits one row after another until told to stop.
    let committed = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        await db.simMessage.create({ data: { conversationId: 'backup-test', fromId: 'writer', text: text(committed) } });
        committed++;
      }
    })();
    while (committed < 50) await new Promise((r) => setTimeout(r, 10));
    const committedBefore = committed;
    const backup = await t.app.backup.run();
    const committedAfterBackup = committed;
    while (committed < committedAfterBackup + 20) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await writer;
    expect(readdirSync(backupDir)).toContain(backup.name);
    const users = await db.user.count();

    // Refused while the app (application_name huiwu) is connected to the target database.
    const refused = await restore(join(backupDir, backup.name), t.env.DATABASE_URL!);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toContain('Huiwu is running');

    await admin((c) => c.query(`CREATE DATABASE ${fresh}`));
    const target = databaseUrl(inject('postgresUrl'), fresh);
    const restored = await restore(join(backupDir, backup.name), target);
    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toContain(`${users} user(s)`);

    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      const rows = (await client.query<{ text: string }>(`SELECT "text" FROM "SimMessage" WHERE "conversationId" = 'backup-test' ORDER BY "text"`)).rows.map((r) => r.text);
      // One snapshot: the first k rows, none missing in between, at least all committed before the backup began.
      expect(rows.length).toBeGreaterThanOrEqual(committedBefore);
      expect(rows.length).toBeLessThan(committed);
      expect(rows).toEqual(Array.from({ length: rows.length }, (_, i) => text(i)));
      expect(Number((await client.query('SELECT COUNT(*) AS n FROM "User"')).rows[0].n)).toBe(users);
      const migrations = await client.query('SELECT COUNT(*) AS n FROM _prisma_migrations');
      expect(Number(migrations.rows[0].n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });
});
