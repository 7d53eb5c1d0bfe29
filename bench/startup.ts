/**
 * `npm run bench:startup`: cold start of the app (dependencies installed) to its first `200` from
 * `/healthz`, spawn to answer, median of STARTUP_RUNS (3). The app runs as `npm start` runs it
 * (tests/support/app-process.ts `appArgs`), with a migrated SQLite file and the bench's private
 * Redis (REDIS_URL set: starting a redis-server is not counted), simulator on; each start is
 * stopped with SIGTERM before the next. Baseline, same run: a bare fastify process with one
 * /healthz route, started and timed the same way. Goal: <= 3 s.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { applyMigrations } from '../src/db/migrate.js';
import { appArgs } from '../tests/support/app-process.js';
import { benchRun, runBench, stopChild } from './support/lifecycle.js';
import { BARE_FASTIFY, startUntilHealthy } from './support/processes.js';
import { emitRow, percentile } from './support/report.js';

const RUNS = Number(process.env.STARTUP_RUNS ?? 3);
const GOAL_MS = 3000;

const run = benchRun('startup', 300 + RUNS * 120);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timeStarts(args: string[], env: Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const p = await startUntilHealthy(run, args, env);
    times.push(p.readyMs);
    await stopChild(p.child, p.exited);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const redis = await run.redis();
  const env: Record<string, string> = {
    DATABASE_URL: `file:${join(run.dir, 'huiwu.db')}`,
    HUIWU_DATA_DIR: run.dir,
    HUIWU_QUEUE_PREFIX: `benchstart${randomBytes(4).toString('hex')}`,
    REDIS_URL: redis.url,
    HUIWU_SIMULATOR: 'on',
    LOG_LEVEL: 'warn',
  };
  await applyMigrations({ databaseUrl: env.DATABASE_URL! });
  const bare = await timeStarts(BARE_FASTIFY, {});
  console.log(`bare fastify: spawn -> first 200 from /healthz: ${bare.map(secs).join(', ')}`);
  const app = await timeStarts(appArgs(), env);
  console.log(`Huiwu (${appArgs().filter((a) => !a.startsWith('--cpu-prof')).join(' ')}): spawn -> first 200 from /healthz: ${app.map(secs).join(', ')}`);
  const [median, bareMedian] = [percentile(app, 50), percentile(bare, 50)];
  emitRow({
    row: 'cold start',
    goal: `<= ${GOAL_MS / 1000} s to /healthz (median of ${RUNS})`,
    figure: secs(median),
    baseline: `${secs(bareMedian)} (bare fastify)`,
    ratio: median / bareMedian,
    pass: median <= GOAL_MS,
    note: `runs ${app.map(secs).join(', ')}`,
  });
}

runBench(run, main);
