/**
 * Starts the real app in this process for a test: real Redis (a unique queue prefix per app),
 * a fresh SQLite file with the real migrations, a real HTTP port. Nothing of ours is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { createHuiwu, type HuiwuApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { TEMPLATE_DATABASE, databaseUrl } from './postgres-setup.js';
import { SimClient } from './sim-client.js';

export interface TestApp {
  app: HuiwuApp;
  baseUrl: string;
  sim: SimClient;
  env: Record<string, string>;
  /** Stops the app but keeps its database and queues, to start it again with `restart`. */
  stop(): Promise<void>;
  restart(): Promise<TestApp>;
  close(): Promise<void>;
}

/** True in the PostgreSQL test project (vitest.config.ts): every test app gets its own PostgreSQL database. */
export const onPostgres = process.env.HUIWU_TEST_DB === 'postgresql';

/** A fresh copy of the migrated template database. */
async function newPostgresDatabase(): Promise<string> {
  const server = inject('postgresUrl');
  const name = `t${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(server, name);
}

async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: inject('postgresUrl') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** The environment of a test app: its own data folder, database (SQLite file or PostgreSQL database) and queue prefix. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'huiwu-test-'));
  return {
    DATABASE_URL: onPostgres ? await newPostgresDatabase() : `file:${join(dir, 'huiwu.db')}`,
    HUIWU_QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    REDIS_URL: inject('redisUrl'),
    HUIWU_DATA_DIR: dir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    HUIWU_SEND_BACKOFF_MS: '50',
    // Tests send bursts from one person; the per-person budget has its own test.
    HUIWU_RATE_LIMIT_USER_PER_MINUTE: '100000',
    ...overrides,
  };
}

/** `log`: where the app logs (tests that read the log pass a logger writing to memory). */
export async function startTestApp(overrides: Record<string, string> = {}, envIn?: Record<string, string>, log?: Logger): Promise<TestApp> {
  const env = envIn ?? (await testEnv(overrides));
  const config = loadConfig(env);
  await applyMigrations({ databaseUrl: config.DATABASE_URL });
  const app = await createHuiwu(config, config.REDIS_URL!, log ?? pino({ level: config.LOG_LEVEL }));
  const address = await app.server.listen({ port: 0, host: '127.0.0.1' });
  // Without the simulator (platform tests) `sim` still works for the HTTP parts but has no page API.
  const sim = new SimClient(address, app.simulator);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    app,
    baseUrl: address,
    sim,
    env,
    stop,
    restart: async () => {
      await stop();
      return startTestApp({}, env, log);
    },
    close: async () => {
      await stop();
      await removeTestData(env);
    },
  };
}

/** Removes what testEnv created: the data folder, and the PostgreSQL database. */
export async function removeTestData(env: Record<string, string>): Promise<void> {
  rmSync(env.HUIWU_DATA_DIR!, { recursive: true, force: true });
  if (env.DATABASE_URL?.startsWith('postgresql://')) await dropPostgresDatabase(env.DATABASE_URL);
}
