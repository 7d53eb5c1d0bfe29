/**
 * Entry point: validate configuration, apply migrations, connect Redis (or start the private one),
 * start the app, and shut down in order on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { createHuiwu } from './app.js';
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
  if (!config.REDIS_URL) privateRedis = await startPrivateRedis(resolve(root, config.HUIWU_DATA_DIR, 'redis'), (line) => log.info(line));
  const redisUrl = config.REDIS_URL ?? privateRedis!.url;

  const app = await createHuiwu(config, redisUrl, log);
  await app.server.listen({ port: config.PORT, host: config.HOST });
  log.info(`Huiwu is ready: simulator at http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}/`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await app.close();
    await privateRedis?.release();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
