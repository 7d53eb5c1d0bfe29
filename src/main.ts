/**
 * Entry point: validate configuration, apply migrations, connect Redis (or start the private one),
 * start the app, and shut down in order on SIGINT/SIGTERM.
 *
 * With HUIWU_WORKER_PROCESSES > 0 this process is the `web` one and runs the queue workers in
 * children of this same entry (src/worker-processes.ts); it applies the migrations before they
 * start, and stops them before its own shutdown. A `worker` process does not listen on HTTP.
 *
 * A failed start stops what it started (the private Redis among them) before exiting with 1, and a
 * shutdown that does not finish within HUIWU_SHUTDOWN_TIMEOUT_MS (a dependency down, a job that
 * hangs) is forced: the process exits with 1, and unfinished jobs are retried by the next run.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import { createHuiwu, type HuiwuApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { applyMigrations } from './db/migrate.js';
import { startPrivateRedis, type PrivateRedis } from './redis/private-redis.js';
import { reportReady, spawnedWorkerNumber, startWorkerProcesses, stopWithParent, type WorkerProcesses } from './worker-processes.js';

/**
 * Prisma's query compiler is WebAssembly (~3 MB), first compiled by V8's baseline compiler
 * (Liftoff) and then, in the background, re-compiled by its optimizing one (TurboFan): that second
 * compile kept ~75 MB of RSS for good in an idle app, while the queries it speeds up mostly hit
 * Prisma's plan cache (measured: same CPU per cached query). Set before the first query compiles
 * the module. See docs/deploy.md.
 */
setFlagsFromString('--liftoff-only');
/**
 * After each full GC the old generation may grow 30% past what is live, not V8's default (up to
 * 4x for a heap that collects fast): in a burst of 10,000 reminders ~60 MB stayed live while the
 * heap grew to ~230 MB of mostly garbage, RSS 344 MB. Measured on the reminders bench: peak RSS
 * 344 -> 215-218 MB, idle 196 -> 184-186 MB, app CPU per reminder and per command within the
 * runs' noise. See docs/deploy.md.
 */
setFlagsFromString('--heap-growing-percent=30');

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
  const workerNumber = spawnedWorkerNumber();
  const role = config.HUIWU_WORKER_PROCESSES > 0 ? 'web' : config.HUIWU_ROLE;
  const base = pino({ level: config.LOG_LEVEL });
  const log = workerNumber !== null ? base.child({ role, worker: workerNumber }) : role === 'all' ? base : base.child({ role });
  const root = process.cwd();

  // A spawned worker's parent has applied them.
  if (workerNumber === null) {
    const applied = await applyMigrations({ databaseUrl: config.DATABASE_URL });
    if (applied.length > 0) log.info({ applied }, 'database migrations applied');
  }

  let privateRedis: PrivateRedis | null = null;
  let app: HuiwuApp | null = null;
  let workerProcesses: WorkerProcesses | null = null;
  /**
   * Stops whatever has been started, then exits with `code`. The app gets most of the shutdown
   * bound; the private Redis is released even when the app did not finish closing (so no
   * redis-server is left behind), and the bound itself is never exceeded.
   */
  const shutdown = async (code: number, reason: string) => {
    const limit = config.HUIWU_SHUTDOWN_TIMEOUT_MS;
    const force = setTimeout(() => {
      log.error({ timeoutMs: limit, reason }, 'shutdown did not finish in time; forcing exit');
      process.exit(1);
    }, limit);
    force.unref();
    privateRedis?.stopWatching();
    // The children stop beside the web app, before the private Redis they use is released.
    const [closed] = await Promise.all([within(app?.close(), limit * 0.6), within(workerProcesses?.stop(limit * 0.5), limit * 0.6)]);
    if (closed !== 'done') {
      log.error({ reason, problem: closed }, 'the app did not close cleanly; exiting anyway (unfinished jobs are retried by the next run)');
      code = code || 1;
    }
    const released = await within(privateRedis?.release(), limit * 0.3);
    if (released !== 'done') log.error({ problem: released }, 'the private Redis was not released cleanly');
    process.exit(code);
  };
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void shutdown(0, signal);
  };
  // A spawned worker whose parent is gone (even while it starts) stops rather than run unsupervised.
  if (workerNumber !== null) stopWithParent(() => stop('parent process gone'));

  try {
    if (!config.REDIS_URL) {
      privateRedis = await startPrivateRedis(resolve(root, config.HUIWU_DATA_DIR, 'redis'), (line) => log.info(line), {
        appendfsync: config.HUIWU_REDIS_APPENDFSYNC,
      });
    }
    const redisUrl = config.REDIS_URL ?? privateRedis!.url;
    if (config.HUIWU_WORKER_PROCESSES > 0) {
      // Started before the web app, so that both start up at once (on two cores).
      const env = { ...process.env, HUIWU_ROLE: 'worker', HUIWU_WORKER_PROCESSES: '0', REDIS_URL: redisUrl };
      workerProcesses = startWorkerProcesses({ count: config.HUIWU_WORKER_PROCESSES, env, log });
    }
    app = await createHuiwu(config, redisUrl, log, role);
    if (role !== 'worker') await app.server.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    log.fatal({ err: error }, `Huiwu could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(error instanceof ConfigError ? 2 : 1, 'failed start');
    return;
  }
  if (role === 'worker') {
    log.info('Huiwu worker is ready (queue workers; no HTTP)');
    reportReady();
  } else {
    log.info(`Huiwu is ready: simulator at http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}/`);
  }

  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/** Settles `work` within `ms`: 'done', 'timed out', or the error's message. */
async function within(work: Promise<unknown> | undefined, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (work ?? Promise.resolve()).then(() => 'done'),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timed out'), ms);
      }),
    ]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
