/**
 * The private Redis that `npm start` runs when REDIS_URL is unset: shared by a second instance on
 * another PORT, adopted after a crash, and stopped by the last instance to leave.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { socketPathFor } from '../../src/redis/private-redis.js';
import { freePort, startAppProcess, type AppProcess } from '../support/app-process.js';
import { SimClient } from '../support/sim-client.js';

const dir = mkdtempSync(join(tmpdir(), 'huiwu-pr-'));
const env = { HUIWU_DATA_DIR: dir, DATABASE_URL: `file:${join(dir, 'huiwu.db')}`, REDIS_URL: '', HUIWU_QUEUE_PREFIX: 'prtest' };
const socket = socketPathFor(join(dir, 'redis'));
const running: AppProcess[] = [];

afterAll(async () => {
  for (const p of running) p.child.kill('SIGTERM');
  await Promise.all(running.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<AppProcess> {
  const p = await startAppProcess(env);
  running.push(p);
  return p;
}

async function stop(p: AppProcess, signal: NodeJS.Signals): Promise<void> {
  p.child.kill(signal);
  await p.exited;
  running.splice(running.indexOf(p), 1);
}

describe('private Redis', () => {
  it('is shared by a second instance on another port and stopped by the last one', { timeout: 180_000 }, async () => {
    const a = await start();
    expect(a.output.join('\n')).toContain('private Redis started');
    const b = await start();
    expect(b.output.join('\n')).toContain('private Redis already running');
    await stop(a, 'SIGTERM');
    // B still works after A left: Redis stayed up for it.
    const reply = await new SimClient(b.baseUrl).ask('prep-group', 'wangfang', '帮助');
    expect(reply.text).toContain('提醒');
    await stop(b, 'SIGTERM');
    expect(existsSync(socket)).toBe(false);
  });

  it('adopts a Redis left behind by a crashed run', { timeout: 180_000 }, async () => {
    const crashed = await start();
    await stop(crashed, 'SIGKILL');
    expect(existsSync(socket)).toBe(true);
    const next = await start();
    expect(next.output.join('\n')).toContain('private Redis already running');
    const reply = await new SimClient(next.baseUrl).ask('prep-group', 'wangfang', '帮助');
    expect(reply.text).toContain('提醒');
    await stop(next, 'SIGTERM');
    // The crashed instance does not count as still using Redis.
    expect(existsSync(socket)).toBe(false);
  });

  it('is stopped again when the start fails (port taken), so no redis-server is left behind', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const failed = startAppProcess({ ...env, PORT: String(port) });
      await expect(failed).rejects.toThrow(/app exited \(1\) before it was ready[\s\S]*private Redis (started|already running)[\s\S]*EADDRINUSE/);
      expect(existsSync(socket)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('runs with AOF rewrites that keep the file bounded and fsync on every write', { timeout: 120_000 }, async () => {
    const p = await start();
    const redis = new Redis({ path: socket });
    redis.on('error', () => undefined);
    try {
      const config = Object.fromEntries(
        (await Promise.all(['appendfsync', 'auto-aof-rewrite-percentage', 'auto-aof-rewrite-min-size', 'maxmemory-policy'].map((k) => redis.config('GET', k)))).map(
          (pair) => pair as [string, string],
        ),
      );
      expect(config).toEqual({ appendfsync: 'always', 'auto-aof-rewrite-percentage': '100', 'auto-aof-rewrite-min-size': String(8 * 1024 * 1024), 'maxmemory-policy': 'noeviction' });
    } finally {
      redis.disconnect();
    }
    await stop(p, 'SIGTERM');
  });
});
