/** Runs the real entry point (`src/main.ts`) as a child process, for restart and crash tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

export interface AppProcess {
  child: ChildProcess;
  baseUrl: string;
  output: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** The first output line from now on that `match` accepts (its worker children's lines too). */
  nextLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

/**
 * `npm run bench -- --profile` sets HUIWU_BENCH_CPU_PROF_DIR: the app writes a CPU profile there
 * when it exits (Node 20 does not accept --cpu-prof in NODE_OPTIONS, so it is passed here).
 */
export function profileArgs(): string[] {
  const dir = process.env.HUIWU_BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Node arguments that run the app: its TypeScript (tests), or with HUIWU_APP_COMPILED=1 the
 * compiled `.build/` as `npm start` runs it (benches build it first); plus a bench's profile flags.
 */
export function appArgs(): string[] {
  return process.env.HUIWU_APP_COMPILED ? [...profileArgs(), '.build/src/main.js'] : [...profileArgs(), '--import', 'tsx', 'src/main.ts'];
}

/** Starts `src/main.ts` and resolves once it logs `readyText` (or rejects with its output). */
export async function startAppProcess(env: Record<string, string>, timeoutMs = 90_000, readyText = 'Huiwu is ready'): Promise<AppProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, appArgs(), {
    cwd: process.cwd(),
    env: { ...process.env, ...env, PORT: port, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lines = new EventEmitter();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        lines.emit('line', line);
        if (line.includes(readyText)) resolve();
      });
    }
    void exited.then((code) => reject(new Error(`app exited (${code}) before it was ready:\n${output.join('\n')}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  const nextLine = (match: (line: string) => boolean, ms = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        lines.off('line', listen);
        reject(new Error(`no such line within ${ms} ms; output:\n${output.slice(-30).join('\n')}`));
      }, ms);
      const listen = (line: string) => {
        if (!match(line)) return;
        clearTimeout(timer);
        lines.off('line', listen);
        resolve(line);
      };
      lines.on('line', listen);
    });
  return { child, baseUrl: `http://127.0.0.1:${port}`, output, exited, nextLine };
}
