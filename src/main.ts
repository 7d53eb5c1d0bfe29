/**
 * Entry point: validate configuration, apply migrations, connect Redis (or start the private one),
 * start the app, and shut down in order on SIGINT/SIGTERM.
 *
 * A failed start stops what it started (the private Redis among them) before exiting with 1, and a
 * shutdown that does not finish within HUIWU_SHUTDOWN_TIMEOUT_MS (a dependency down, a job that
 * hangs) is forced: the process exits with 1, and unfinished jobs are retried by the next run.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { createHuiwu, type HuiwuApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { applyMigrations } from './db/migrate.js';
import { startPrivateRedis, type PrivateRedis } from './redis/private-redis.js';

async function main(): Promise<void> {
  // A local .env (see .env.example) fills in variables the environment does not set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.LOG_LEVEL });
  const root = process.cwd();

  const applied = await applyMigrations({ databaseUrl: config.DATABASE_URL, migrationsDir: join(root, 'prisma', 'migrations') });
  if (applied.length > 0) log.info({ applied }, 'database migrations applied');

  let privateRedis: PrivateRedis | null = null;
  let app: HuiwuApp | null = null;
  /** Stops whatever has been started, within the shutdown bound; then exits with `code`. */
  const shutdown = async (code: number, reason: string) => {
    const force = setTimeout(() => {
      log.error({ timeoutMs: config.HUIWU_SHUTDOWN_TIMEOUT_MS, reason }, 'shutdown did not finish in time; forcing exit');
      process.exit(1);
    }, config.HUIWU_SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      await app?.close();
    } catch (err) {
      log.error({ err }, 'error while stopping the app');
      code = code || 1;
    }
    try {
      await privateRedis?.release();
    } catch (err) {
      log.error({ err }, 'error while releasing the private Redis');
    }
    process.exit(code);
  };

  try {
    if (!config.REDIS_URL) {
      privateRedis = await startPrivateRedis(resolve(root, config.HUIWU_DATA_DIR, 'redis'), (line) => log.info(line), {
        appendfsync: config.HUIWU_REDIS_APPENDFSYNC,
      });
    }
    const redisUrl = config.REDIS_URL ?? privateRedis!.url;
    app = await createHuiwu(config, redisUrl, log);
    await app.server.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    log.fatal({ err: error }, `Huiwu could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(error instanceof ConfigError ? 2 : 1, 'failed start');
    return;
  }
  log.info(`Huiwu is ready: simulator at http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}/`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void shutdown(0, signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
