/**
 * A private redis-server for when REDIS_URL is not set: AOF on (fsync every second), no eviction
 * (BullMQ must never lose keys), data under `<dataDir>`, listening on a unix socket only, so it
 * cannot clash with another Redis or another Huiwu's port.
 *
 * Several Huiwu processes on one data folder (a second `npm start` on another PORT) share it:
 * each registers a heartbeat, and the last one to stop shuts Redis down. A Redis left behind by a
 * crashed run is simply adopted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  /** `unix://<socket path>`, accepted by `redisOptions`. */
  url: string;
  /** Unregisters this process; shuts Redis down when no other process uses it. */
  release(): Promise<void>;
}

const INSTANCES_KEY = 'huiwu:private-redis:instances';
const HEARTBEAT_MS = 10_000;

export function redisServerBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** Unix socket paths are limited to ~107 bytes; long project paths fall back to the temp folder. */
export function socketPathFor(dataDir: string): string {
  const preferred = join(dataDir, 'redis.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const hash = createHash('sha1').update(dataDir).digest('hex').slice(0, 12);
  return join(tmpdir(), `huiwu-redis-${hash}.sock`);
}

export async function startPrivateRedis(dataDirInput: string, log: (line: string) => void): Promise<PrivateRedis> {
  const dataDir = resolve(dataDirInput);
  mkdirSync(dataDir, { recursive: true });
  const socket = socketPathFor(dataDir);
  const unlock = await lock(join(dataDir, 'start.lock'));
  try {
    if (!(await ping(socket))) {
      const binary = redisServerBinary();
      if (!binary) {
        throw new Error('redis-server is not installed: run `npm start` (it installs Debian\'s redis-server as root) or `apt-get install redis-server`, or set REDIS_URL');
      }
      spawnRedis(binary, dataDir, socket);
      await waitUntilUp(socket);
      log(`private Redis started (socket ${socket}, data ${dataDir})`);
    } else {
      log(`private Redis already running (socket ${socket}); using it`);
    }
  } finally {
    unlock();
  }

  const client = new Redis({ path: socket, lazyConnect: false, maxRetriesPerRequest: 1 });
  // After our own SHUTDOWN the socket disappears; reconnect errors are expected then.
  client.on('error', () => undefined);
  const member = `${process.pid}-${Date.now()}`;
  const beat = () => client.zadd(INSTANCES_KEY, Date.now(), member);
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
  timer.unref();

  return {
    url: `unix://${socket}`,
    async release() {
      clearInterval(timer);
      try {
        await client.zrem(INSTANCES_KEY, member);
        await client.zremrangebyscore(INSTANCES_KEY, 0, Date.now() - 3 * HEARTBEAT_MS);
        // Instances that crashed recently still have a fresh heartbeat; their pid tells.
        for (const other of await client.zrange(INSTANCES_KEY, '0', '-1')) {
          if (!isAlive(Number(String(other).split("-")[0]))) await client.zrem(INSTANCES_KEY, String(other));
        }
        if ((await client.zcard(INSTANCES_KEY)) === 0) {
          // SHUTDOWN flushes the AOF; the connection drops as Redis exits.
          await client.call('SHUTDOWN').catch(() => undefined);
          log('private Redis stopped');
        }
      } finally {
        client.disconnect();
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function spawnRedis(binary: string, dataDir: string, socket: string): void {
  if (existsSync(socket)) unlinkSync(socket);
  const child = spawn(
    binary,
    [
      '--port', '0',
      '--unixsocket', socket,
      '--unixsocketperm', '700',
      '--dir', dataDir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction',
      '--save', '',
      '--daemonize', 'no',
      '--logfile', join(dataDir, 'redis.log'),
    ],
    // Its own process group: Ctrl-C on the app must not kill Redis before the app has drained.
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
}

async function ping(socket: string): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function waitUntilUp(socket: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ping(socket)) return;
    await sleep(100);
  }
  throw new Error(`private Redis did not start within 10 s (see redis.log next to ${socket})`);
}

/** A start-up lock so two processes starting at once do not both spawn Redis. */
async function lock(path: string): Promise<() => void> {
  for (let i = 0; i < 200; i++) {
    try {
      const fd = openSync(path, 'wx');
      closeSync(fd);
      return () => {
        if (existsSync(path)) unlinkSync(path);
      };
    } catch {
      // A lock older than 30 s belongs to a crashed start.
      if (existsSync(path) && Date.now() - statSync(path).mtimeMs > 30_000) unlinkSync(path);
      await sleep(100);
    }
  }
  throw new Error(`could not take the Redis start-up lock ${path}`);
}
