/**
 * HUIWU_WORKER_PROCESSES: the web process runs the queue workers in child processes of the same
 * entry point (HUIWU_ROLE=worker), so a platform callback's answer never waits for a core busy
 * with commands, and a second core is used.
 *
 * A child that dies unexpectedly is started again after a back-off that doubles with each quick
 * death (a child that ran a minute starts again at once). Each child has an IPC channel to the
 * parent: when the parent dies without stopping it (SIGKILL), the channel closes and the child
 * shuts down rather than run on unsupervised.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** The argument that marks a spawned worker (`--huiwu-worker=<n>`); see `spawnedWorkerNumber`. */
const WORKER_ARG = '--huiwu-worker=';
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A child that ran this long is healthy: its death restarts it without waiting. */
const STABLE_MS = 60_000;

/** This process's number when the web process spawned it as a worker, else null. */
export function spawnedWorkerNumber(argv: readonly string[] = process.argv): number | null {
  const arg = argv.find((a) => a.startsWith(WORKER_ARG));
  return arg ? Number(arg.slice(WORKER_ARG.length)) : null;
}

/** In a spawned worker: calls `stop` when the parent is gone (its IPC channel closed). */
export function stopWithParent(stop: () => void): void {
  process.once('disconnect', stop);
}

/** In a spawned worker: tells the parent it is running (the parent logs it; a restart's back-off depends on how long the child ran). */
export function reportReady(): void {
  process.send?.({ ready: true });
}

export interface WorkerProcesses {
  /** SIGTERMs every child and waits for them to exit; those still running after `ms` are killed. */
  stop(ms: number): Promise<void>;
}

export interface WorkerProcessOptions {
  count: number;
  /** The environment of every child (the parent's, with HUIWU_ROLE=worker and its REDIS_URL). */
  env: NodeJS.ProcessEnv;
  log: Logger;
}

export function startWorkerProcesses({ count, env, log }: WorkerProcessOptions): WorkerProcesses {
  const children = new Map<number, ChildProcess>();
  let stopping = false;
  const restartTimers = new Set<NodeJS.Timeout>();

  const start = (n: number, failures: number) => {
    // The same entry and Node options (tsx, profiling flags) as this process.
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, `${WORKER_ARG}${n}`], {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Its own process group: Ctrl-C reaches the parent only, which stops the children in order.
      detached: true,
    });
    children.set(n, child);
    const startedAt = Date.now();
    log.info({ worker: n, pid: child.pid }, 'worker process started');
    child.on('message', (message: { ready?: boolean }) => {
      if (message.ready) log.info({ worker: n, pid: child.pid }, 'worker process ready');
    });
    child.on('error', (err) => log.error({ err, worker: n }, 'worker process could not be started'));
    child.once('exit', (code, signal) => {
      children.delete(n);
      if (stopping) return;
      const quick = Date.now() - startedAt < STABLE_MS;
      const next = quick ? failures + 1 : 0;
      const delayMs = quick ? Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** failures) : 0;
      log.error({ worker: n, pid: child.pid, code, signal, restartInMs: delayMs }, 'worker process died; starting it again');
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (!stopping) start(n, next);
      }, delayMs);
      restartTimers.add(timer);
    });
  };
  for (let n = 1; n <= count; n++) start(n, 0);

  return {
    async stop(ms) {
      stopping = true;
      for (const timer of restartTimers) clearTimeout(timer);
      const running = [...children.values()];
      const exits = running.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()))));
      for (const child of running) child.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const child of children.values()) {
          log.error({ pid: child.pid }, 'worker process did not stop in time; killing it');
          child.kill('SIGKILL');
        }
      }, ms);
      await Promise.all(exits);
      clearTimeout(killer);
    },
  };
}
