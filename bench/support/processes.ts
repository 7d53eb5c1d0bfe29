/** Starting a process and timing it to its first `200` from /healthz (the app, or the bare fastify baseline). */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../tests/support/app-process.js';
import type { BenchRun } from './lifecycle.js';

export interface TimedProcess {
  child: ChildProcess;
  exited: Promise<unknown>;
  baseUrl: string;
  /** Spawn to the first 200 from /healthz. */
  readyMs: number;
  output: string[];
}

export async function startUntilHealthy(run: BenchRun, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<TimedProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: process.cwd(), env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  run.track(child);
  const output: string[] = [];
  child.stdout!.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  let gone = false;
  void exited.then(() => (gone = true));
  while (performance.now() - t0 < timeoutMs) {
    if (gone) throw new Error(`process exited before /healthz answered:\n${output.join('').slice(-3000)}`);
    const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return { child, exited, baseUrl, readyMs: performance.now() - t0, output };
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`no 200 from /healthz within ${timeoutMs} ms:\n${output.join('').slice(-3000)}`);
}

export const BARE_FASTIFY = ['bench/support/bare-fastify.mjs'];
