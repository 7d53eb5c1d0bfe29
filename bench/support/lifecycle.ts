/**
 * The private, bounded set-up the newer benches share: a temp folder, its own redis-server, app
 * child processes, and cleanup of all of it at the end, on failure, on Ctrl-C and when the
 * watchdog fires. Apps are stopped with SIGTERM first (so a `--profile` run writes their CPU
 * profiles), SIGKILL only when they do not exit in time.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivateRedis, type PrivateRedis } from '../../src/redis/private-redis.js';
import { startAppProcess, type AppProcess } from '../../tests/support/app-process.js';

/** Long enough for an app to close and write a CPU profile. */
const STOP_TIMEOUT_MS = Number(process.env.BENCH_STOP_TIMEOUT_MS ?? 30_000);

export interface BenchRun {
  dir: string;
  redis(): Promise<PrivateRedis>;
  startApp(env: Record<string, string>, timeoutMs?: number): Promise<AppProcess>;
  /** Tracks any other child (a bare fastify, say) so cleanup ends it. */
  track(child: ChildProcess): void;
  stopApp(app: AppProcess): Promise<void>;
  cleanup(): Promise<void>;
}

export async function stopChild(child: ChildProcess, exited: Promise<unknown>, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref())]);
  if (!done) child.kill('SIGKILL');
}

/** Sets up the run and its cleanup; `timeoutS` bounds the whole bench (exit code 3). */
export function benchRun(name: string, timeoutS: number): BenchRun {
  const dir = mkdtempSync(join(tmpdir(), `huiwu-bench-${name}-`));
  const apps = new Set<AppProcess>();
  const others = new Set<ChildProcess>();
  const redises: PrivateRedis[] = [];
  let cleaned = false;

  const run: BenchRun = {
    dir,
    async redis() {
      const redis = await startPrivateRedis(join(dir, `redis${redises.length}`), () => undefined);
      redises.push(redis);
      return redis;
    },
    async startApp(env, timeoutMs = 120_000) {
      const app = await startAppProcess(env, timeoutMs);
      apps.add(app);
      void app.exited.then(() => apps.delete(app));
      return app;
    },
    track(child) {
      others.add(child);
      child.once('exit', () => others.delete(child));
    },
    async stopApp(app) {
      await stopChild(app.child, app.exited);
      apps.delete(app);
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      for (const child of others) child.kill('SIGKILL');
      await Promise.all([...apps].map((app) => stopChild(app.child, app.exited)));
      for (const redis of redises) await redis.release().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const watchdog = setTimeout(() => {
    console.error(`bench:${name}: gave up after ${timeoutS} s`);
    void run.cleanup().finally(() => process.exit(3));
  }, timeoutS * 1000);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void run.cleanup().finally(() => process.exit(130)));
  process.once('exit', () => {
    for (const app of apps) app.child.kill('SIGKILL');
    for (const child of others) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return run;
}

/** Runs `main`, then cleans up; a failure prints the apps' last output and exits 2. */
export function runBench(run: BenchRun, main: () => Promise<void>, lastOutput: () => string[] = () => []): void {
  main()
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      const tail = lastOutput();
      if (tail.length) console.error(tail.slice(-30).join('\n'));
      process.exitCode = 2;
    })
    .finally(async () => {
      await run.cleanup();
      process.exit(process.exitCode ?? 0);
    });
}
