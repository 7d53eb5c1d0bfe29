/**
 * The PostgreSQL test project's database server: TEST_DATABASE_URL (a superuser URL to a
 * maintenance database) if set, else a private cluster under a temporary folder. Migrations are
 * applied once to a template database; each test app gets a copy (CREATE DATABASE ... TEMPLATE).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrate.js';
import { startPrivatePostgres } from '../../src/db/private-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the maintenance database; test databases are created beside it. */
    postgresUrl: string;
  }
}

export const TEMPLATE_DATABASE = 'huiwu_test_template';

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  let stop = async () => undefined as void;
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const folder = mkdtempSync(join(tmpdir(), 'huiwu-test-pg-'));
    const server = await startPrivatePostgres(folder);
    url = server.url;
    stop = async () => {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await applyMigrations({ databaseUrl: databaseUrl(url, TEMPLATE_DATABASE) });
  project.provide('postgresUrl', url);
  return stop;
}
